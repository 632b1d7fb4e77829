package db

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// fromJSON turns stored JSON text (as toJSON writes it) into BSON directly:
// every page of a list decodes its rows here, and a reader made for the one
// shape Ward writes is several times faster than a general Extended JSON
// parser.
func fromJSON(text []byte) (bson.Raw, error) {
	r := jsonReader{s: text}
	r.space()
	out, err := r.object(make([]byte, 0, len(text)))
	if err != nil {
		return nil, fmt.Errorf("db: reading a stored document at byte %d: %w", r.i, err)
	}
	return out, nil
}

type jsonReader struct {
	s []byte
	i int
}

var errSyntax = fmt.Errorf("malformed JSON")

func (r *jsonReader) space() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == '\n' || r.s[r.i] == '\t' || r.s[r.i] == '\r') {
		r.i++
	}
}

func (r *jsonReader) expect(c byte) error {
	r.space()
	if r.i >= len(r.s) || r.s[r.i] != c {
		return errSyntax
	}
	r.i++
	return nil
}

// object reads {...} as a BSON document appended to dst.
func (r *jsonReader) object(dst []byte) ([]byte, error) {
	return r.list(dst, '{', '}', func(dst []byte, _ int) ([]byte, error) {
		r.space()
		key, err := r.str()
		if err != nil {
			return nil, err
		}
		if err := r.expect(':'); err != nil {
			return nil, err
		}
		return r.value(dst, key)
	})
}

// array reads [...] as a BSON array (a document keyed "0", "1", …).
func (r *jsonReader) array(dst []byte) ([]byte, error) {
	return r.list(dst, '[', ']', func(dst []byte, n int) ([]byte, error) {
		return r.value(dst, strconv.Itoa(n))
	})
}

// list reads open, items separated by commas, close, as one BSON document.
func (r *jsonReader) list(dst []byte, open, close byte, item func(dst []byte, n int) ([]byte, error)) ([]byte, error) {
	if err := r.expect(open); err != nil {
		return nil, err
	}
	idx, dst := bsoncore.ReserveLength(dst)
	r.space()
	if r.i < len(r.s) && r.s[r.i] == close {
		r.i++
		return closeDoc(dst, idx), nil
	}
	for n := 0; ; n++ {
		var err error
		if dst, err = item(dst, n); err != nil {
			return nil, err
		}
		r.space()
		if r.i >= len(r.s) {
			return nil, errSyntax
		}
		c := r.s[r.i]
		r.i++
		if c == close {
			return closeDoc(dst, idx), nil
		}
		if c != ',' {
			return nil, errSyntax
		}
	}
}

func closeDoc(dst []byte, idx int32) []byte {
	dst = append(dst, 0)
	return bsoncore.UpdateLength(dst, idx, int32(len(dst[idx:])))
}

// value reads one value and appends it to dst as the element key.
func (r *jsonReader) value(dst []byte, key string) ([]byte, error) {
	r.space()
	if r.i >= len(r.s) {
		return nil, errSyntax
	}
	switch c := r.s[r.i]; {
	case c == '"':
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendStringElement(dst, key, unescapeText(s)), nil
	case c == '{':
		if special, ok := r.peekKey(); ok && len(special) > 0 && special[0] == '$' {
			return r.extended(dst, key, special)
		}
		dst = bsoncore.AppendHeader(dst, bsontype.EmbeddedDocument, key)
		return r.object(dst)
	case c == '[':
		dst = bsoncore.AppendHeader(dst, bsontype.Array, key)
		return r.array(dst)
	case c == 't' || c == 'f':
		lit, b := "false", false
		if c == 't' {
			lit, b = "true", true
		}
		if !r.literal(lit) {
			return nil, errSyntax
		}
		return bsoncore.AppendBooleanElement(dst, key, b), nil
	case c == 'n':
		if !r.literal("null") {
			return nil, errSyntax
		}
		return bsoncore.AppendNullElement(dst, key), nil
	default:
		return r.number(dst, key)
	}
}

