// Package money reads and writes amounts kept as integers in the minor unit
// of a currency: 2550 is 25.50 USD, 2550 JPY (no minor unit), 2.550 KWD
// (three digits). Ward never keeps money in floating point.
package money

import (
	"strconv"
	"strings"
)

// Digits is how many decimals a currency's amounts have, as ISO 4217 says
// (JPY 0, USD 2, KWD 3, CLF 4); any other code has 2. The table is Ward's
// own, not a library's: stored amounts must never change meaning with a
// dependency's data.
func Digits(code string) int {
	if d, ok := isoDigits[code]; ok {
		return d
	}
	return 2
}

// isoDigits are the ISO 4217 currencies whose minor unit is not 2 digits.
var isoDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
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
// amount with its decimals and thousands grouped ("USD 1,234.50", "JPY 1,200";
// without a code, "1,234.50").
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
	if code == "" {
		return sign + whole
	}
	return code + " " + sign + whole
}

// Percent writes basis points as a percentage without trailing zeros:
// Percent(1250) is "12.5", Percent(1600) is "16".
func Percent(bp int64) string {
	return strings.TrimSuffix(strings.TrimRight(Decimal(bp, 2), "0"), ".")
}
