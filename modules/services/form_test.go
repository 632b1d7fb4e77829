package services

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestFormParse(t *testing.T) {
	t.Parallel()
	ok := Form{Name: "Consultation", Code: "cons-1", Minutes: "20", Price: "25.50", TaxRate: "16"}
	with := func(change func(*Form)) Form { f := ok; change(&f); return f }
	cases := []struct {
		name   string
		form   Form
		digits int
		want   Fields   // when valid
		errs   []string // the fields with a message
	}{
		{name: "valid, code upper-cased", form: ok, digits: 2,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 2550, TaxRate: 1600}},
		{name: "whole amount", form: with(func(f *Form) { f.Price = "25" }), digits: 2,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 2500, TaxRate: 1600}},
		{name: "one decimal, half a percent", form: with(func(f *Form) { f.Price, f.TaxRate = "25.5", "12.5" }), digits: 2,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 2550, TaxRate: 1250}},
		{name: "free, untaxed", form: with(func(f *Form) { f.Price, f.TaxRate = "0", "" }), digits: 2,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20}},
		{name: "yen have no decimals", form: with(func(f *Form) { f.Price = "3000" }), digits: 0,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 3000, TaxRate: 1600}},
		{name: "dinars have three", form: with(func(f *Form) { f.Price = "1.25" }), digits: 3,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 1250, TaxRate: 1600}},
		{name: "limits", form: Form{Name: strings.Repeat("n", 100), Code: strings.Repeat("A", 20), Minutes: "720", Price: "999999999999.99", TaxRate: "100"}, digits: 2,
			want: Fields{Name: strings.Repeat("n", 100), Code: strings.Repeat("A", 20), Minutes: 720, Price: 99999999999999, TaxRate: 10000}},
		{name: "name and code trimmed", form: with(func(f *Form) { f.Name, f.Code = "  Consultation ", " cons-1 " }), digits: 2,
			want: Fields{Name: "Consultation", Code: "CONS-1", Minutes: 20, Price: 2550, TaxRate: 1600}},

		{name: "empty form", form: Form{}, digits: 2, errs: []string{"code", "minutes", "name", "price"}},
		{name: "name too long", form: with(func(f *Form) { f.Name = strings.Repeat("n", 101) }), digits: 2, errs: []string{"name"}},
		{name: "name hides text", form: with(func(f *Form) { f.Name = "Consult\u202eation" }), digits: 2, errs: []string{"name"}},
		{name: "code too long", form: with(func(f *Form) { f.Code = strings.Repeat("A", 21) }), digits: 2, errs: []string{"code"}},
		{name: "code with a space", form: with(func(f *Form) { f.Code = "CONS 1" }), digits: 2, errs: []string{"code"}},
		{name: "code with an accent", form: with(func(f *Form) { f.Code = "CONSÉ" }), digits: 2, errs: []string{"code"}},
		{name: "no minutes", form: with(func(f *Form) { f.Minutes = "0" }), digits: 2, errs: []string{"minutes"}},
		{name: "too many minutes", form: with(func(f *Form) { f.Minutes = "721" }), digits: 2, errs: []string{"minutes"}},
		{name: "minutes not whole", form: with(func(f *Form) { f.Minutes = "20.5" }), digits: 2, errs: []string{"minutes"}},
		{name: "negative price", form: with(func(f *Form) { f.Price = "-1" }), digits: 2, errs: []string{"price"}},
		{name: "too many decimals", form: with(func(f *Form) { f.Price = "25.505" }), digits: 2, errs: []string{"price"}},
		{name: "decimals in yen", form: with(func(f *Form) { f.Price = "30.5" }), digits: 0, errs: []string{"price"}},
		{name: "thousands separator", form: with(func(f *Form) { f.Price = "1,000" }), digits: 2, errs: []string{"price"}},
		{name: "decimal comma", form: with(func(f *Form) { f.Price = "25,50" }), digits: 2, errs: []string{"price"}},
		{name: "just a point", form: with(func(f *Form) { f.Price = "." }), digits: 2, errs: []string{"price"}},
		{name: "a sign", form: with(func(f *Form) { f.Price = "+5" }), digits: 2, errs: []string{"price"}},
		{name: "huge price", form: with(func(f *Form) { f.Price = "1" + strings.Repeat("0", 12) }), digits: 2, errs: []string{"price"}},
		{name: "tax over 100", form: with(func(f *Form) { f.TaxRate = "100.01" }), digits: 2, errs: []string{"taxRate"}},
		{name: "tax with a percent sign", form: with(func(f *Form) { f.TaxRate = "16%" }), digits: 2, errs: []string{"taxRate"}},
		{name: "negative tax", form: with(func(f *Form) { f.TaxRate = "-5" }), digits: 2, errs: []string{"taxRate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := tc.form.Parse(tc.digits)
			if keys := slices.Sorted(maps.Keys(errs)); !slices.Equal(keys, tc.errs) {
				t.Fatalf("messages for %v, want %v: %v", keys, tc.errs, errs)
			}
			for k, msg := range errs {
				if msg == "" {
					t.Errorf("%s: message %q", k, msg)
				}
			}
			if len(tc.errs) == 0 && got != tc.want {
				t.Errorf("fields = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The API sends the units it stores: its own limits are those of the form.
func TestFieldsValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   Fields
		errs []string
	}{
		{Fields{Name: "X-ray", Code: "xr", Minutes: 15, Price: 0, TaxRate: 0}, nil},
		{Fields{Name: "X-ray", Code: "XR", Minutes: 15, Price: 1, TaxRate: 10000}, nil},
		{Fields{Name: "X-ray", Code: "XR", Minutes: 15, Price: -1, TaxRate: 10001}, []string{"price", "taxRate"}},
		{Fields{Name: "", Code: "X_R", Minutes: 721, TaxRate: -1}, []string{"code", "minutes", "name", "taxRate"}},
	}
	for _, tc := range cases {
		in := tc.in
		errs := in.Validate()
		if keys := slices.Sorted(maps.Keys(errs)); !slices.Equal(keys, tc.errs) {
			t.Errorf("%+v: messages for %v, want %v", tc.in, keys, tc.errs)
		}
		if len(errs) == 0 && in.Code != strings.ToUpper(tc.in.Code) {
			t.Errorf("code stored as %q", in.Code)
		}
	}
}

// A saved service is shown in the clinic's currency and percent.
func TestFormOf(t *testing.T) {
	t.Parallel()
	s := &Service{Fields: Fields{Name: "Dressing", Code: "DR", Minutes: 10, Price: 1250, TaxRate: 1250}}
	s.Version, s.Active = 3, true
	if f := formOf(s, 3); f.Price != "1.250" || f.TaxRate != "12.5" || f.Minutes != "10" || f.Version != 3 || !f.Active {
		t.Errorf("formOf = %+v", f)
	}
	for bp, want := range map[int]string{0: "0", 1600: "16", 1250: "12.5", 1: "0.01", 10000: "100"} {
		s.TaxRate = bp
		if got := formOf(s, 2).TaxRate; got != want {
			t.Errorf("tax %d bp shown as %q, want %q", bp, got, want)
		}
	}
}