func (r *jsonReader) literal(lit string) bool {
	if r.i+len(lit) > len(r.s) || string(r.s[r.i:r.i+len(lit)]) != lit {
		return false
	}
	r.i += len(lit)
	return true
}

// number reads a number as MongoDB's relaxed Extended JSON does: with a
// fraction or exponent a double, else an int32 when it fits, else an int64.
func (r *jsonReader) number(dst []byte, key string) ([]byte, error) {
	start, float := r.i, false
	for r.i < len(r.s) {
		c := r.s[r.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' {
			r.i++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' {
			float = true
			r.i++
			continue
		}
		break
	}
	text := string(r.s[start:r.i])
	if float {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendDoubleElement(dst, key, f), nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, err
	}
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return bsoncore.AppendInt32Element(dst, key, int32(n)), nil
	}
	return bsoncore.AppendInt64Element(dst, key, n), nil
}

// str reads a JSON string.
func (r *jsonReader) str() (string, error) {
	if r.i >= len(r.s) || r.s[r.i] != '"' {
		return "", errSyntax
	}
	start := r.i
	r.i++
	escaped := false
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case '\\':
			escaped = true
			r.i += 2
			continue
		case '"':
			r.i++
			if !escaped {
				return string(r.s[start+1 : r.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(r.s[start:r.i], &s); err != nil {
				return "", err
			}
			return s, nil
		}
		r.i++
	}
	return "", errSyntax
}

// peekKey returns the first key of the object starting at r.i, without
// moving on.
func (r *jsonReader) peekKey() (string, bool) {
	save := r.i
	defer func() { r.i = save }()
	r.i++ // '{'
	r.space()
	k, err := r.str()
	return k, err == nil
}

// extended reads the Extended JSON forms toJSON writes: $date, $oid and
// $binary.
func (r *jsonReader) extended(dst []byte, key, kind string) ([]byte, error) {
	var v struct {
		Date   string `json:"$date"`
		OID    string `json:"$oid"`
		Binary *struct {
			Base64  string `json:"base64"`
			SubType string `json:"subType"`
		} `json:"$binary"`
	}
	start := r.i
	if err := r.skip(); err != nil {
		return nil, err
	}
	if kind == "$date" && r.i-start == len(dateText(time.Time{})) {
		// The fixed-width form: no need for the general decoder.
		t, err := time.Parse(dateLayout, string(r.s[start+10:r.i-2]))
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendDateTimeElement(dst, key, t.UnixMilli()), nil
	}
	if err := json.Unmarshal(r.s[start:r.i], &v); err != nil {
		return nil, err
	}
	switch kind {
	case "$date":
		t, err := time.Parse(dateLayout, v.Date)
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendDateTimeElement(dst, key, t.UnixMilli()), nil
	case "$oid":
		b, err := hex.DecodeString(v.OID)
		if err != nil || len(b) != 12 {
			return nil, errSyntax
		}
		var oid primitive.ObjectID
		copy(oid[:], b)
		return bsoncore.AppendObjectIDElement(dst, key, oid), nil
	case "$binary":
		if v.Binary == nil {
			return nil, errSyntax
		}
		data, err := base64.StdEncoding.DecodeString(v.Binary.Base64)
		if err != nil {
			return nil, err
		}
		sub, err := strconv.ParseUint(v.Binary.SubType, 16, 8)
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendBinaryElement(dst, key, byte(sub), data), nil
	}
	return nil, fmt.Errorf("unknown form %s", kind)
}

// skip moves past one value.
func (r *jsonReader) skip() error {
	r.space()
	if r.i >= len(r.s) {
		return errSyntax
	}
	switch r.s[r.i] {
	case '"':
		_, err := r.str()
		return err
	case '{', '[':
		depth := 0
		for r.i < len(r.s) {
			switch r.s[r.i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					r.i++
					return nil
				}
			case '"':
				if _, err := r.str(); err != nil {
					return err
				}
				continue
			}
			r.i++
		}
		return errSyntax
	}
	for r.i < len(r.s) && r.s[r.i] != ',' && r.s[r.i] != '}' && r.s[r.i] != ']' {
		r.i++
	}
	return nil
}
