// Package money reads and writes amounts kept as integers in the minor unit
// of a currency: 2550 is 25.50 USD, 2550 JPY (no minor unit), 2.550 KWD
// (three digits). Ward never keeps money in floating point.
package money

import (
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Digits is how many decimals a currency's amounts have (ISO 4217: JPY 0,
// USD 2, KWD 3); an unknown code has 2.
func Digits(code string) int {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	digits, _ := currency.Standard.Rounding(unit)
	return digits
}

// Parse reads an amount typed with at most digits decimals as a whole number
// of minor units: Parse("12.5", 2) is 1250. No sign and no thousands
// separators; at most twelve whole digits.
func Parse(s string, digits int) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if len(frac) > digits || whole+frac == "" || len(whole) > 12 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	n, err := strconv.ParseUint(whole+frac+strings.Repeat("0", digits-len(frac)), 10, 63)
	return int64(n), err == nil
}

// Decimal writes n minor units with digits decimals: Decimal(1250, 2) is
// "12.50", Decimal(-5, 2) is "-0.05".
func Decimal(n int64, digits int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatUint(uint64(n), 10)
	if digits <= 0 {
		return sign + s
	}
	s = strings.Repeat("0", max(0, digits+1-len(s))) + s
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// Format writes an amount of a currency for people: the code, then the
// amount with its decimals and thousands grouped ("USD 1,234.50", "JPY 1,200").
func Format(n int64, code string) string {
	s := Decimal(n, Digits(code))
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if frac != "" {
		whole += "." + frac
	}
	return code + " " + sign + whole
}

// Percent writes basis points as a percentage without trailing zeros:
// Percent(1250) is "12.5", Percent(1600) is "16".
func Percent(bp int64) string {
	return strings.TrimSuffix(strings.TrimRight(Decimal(bp, 2), "0"), ".")
}
