package money_test

import (
	"math"
	"testing"

	"github.com/wardclinic/ward/core/money"
)

func TestDigits(t *testing.T) {
	for code, want := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "KES": 2, "IDR": 2, "PKR": 2, "COP": 2,
		"IQD": 3, "BHD": 3, "CLP": 0, "KRW": 0, "VND": 0, "CLF": 4, "nope": 2} {
		if got := money.Digits(code); got != want {
			t.Errorf("Digits(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in     string
		digits int
		want   int64
		ok     bool
	}{
		{"12.5", 2, 1250, true},
		{"12.50", 2, 1250, true},
		{"12", 2, 1200, true},
		{".5", 2, 50, true},
		{"7.", 2, 700, true},
		{" 3 ", 2, 300, true},
		{"1200", 0, 1200, true},
		{"1.250", 3, 1250, true},
		{"0", 2, 0, true},
		{"12.505", 2, 0, false},
		{"1.5", 0, 0, false},
		{"", 2, 0, false},
		{".", 2, 0, false},
		{"-1", 2, 0, false},
		{"+1", 2, 0, false},
		{"1,000", 2, 0, false},
		{"1e3", 2, 0, false},
		{"1234567890123", 2, 0, false},
		{"999999999999.99", 2, 99999999999999, true},
	} {
		got, ok := money.Parse(tc.in, tc.digits)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q, %d) = %d, %v; want %d, %v", tc.in, tc.digits, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDecimalAndFormat(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		digits int
		want   string
	}{{1250, 2, "12.50"}, {5, 2, "0.05"}, {0, 2, "0.00"}, {-5, 2, "-0.05"}, {1200, 0, "1200"}, {1250, 3, "1.250"}} {
		if got := money.Decimal(tc.n, tc.digits); got != tc.want {
			t.Errorf("Decimal(%d, %d) = %q, want %q", tc.n, tc.digits, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int64
		code string
		want string
	}{
		{123450, "USD", "USD 1,234.50"},
		{1200, "JPY", "JPY 1,200"},
		{1250, "KWD", "KWD 1.250"},
		{-100000000, "EUR", "EUR -1,000,000.00"},
		{math.MinInt64 + 1, "JPY", "JPY -9,223,372,036,854,775,807"},
		{123450, "", "1,234.50"},
	} {
		if got := money.Format(tc.n, tc.code); got != tc.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tc.n, tc.code, got, tc.want)
		}
	}
	for bp, want := range map[int64]string{1250: "12.5", 1600: "16", 0: "0", 5: "0.05", 10000: "100"} {
		if got := money.Percent(bp); got != want {
			t.Errorf("Percent(%d) = %q, want %q", bp, got, want)
		}
	}
}

// What Decimal writes, Parse reads back.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		digits int
	}{{0, 2}, {5, 2}, {2550, 2}, {100, 0}, {1250, 3}, {7, 3}, {123456789, 2}} {
		s := money.Decimal(tc.n, tc.digits)
		if got, ok := money.Parse(s, tc.digits); !ok || got != tc.n {
			t.Errorf("Parse(Decimal(%d, %d) = %q) = %d, %v", tc.n, tc.digits, s, got, ok)
		}
	}
}
