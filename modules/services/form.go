package services

import (
	"cmp"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/wardclinic/ward/core/money"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/text"
)

// Form is the service form as typed: the price is an amount in the
// clinic's currency ("25.50"), the tax rate a percentage ("12.5").
type Form struct {
	ID                                  string // empty for a new service
	Name, Code, Minutes, Price, TaxRate string
	Version                             int64 // the version an edit started from
	Active                              bool  // shown, not typed
}

// FormFrom reads the HTML form.
func FormFrom(get func(string) string) Form {
	v, _ := strconv.ParseInt(get("version"), 10, 64)
	t := func(k string) string { return strings.TrimSpace(get(k)) }
	return Form{Name: t("name"), Code: t("code"), Minutes: t("minutes"), Price: t("price"), TaxRate: t("taxRate"), Version: v}
}

// formOf is a saved service as the pages show it, in a currency with
// digits decimals.
func formOf(s *Service, digits int) Form {
	return Form{ID: s.ID, Name: s.Name, Code: s.Code, Minutes: strconv.Itoa(s.Minutes), Price: money.Decimal(s.Price, digits),
		TaxRate: money.Percent(int64(s.TaxRate)), Version: s.Version, Active: s.Active}
}

// Parse reads the form for a currency with digits decimals and validates
// it: errs is empty when the fields may be saved.
func (f Form) Parse(digits int) (in Fields, errs map[string]string) {
	minutes, err := strconv.Atoi(f.Minutes)
	if err != nil {
		minutes = -1 // out of range: Validate says what to type
	}
	price, priceOK := money.Parse(f.Price, digits)
	tax, taxOK := money.Parse(cmp.Or(f.TaxRate, "0"), 2) // no tax unless one is typed
	in = Fields{Name: f.Name, Code: f.Code, Minutes: minutes, Price: price, TaxRate: int(min(tax, math.MaxInt32))}
	errs = in.Validate()
	if !priceOK {
		errs["price"] = "Enter the price as an amount such as " + money.Decimal(1250*int64(math.Pow10(digits))/100, digits) + "."
	}
	if !taxOK {
		errs["taxRate"] = "Enter the tax rate in percent, such as 16 or 12.5."
	}
	return in, errs
}

var (
	name = text.Field{Label: "Name", Max: 100, Required: true}
	code = regexp.MustCompile(`^[A-Z0-9-]{1,20}$`)
)

// Validate checks the fields, trims the name and upper-cases the code; it
// returns field → message, empty when the fields may be saved.
func (in *Fields) Validate() map[string]string {
	errs := map[string]string{}
	if clean, msg := name.Check(in.Name); msg != "" {
		errs["name"] = msg
	} else {
		in.Name = clean
	}
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if !code.MatchString(in.Code) {
		errs["code"] = "Enter a code of up to 20 letters, digits and hyphens, such as CONS-1."
	}
	if in.Minutes < 1 || in.Minutes > 720 {
		errs["minutes"] = "Enter the duration in whole minutes, from 1 to 720."
	}
	if in.Price < 0 {
		errs["price"] = "The price cannot be negative."
	}
	if in.TaxRate < 0 || in.TaxRate > 10000 {
		errs["taxRate"] = "The tax rate is from 0 to 100 percent."
	}
	return errs
}

// diff lists the fields of b that differ from a, with b's values.
func diff(a, b Form) records.Changes {
	var c records.Changes
	c.Add("name", a.Name != b.Name, b.Name)
	c.Add("code", a.Code != b.Code, b.Code)
	c.Add("minutes", a.Minutes != b.Minutes, b.Minutes)
	c.Add("price", a.Price != b.Price, b.Price)
	c.Add("tax rate", a.TaxRate != b.TaxRate, b.TaxRate+" %")
	return c
}
