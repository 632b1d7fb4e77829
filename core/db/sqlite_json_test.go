package db

import (
	"bytes"
	"math"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Every value Ward stores survives the trip to the embedded engine's JSON
// text and back, byte for byte as BSON.
func TestStoredJSONRoundTrip(t *testing.T) {
	oid := primitive.NewObjectID()
	docs := []bson.D{
		{{Key: "_id", Value: "a"}},
		{{Key: "_id", Value: "b"}, {Key: "s", Value: "plain"}, {Key: "q", Value: "quote \" backslash \\ tab \t nl \n nul \x00 é 😀 \u2028 <&>"},
			{Key: "i32", Value: int32(-7)}, {Key: "i64", Value: int64(math.MaxInt64)}, {Key: "small64", Value: int64(5)},
			{Key: "f", Value: 2.5}, {Key: "fint", Value: 3.0}, {Key: "fexp", Value: 1e300}, {Key: "neg", Value: -0.125},
			{Key: "t", Value: true}, {Key: "no", Value: false}, {Key: "null", Value: nil},
			{Key: "when", Value: primitive.NewDateTimeFromTime(time.Date(2026, 3, 2, 9, 0, 0, 123e6, time.UTC))},
			{Key: "born", Value: primitive.NewDateTimeFromTime(time.Date(1931, 12, 31, 23, 59, 59, 0, time.UTC))},
			{Key: "oid", Value: oid}, {Key: "bin", Value: primitive.Binary{Subtype: 0, Data: []byte{0, 1, 2, 255}}},
			{Key: "looks like a time", Value: `{"$date":"2026-01-01T00:00:00.000Z"}`}, {Key: "marked", Value: "\uFEFFmark"},
			{Key: "nested", Value: bson.D{{Key: "a", Value: bson.A{int32(1), "x", bson.D{{Key: "deep", Value: bson.A{}}}, bson.A{int32(2)}}}, {Key: "empty", Value: bson.D{}}}},
		},
	}
	for _, d := range docs {
		raw, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		text, err := toJSON(raw)
		if err != nil {
			t.Fatal(err)
		}
		back, err := fromJSON(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		// small64 comes back as an int32 (relaxed Extended JSON), so compare
		// values, not bytes, for that one field.
		var want, got bson.D
		_ = bson.Unmarshal(raw, &want)
		_ = bson.Unmarshal(back, &got)
		for i := range want {
			if want[i].Key == "small64" {
				want[i].Value = int32(5)
			}
		}
		w, _ := bson.Marshal(want)
		g, _ := bson.Marshal(got)
		if !bytes.Equal(w, g) {
			t.Errorf("round trip of %s:\n got %v\nwant %v", text, got, want)
		}
	}
}

func TestStoredJSONRefusesWhatItCannotKeep(t *testing.T) {
	for name, v := range map[string]any{
		"NaN":        math.NaN(),
		"year 10000": primitive.NewDateTimeFromTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"decimal":    primitive.NewDecimal128(1, 1),
	} {
		raw, _ := bson.Marshal(bson.D{{Key: "v", Value: v}})
		if _, err := toJSON(raw); err == nil {
			t.Errorf("%s: stored, want a refusal", name)
		}
	}
}

func BenchmarkReadStoredDocument(b *testing.B) {
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: NewID()}, {Key: "firstName", Value: "Amina"}, {Key: "lastName", Value: "Otieno"},
		{Key: "dob", Value: time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC)}, {Key: "number", Value: int64(42)}, {Key: "active", Value: true},
		{Key: "notes", Value: "Allergic to penicillin. Follow-up every six months; prefers morning appointments."},
		{Key: "contacts", Value: bson.A{bson.D{{Key: "name", Value: "Baraka"}, {Key: "phone", Value: "+254 700 000 000"}}}}})
	text, _ := toJSON(raw)
	for b.Loop() {
		if _, err := fromJSON(text); err != nil {
			b.Fatal(err)
		}
	}
}
