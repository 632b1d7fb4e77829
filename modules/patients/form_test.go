package patients

import (
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// today is the date the validation cases are judged against (the apptest
// clock's start: Monday 2 March 2026, 09:00 UTC).
var today = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// valid is a form that passes every rule; each case changes one field.
func valid() Form {
	return Form{FirstName: "Zoë", LastName: "Núñez", DateOfBirth: "1984-07-23", Sex: "female", Phone: "+1 (555) 010-2030",
		Email: "zoe@example.com", Address: "12 Market Street", EmergencyName: "Ana Núñez", EmergencyPhone: "555 010 9999",
		EmergencyRelation: "sister", Allergies: []string{"Penicillin", "Latex"}, Notes: "Prefers mornings."}
}

func allergies(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Allergen %d", i)
	}
	return out
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const (
		tooLong100  = "Use at most 100 characters."
		badPhone    = "Enter a phone number of 5 to 15 digits; spaces, +, -, ( and ) are fine."
		badEmail    = "Enter an email address such as name@example.com, or leave it empty."
		badDate     = "Enter the date as YYYY-MM-DD, for example 1984-07-23."
		noSuchDate  = "There is no such date. Check the day and the month."
		badAllergy  = "Each allergy has at most 100 characters, one per line."
		badEmPhone  = "Enter a phone number of 5 to 15 digits."
		badSex      = "Choose one of the options."
		futureDate  = "The date of birth cannot be in the future."
		before1900  = "The date of birth cannot be before 1900."
		tooMany     = "List at most 50 allergies."
		tooLongAddr = "Use at most 300 characters."
		tooLongNote = "Use at most 5000 characters."
	)
	cases := []struct {
		name   string
		change func(f *Form)
		want   map[string]string // empty: valid
	}{
		{"valid", func(f *Form) {}, nil},
		{"only the names", func(f *Form) { *f = Form{FirstName: "Zoë", LastName: "Núñez"} }, nil},

		{"first name missing", func(f *Form) { f.FirstName = "" }, map[string]string{"firstName": "Enter the first name."}},
		{"last name missing", func(f *Form) { f.LastName = "" }, map[string]string{"lastName": "Enter the last name."}},
		{"both names missing", func(f *Form) { f.FirstName, f.LastName = "", "" },
			map[string]string{"firstName": "Enter the first name.", "lastName": "Enter the last name."}},
		{"first name of 100 letters (200 bytes)", func(f *Form) { f.FirstName = strings.Repeat("é", 100) }, nil},
		{"first name of 101 letters", func(f *Form) { f.FirstName = strings.Repeat("é", 101) }, map[string]string{"firstName": tooLong100}},
		{"last name of 101 letters", func(f *Form) { f.LastName = strings.Repeat("a", 101) }, map[string]string{"lastName": tooLong100}},
		{"first name with a tab", func(f *Form) { f.FirstName = "Zo\të" }, map[string]string{"firstName": "First name may not contain control characters."}},
		{"last name with a NUL", func(f *Form) { f.LastName = "Nú\x00ñez" }, map[string]string{"lastName": "Last name may not contain control characters."}},
		{"last name with a right-to-left override", func(f *Form) { f.LastName = "Nú\u202eñez" },
			map[string]string{"lastName": "Last name may not contain characters that change the direction of text."}},
		{"first name not UTF-8", func(f *Form) { f.FirstName = "Zo\xc3" },
			map[string]string{"firstName": "First name may not contain characters that are not valid UTF-8 text."}},
		{"first name with a zero-width space", func(f *Form) { f.FirstName = "Zo\u200bë" }, map[string]string{"firstName": "First name may not contain invisible characters."}},
		{"Persian name with a zero-width non-joiner", func(f *Form) { f.FirstName = "مهر\u200cناز" }, nil},
		{"apostrophe and hyphen", func(f *Form) { f.FirstName, f.LastName = "Mary-Jane", "O'Brien" }, nil},

		{"no date of birth", func(f *Form) { f.DateOfBirth = "" }, nil},
		{"date as DD/MM/YYYY", func(f *Form) { f.DateOfBirth = "23/07/1984" }, map[string]string{"dateOfBirth": badDate}},
		{"impossible date", func(f *Form) { f.DateOfBirth = "2001-02-30" }, map[string]string{"dateOfBirth": noSuchDate}},
		{"29 February of a common year", func(f *Form) { f.DateOfBirth = "2023-02-29" }, map[string]string{"dateOfBirth": noSuchDate}},
		{"29 February of a leap year", func(f *Form) { f.DateOfBirth = "2024-02-29" }, nil},
		{"month 13", func(f *Form) { f.DateOfBirth = "1984-13-01" }, map[string]string{"dateOfBirth": noSuchDate}},
		{"date with a time", func(f *Form) { f.DateOfBirth = "1984-07-23T00:00:00Z" }, map[string]string{"dateOfBirth": badDate}},
		{"born today", func(f *Form) { f.DateOfBirth = "2026-03-02" }, nil},
		{"born tomorrow", func(f *Form) { f.DateOfBirth = "2026-03-03" }, map[string]string{"dateOfBirth": futureDate}},
		{"born 1900-01-01", func(f *Form) { f.DateOfBirth = "1900-01-01" }, nil},
		{"born 1899-12-31", func(f *Form) { f.DateOfBirth = "1899-12-31" }, map[string]string{"dateOfBirth": before1900}},

		{"sex empty", func(f *Form) { f.Sex = "" }, nil},
		{"sex male", func(f *Form) { f.Sex = "male" }, nil},
		{"sex other", func(f *Form) { f.Sex = "other" }, nil},
		{"sex unknown", func(f *Form) { f.Sex = "unknown" }, nil},
		{"sex capitalised", func(f *Form) { f.Sex = "Female" }, map[string]string{"sex": badSex}},
		{"sex made up", func(f *Form) { f.Sex = "x" }, map[string]string{"sex": badSex}},

		{"phone empty", func(f *Form) { f.Phone = "" }, nil},
		{"phone of 4 digits", func(f *Form) { f.Phone = "12-34" }, map[string]string{"phone": badPhone}},
		{"phone of 5 digits", func(f *Form) { f.Phone = "12345" }, nil},
		{"phone of 15 digits", func(f *Form) { f.Phone = "+123 456 789 012 345" }, nil},
		{"phone of 16 digits", func(f *Form) { f.Phone = "1234567890123456" }, map[string]string{"phone": badPhone}},
		{"phone with letters", func(f *Form) { f.Phone = "555-CALL-NOW-1" }, map[string]string{"phone": badPhone}},
		{"phone with a dot", func(f *Form) { f.Phone = "555.010.2030" }, nil},

		{"email empty", func(f *Form) { f.Email = "" }, nil},
		{"email without @", func(f *Form) { f.Email = "zoe.example.com" }, map[string]string{"email": badEmail}},
		{"email with a display name", func(f *Form) { f.Email = "Zoe <zoe@example.com>" }, map[string]string{"email": badEmail}},
		{"email of 255 characters", func(f *Form) { f.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com" },
			map[string]string{"email": badEmail}},
		{"email without a dot in the domain", func(f *Form) { f.Email = "zoe@example" }, map[string]string{"email": badEmail}},
		{"email with a subdomain", func(f *Form) { f.Email = "zoe@mail.example.co.ke" }, nil},

		{"address of 300 letters", func(f *Form) { f.Address = strings.Repeat("ü", 300) }, nil},
		{"address of 301 letters", func(f *Form) { f.Address = strings.Repeat("ü", 301) }, map[string]string{"address": tooLongAddr}},
		{"address on two lines", func(f *Form) { f.Address = "12 Market Street\nBcc: x" }, map[string]string{"address": "Address must be on one line."}},
		{"address not UTF-8", func(f *Form) { f.Address = "12 Market \xff" },
			map[string]string{"address": "Address may not contain characters that are not valid UTF-8 text."}},
		{"address with a byte order mark", func(f *Form) { f.Address = "\ufeff12 Market Street" }, map[string]string{"address": "Address may not contain invisible characters."}},
		{"email with a right-to-left override", func(f *Form) { f.Email = "zo\u202ee@example.com" },
			map[string]string{"email": "Email may not contain characters that change the direction of text."}},

		{"emergency name of 101", func(f *Form) { f.EmergencyName = strings.Repeat("a", 101) }, map[string]string{"emergencyName": tooLong100}},
		{"emergency relation of 101", func(f *Form) { f.EmergencyRelation = strings.Repeat("a", 101) },
			map[string]string{"emergencyRelation": tooLong100}},
		{"emergency name with a NUL", func(f *Form) { f.EmergencyName = "Ana\x00" }, map[string]string{"emergencyName": "Emergency contact's name may not contain control characters."}},
		{"emergency relation with an isolate", func(f *Form) { f.EmergencyRelation = "\u2067sister" },
			map[string]string{"emergencyRelation": "Emergency contact's relation may not contain characters that change the direction of text."}},
		{"emergency phone of 2 digits", func(f *Form) { f.EmergencyPhone = "12" }, map[string]string{"emergencyPhone": badEmPhone}},
		{"emergency phone with letters", func(f *Form) { f.EmergencyPhone = "call 55555" }, map[string]string{"emergencyPhone": badEmPhone}},

		{"no allergies", func(f *Form) { f.Allergies = nil }, nil},
		{"50 allergies", func(f *Form) { f.Allergies = allergies(50) }, nil},
		{"51 allergies", func(f *Form) { f.Allergies = allergies(51) }, map[string]string{"allergies": tooMany}},
		{"an allergy of 100 letters", func(f *Form) { f.Allergies = []string{strings.Repeat("é", 100)} }, nil},
		{"an allergy of 101 letters", func(f *Form) { f.Allergies = []string{"Latex", strings.Repeat("é", 101)} },
			map[string]string{"allergies": badAllergy}},
		{"an allergy with a control character", func(f *Form) { f.Allergies = []string{"Lat\x07ex"} },
			map[string]string{"allergies": "Allergies may not contain control characters."}},
		{"an allergy not UTF-8", func(f *Form) { f.Allergies = []string{"Latex", "Peni\xffcillin"} },
			map[string]string{"allergies": "Allergies may not contain characters that are not valid UTF-8 text."}},

		{"notes of 5000", func(f *Form) { f.Notes = strings.Repeat("ñ", 5000) }, nil},
		{"notes of 5001", func(f *Form) { f.Notes = strings.Repeat("ñ", 5001) }, map[string]string{"notes": tooLongNote}},
		{"notes on several lines, with a tab", func(f *Form) { f.Notes = "Prefers mornings.\n\tNo needles." }, nil},
		{"notes of 5000 with CR LF line breaks", func(f *Form) { f.Notes = strings.Repeat("ñ\r\n", 2500) }, nil},
		{"notes with a NUL", func(f *Form) { f.Notes = "Prefers\x00mornings" }, map[string]string{"notes": "Notes may not contain control characters."}},
		{"notes with a right-to-left override", func(f *Form) { f.Notes = "Dose: \u202e01 mg" },
			map[string]string{"notes": "Notes may not contain characters that change the direction of text."}},
		{"notes not UTF-8", func(f *Form) { f.Notes = "Prefers \xc3(mornings" },
			map[string]string{"notes": "Notes may not contain characters that are not valid UTF-8 text."}},

		{"everything wrong at once", func(f *Form) {
			*f = Form{FirstName: "", LastName: strings.Repeat("x", 101), DateOfBirth: "soon", Sex: "?", Phone: "1", Email: "@",
				Address: strings.Repeat("x", 301), EmergencyName: strings.Repeat("x", 101), EmergencyPhone: "1",
				Allergies: allergies(51), Notes: strings.Repeat("x", 5001)}
		}, map[string]string{"firstName": "Enter the first name.", "lastName": tooLong100, "dateOfBirth": badDate, "sex": badSex,
			"phone": badPhone, "email": badEmail, "address": tooLongAddr, "emergencyName": tooLong100, "emergencyPhone": badEmPhone,
			"allergies": tooMany, "notes": tooLongNote}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			tc.change(&f)
			got := f.Validate(today)
			want := tc.want
			if want == nil {
				want = map[string]string{}
			}
			if !maps.Equal(got, want) {
				t.Errorf("Validate:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestValidateNeverEchoesTheValue: messages are shown beside fields and
// returned by the API in "fields"; none repeats what was typed.
// TestEmailShape: an address mail can reach has a dot in its domain, between
// two labels.
func TestEmailShape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		email string
		ok    bool
	}{
		{"zoe@example.com", true},
		{"zoe.nunez+clinic@mail.example.co.ke", true},
		{"Zoë@exämple.com", true},
		{"zoe@example", false},
		{"zoe@localhost", false},
		{"zoe@.example.com", false},
		{"zoe@example.com.", false},
		{"zoe@example..com", false},
		{"zoe.example.com", false},
		{"zoe@", false},
		{"@example.com", false},
		{"Zoe <zoe@example.com>", false},
		{"zoe@example.com, ana@example.com", false},
		{"zoe @example.com", false},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", false},
	} {
		if got := emailShape(tc.email); got != tc.ok {
			t.Errorf("emailShape(%q) = %v, want %v", tc.email, got, tc.ok)
		}
	}
}

func TestValidateNeverEchoesTheValue(t *testing.T) {
	t.Parallel()
	f := Form{FirstName: "Secret\x00", LastName: strings.Repeat("Q", 101), Phone: "SECRET-1", Email: "secret-at-example", DateOfBirth: "secret"}
	for field, msg := range f.Validate(today) {
		if strings.Contains(strings.ToLower(msg), "secret") || strings.Contains(msg, "QQQ") {
			t.Errorf("%s: message %q repeats the value", field, msg)
		}
	}
}

// What Validate accepts is stored as core/text cleans it: a textarea's
// CR LF line breaks become "\n".
func TestValidateCleansFreeText(t *testing.T) {
	t.Parallel()
	f := valid()
	f.Notes = "Prefers mornings.\r\nNo needles.\r\n"
	if errs := f.Validate(today); len(errs) != 0 {
		t.Fatal(errs)
	}
	if f.Notes != "Prefers mornings.\nNo needles." {
		t.Errorf("notes = %q", f.Notes)
	}
}

func TestFormFromValues(t *testing.T) {
	t.Parallel()
	v := map[string]string{"firstName": "  Zoë ", "lastName": "Núñez\t", "dateOfBirth": " 1984-07-23 ", "sex": "female",
		"phone": " 555 0102 ", "email": " zoe@example.com ", "allergies": "Penicillin\r\n latex \n\nPENICILLIN", "notes": "  n  ", "version": "7"}
	f := FormFromValues(func(k string) string { return v[k] })
	want := Form{FirstName: "Zoë", LastName: "Núñez", DateOfBirth: "1984-07-23", Sex: "female", Phone: "555 0102", Email: "zoe@example.com",
		Allergies: []string{"Penicillin", "latex"}, Notes: "n", Version: 7}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("FormFromValues:\n got %#v\nwant %#v", f, want)
	}
	if f := FormFromValues(func(string) string { return "" }); f.Version != 0 || f.Allergies == nil {
		t.Errorf("empty form: version %d, allergies %#v", f.Version, f.Allergies)
	}
	if f := FormFromValues(func(k string) string { return map[string]string{"version": "x1"}[k] }); f.Version != 0 {
		t.Errorf("version x1 read as %d", f.Version)
	}
}

func TestNormalizeJSONForm(t *testing.T) {
	t.Parallel()
	f := Form{FirstName: " Zoë ", LastName: " Núñez ", Allergies: []string{" Latex ", "latex", "", "Peanuts, Eggs"}}
	f.normalize()
	if f.FirstName != "Zoë" || f.LastName != "Núñez" || !slices.Equal(f.Allergies, []string{"Latex", "Peanuts", "Eggs"}) {
		t.Errorf("normalize: %#v", f)
	}
}

func TestApplySetsSearchKeys(t *testing.T) {
	t.Parallel()
	f := Form{FirstName: "Zoë", LastName: "Núñez", DateOfBirth: "1984-07-23", Phone: "+1 (555) 010-2030", Email: "Zoe.Nunez@Example.com"}
	var p Patient
	f.Apply(&p)
	if p.FirstKey != "zoe" || p.LastKey != "nunez" || p.PhoneDigits != "15550102030" || p.PhoneRev != "03020105551" || p.EmailKey != "zoe.nunez@example.com" {
		t.Errorf("keys: %q %q %q %q %q", p.FirstKey, p.LastKey, p.PhoneDigits, p.PhoneRev, p.EmailKey)
	}
	if !p.DateOfBirth.Equal(time.Date(1984, 7, 23, 0, 0, 0, 0, time.UTC)) || p.Allergies == nil {
		t.Errorf("dob %v allergies %#v", p.DateOfBirth, p.Allergies)
	}
	// Clearing a field clears its key and the date.
	f = Form{FirstName: "Zoë", LastName: "Núñez"}
	f.Apply(&p)
	if p.PhoneDigits != "" || p.PhoneRev != "" || p.EmailKey != "" || !p.DateOfBirth.IsZero() {
		t.Errorf("cleared: %q %q %q %v", p.PhoneDigits, p.PhoneRev, p.EmailKey, p.DateOfBirth)
	}
	// The edit form round-trips the patient.
	f = valid()
	f.Apply(&p)
	back := FormFromPatient(&p)
	f.Version = back.Version
	if !reflect.DeepEqual(back, f) {
		t.Errorf("FormFromPatient(Apply(f)):\n got %#v\nwant %#v", back, f)
	}
}

func TestChangedFields(t *testing.T) {
	t.Parallel()
	a := valid()
	b := valid()
	b.Phone, b.Allergies, b.EmergencyRelation = "555 999 0000", []string{"Latex"}, "brother"
	got := diff(a, b).Names()
	if want := []string{"phone", "emergency contact", "allergies"}; !slices.Equal(got, want) {
		t.Errorf("changed fields = %v, want %v", got, want)
	}
	if d := diff(a, b); d[1].Value != "Ana Núñez · brother · 555 010 9999" || d[2].Value != "Latex" {
		t.Errorf("changed values: %+v", d)
	}
	if got := diff(a, valid()).Names(); len(got) != 0 {
		t.Errorf("no change: %v", got)
	}
}

func TestSplitAllergies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"   \n , ; \n", []string{}},
		{"Penicillin", []string{"Penicillin"}},
		{"Penicillin\nLatex", []string{"Penicillin", "Latex"}},
		{"Penicillin\r\nLatex\r\n", []string{"Penicillin", "Latex"}},
		{"Peanuts, Eggs; Shellfish", []string{"Peanuts", "Eggs", "Shellfish"}},
		{"  Latex  \n\n\n  Aspirin ", []string{"Latex", "Aspirin"}},
		{"Penicillin\npenicillin\nPENICILLIN", []string{"Penicillin"}},
		{"Pénicilline\npenicilline", []string{"Pénicilline"}},
		{"Sulfonamides (sulfa drugs)", []string{"Sulfonamides (sulfa drugs)"}},
	}
	for _, tc := range cases {
		got := SplitAllergies(tc.in)
		if got == nil || !slices.Equal(got, tc.want) {
			t.Errorf("SplitAllergies(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// checkStrings fails the test for every input of cases that f does not
// turn into its value.
func checkStrings(t *testing.T, name string, f func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
		}
	}
}

// Fold builds its transformer per call; many requests fold at once.
func TestFoldConcurrently(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 200 {
				if got := text.Fold("Zoë Núñez"); got != "zoe nunez" {
					t.Errorf("goroutine %d: %q", i, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDigits(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                  "",
		"abc":               "",
		"+1 (555) 010-2030": "15550102030",
		"555 010 2030":      "5550102030",
		"P-000042":          "000042",
		"٣٤٥":               "", // only ASCII digits are phone digits
		"0044 20 7946 0000": "00442079460000",
	}
	checkStrings(t, "Digits", Digits, cases)
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"john doe", "john doe", 0},
		{"jon doe", "john doe", 1},
		{"john doe", "jon doe", 1},
		{"jhon doe", "john doe", 2}, // a transposition is two edits
		{"john doe", "john dow", 1},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"zoë", "zoe", 1}, // runes, not bytes
		{"ñ", "n", 1},
		{"jane doe", "john doe", 3},
	}
	for _, tc := range cases {
		if got := text.EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("text.EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func nameWord(w string) db.Filter {
	return db.Or(db.Prefix("lastKey", w), db.Prefix("firstKey", w))
}

// phone is the search for digits d: a phone starting with them, a phone
// ending with them (its reversed digits, rev, starting with rev), and the
// patient number n when withNumber.
func phone(d, rev string, n int64, withNumber bool) db.Filter {
	or := []db.Filter{db.Prefix("phoneDigits", d), db.Prefix("phoneRev", rev)}
	if withNumber {
		or = append(or, db.Eq("number", n))
	}
	return db.Or(or...)
}

func TestSearchFilter(t *testing.T) {
	t.Parallel()
	number := func(n int64) db.Filter { return db.Eq("number", n) }
	cases := []struct {
		q    string
		want db.Filter
	}{
		{"", db.Filter{}},
		{"   ", db.Filter{}},
		{"P-000042", number(42)},
		{"p-42", number(42)},
		{"P000042", number(42)},
		{" p42 ", number(42)},
		{"P-000002", number(2)},
		{"555 0102", phone("5550102", "2010555", 5550102, true)},
		{"+1 (555) 010-2030", phone("15550102030", "03020105551", 15550102030, true)},
		{"1234567890123", phone("1234567890123", "3210987654321", 0, false)}, // too long to be a patient number
		{"000042", phone("000042", "240000", 42, true)},
		{"zoe@ex", db.Prefix("emailKey", "zoe@ex")},
		{"Zoe.N@Example", db.Prefix("emailKey", "zoe.n@example")},
		{"zoe", db.And(nameWord("zoe"))},
		{"ZOË", db.And(nameWord("zoe"))},
		{"zo nu", db.And(nameWord("zo"), nameWord("nu"))},
		{"  Núñez   Zoë ", db.And(nameWord("nunez"), nameWord("zoe"))},
		{"a b c d e f", db.And(nameWord("a"), nameWord("b"), nameWord("c"), nameWord("d"))},
		// Typed punctuation is taken literally: a prefix is a string, never
		// a pattern, so no one can inject one.
		{"a.b*", db.Or(db.And(nameWord("a.b*")), db.Prefix("emailKey", "a.b*"))},
		// One word with an email's punctuation is a name or an address.
		{"zoe.nunez", db.Or(db.And(nameWord("zoe.nunez")), db.Prefix("emailKey", "zoe.nunez"))},
		{"(", db.And(nameWord("("))},
		{"o'brien", db.And(nameWord("o'brien"))},
	}
	for _, tc := range cases {
		if got := searchFilter(tc.q); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("searchFilter(%q)\n got %v\nwant %v", tc.q, got, tc.want)
		}
	}
}

// TestSearchFilterShortBareNumberIsAPatientNumber: searchFilter's comment
// promises that "42" finds patient P-000042, but a bare number of one or two
// digits is neither the P- pattern nor long enough (3 digits) for the phone
// branch, so it becomes a name search that matches nobody.
func TestSearchFilterShortBareNumberIsAPatientNumber(t *testing.T) {
	t.Parallel()
	for q, n := range map[string]int64{"2": 2, "42": 42, "07": 7} {
		if f := searchFilter(q); !reflect.DeepEqual(f, db.Eq("number", n)) {
			t.Errorf("searchFilter(%q) = %v: does not look for patient number %d", q, f, n)
		}
	}
}

func TestAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		dob  time.Time
		want int
	}{
		{time.Time{}, -1},
		{time.Date(1985, 7, 23, 0, 0, 0, 0, time.UTC), 40},
		{time.Date(1985, 3, 2, 0, 0, 0, 0, time.UTC), 41},
		{time.Date(1985, 3, 3, 0, 0, 0, 0, time.UTC), 40},
		{time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC), 41},
		{time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 0},
	}
	for _, tc := range cases {
		p := Patient{DateOfBirth: tc.dob}
		if got := p.Age(now); got != tc.want {
			t.Errorf("Age(%v) = %d, want %d", tc.dob, got, tc.want)
		}
	}
	if got := FormatNumber(42); got != "P-000042" {
		t.Errorf("FormatNumber = %q", got)
	}
}

