package db

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
)

// The embedded engine keeps each document as JSON text in MongoDB's relaxed
// Extended JSON: numbers, strings, booleans, null, objects and arrays as
// themselves; a time as {"$date":"2006-01-02T15:04:05.000Z"} — always this
// fixed-width UTC form, so SQLite compares two times correctly as text and
// an index orders them; ObjectIds and binary data in their $oid and $binary
// forms. fromJSON (sqlite_read.go) reads the same text back, so a document
// comes back as the BSON it went in as (integers as int32 or int64 by size).

// dateLayout is the fixed-width form of a time.
const dateLayout = "2006-01-02T15:04:05.000Z"

// dateText is the JSON text json_extract returns for a time: what a filter
// binds to compare with a time field.
func dateText(t time.Time) string {
	return `{"$date":"` + t.UTC().Format(dateLayout) + `"}`
}

// Bounds of every dateText, for comparisons that must match times only.
const (
	dateLow  = `{"$date":"`
	dateHigh = `{"$date":":` // ':' follows '9'
)

// toJSON renders a BSON document as the stored JSON text.
func toJSON(doc bson.Raw) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(doc) + len(doc)/4)
	if err := writeDoc(&b, doc, false); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeDoc(b *bytes.Buffer, doc bson.Raw, array bool) error {
	elems, err := doc.Elements()
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	open, close := byte('{'), byte('}')
	if array {
		open, close = '[', ']'
	}
	b.WriteByte(open)
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		if !array {
			writeString(b, e.Key())
			b.WriteByte(':')
		}
		if err := writeValue(b, e.Value()); err != nil {
			return fmt.Errorf("%s: %w", e.Key(), err)
		}
	}
	b.WriteByte(close)
	return nil
}

func writeValue(b *bytes.Buffer, v bson.RawValue) error {
	switch v.Type {
	case bsontype.Double:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: %v cannot be stored", ErrRefused, f)
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !bytes.ContainsAny([]byte(s), ".eE") {
			s += ".0" // stays a double when read back
		}
		b.WriteString(s)
	case bsontype.String:
		writeString(b, escapeText(v.StringValue()))
	case bsontype.EmbeddedDocument:
		return writeDoc(b, v.Document(), false)
	case bsontype.Array:
		return writeDoc(b, v.Array(), true)
	case bsontype.Binary:
		sub, data := v.Binary()
		fmt.Fprintf(b, `{"$binary":{"base64":"%s","subType":"%02x"}}`, base64.StdEncoding.EncodeToString(data), sub)
	case bsontype.ObjectID:
		oid := v.ObjectID()
		b.WriteString(`{"$oid":"` + hex.EncodeToString(oid[:]) + `"}`)
	case bsontype.Boolean:
		b.WriteString(strconv.FormatBool(v.Boolean()))
	case bsontype.DateTime:
		t := v.Time()
		if y := t.UTC().Year(); y < 0 || y > 9999 {
			return fmt.Errorf("%w: year %d cannot be stored", ErrRefused, y)
		}
		b.WriteString(dateText(t))
	case bsontype.Null, bsontype.Undefined:
		b.WriteString("null")
	case bsontype.Int32:
		b.WriteString(strconv.FormatInt(int64(v.Int32()), 10))
	case bsontype.Int64:
		b.WriteString(strconv.FormatInt(v.Int64(), 10))
	default:
		return fmt.Errorf("%w: BSON type %s cannot be stored", ErrRefused, v.Type)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// textMark starts the stored form of a string that would otherwise read
// like a stored time (or starts with the mark itself): json_extract returns
// a string's text as it is, so a string spelling {"$date":"…"} would compare
// equal to a time. The mark (U+FEFF) keeps every such string apart.
const textMark = "\uFEFF"

func escapeText(s string) string {
	if strings.HasPrefix(s, dateLow) || strings.HasPrefix(s, textMark) {
		return textMark + s
	}
	return s
}

func unescapeText(s string) string { return strings.TrimPrefix(s, textMark) }

// sqlValue is how a filter's value is bound to compare with json_extract's
// result: times as their JSON text, booleans as 1/0.
func sqlValue(v any) any {
	switch t := v.(type) {
	case time.Time:
		return dateText(t)
	case bool:
		if t {
			return 1
		}
		return 0
	case string:
		return escapeText(t)
	}
	return v
}