// TestAgeOnBirthdayAcrossLeapYears: Patient.Age compares days of the year,
// which shift by one after 28 February in leap years. Someone born on
// 2 March 1984 (a leap year) is 42 on 2 March 2026, but Age says 41; someone
// born on 1 March 2001 is still 22 on 29 February 2024, but Age says 23.
func TestAgeOnBirthdayAcrossLeapYears(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dob, now time.Time
		want     int
	}{
		{time.Date(1984, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 42},
		{time.Date(2000, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), 26},
		{time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 9, 0, 0, 0, time.UTC), 22},
	}
	for _, tc := range cases {
		p := Patient{DateOfBirth: tc.dob}
		if got := p.Age(tc.now); got != tc.want {
			t.Errorf("born %s, on %s: Age = %d, want %d", tc.dob.Format(time.DateOnly), tc.now.Format(time.DateOnly), got, tc.want)
		}
	}
}

// TestSearchFilterEmailWithDigitsIsAnEmail: a query with "@" is an email,
// but searchFilter tries the phone branch first, and an address whose local
// part is mostly digits ("5551234567@vtext.com", an SMS gateway) passes its
// "at least half digits" test, so it is searched as phone digits instead.
func TestSearchFilterEmailWithDigitsIsAnEmail(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"5551234567@vtext.com", "123456@x.io"} {
		want := db.Prefix("emailKey", q)
		if got := searchFilter(q); !reflect.DeepEqual(got, want) {
			t.Errorf("searchFilter(%q) = %v, want %v", q, got, want)
		}
	}
}

// "In the future" is by the clinic's calendar: at the same instant it may
// already be tomorrow in Auckland and still yesterday in Los Angeles.
func TestValidateDateOfBirthInTheClinicsZone(t *testing.T) {
	t.Parallel()
	instant := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone, dob string
		future    bool
	}{
		{"Pacific/Auckland", "2026-03-03", false}, // 09:00 on 3 March there
		{"Pacific/Auckland", "2026-03-04", true},
		{"America/Los_Angeles", "2026-03-02", false}, // 12:00 on 2 March there
		{"America/Los_Angeles", "2026-03-03", true},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		f := Form{FirstName: "Baby", LastName: "Doe", DateOfBirth: tc.dob}
		_, future := f.Validate(instant.In(loc))["dateOfBirth"]
		if future != tc.future {
			t.Errorf("born %s, now %s in %s: refused as future = %v, want %v", tc.dob, instant.In(loc).Format(time.DateTime), tc.zone, future, tc.future)
		}
	}
}
