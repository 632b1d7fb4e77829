package onboarding

import (
	"strings"
	"time"

	// The IANA time zone database, built in: the machine may have none.
	_ "time/tzdata"

	"golang.org/x/text/currency"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/text"
)

// Form is the onboarding form, as typed.
type Form struct {
	ClinicName    string
	Subdomain     string
	AdminName     string
	AdminEmail    string
	AdminPassword string
	Timezone      string
	Currency      string
}

// maxTimezone is the longest time zone name accepted.
const maxTimezone = 64

// adminName is the first administrator's name (the clinic's name follows
// tenant.CheckClinicName).
var adminName = text.Field{Label: "Your name", Max: 100, Required: true, Missing: "Enter your name."}

// formFromValues reads the form fields, trimmed; the password is kept as
// typed (spaces are characters too).
func formFromValues(get func(string) string) Form {
	return Form{
		ClinicName:    strings.TrimSpace(get("clinicName")),
		Subdomain:     strings.ToLower(strings.TrimSpace(get("subdomain"))),
		AdminName:     strings.TrimSpace(get("adminName")),
		AdminEmail:    strings.TrimSpace(get("adminEmail")),
		AdminPassword: get("adminPassword"),
		Timezone:      strings.TrimSpace(get("timezone")),
		Currency:      strings.ToUpper(strings.TrimSpace(get("currency"))),
	}
}

// Validate checks every field on its own (availability of the subdomain is
// checked by the caller) and returns field → message; empty means valid.
// On success the email is normalized.
func (f *Form) Validate() map[string]string {
	errs := map[string]string{}
	clean(errs, "clinicName", &f.ClinicName, tenant.CheckClinicName)
	if msg := checkSubdomain(f.Subdomain); msg != "" {
		errs["subdomain"] = msg
	}
	clean(errs, "adminName", &f.AdminName, adminName.Check)
	clean(errs, "adminEmail", &f.AdminEmail, auth.NormalizeEmail)
	if msg := auth.CheckNewPassword(f.AdminPassword, f.ClinicName, f.AdminEmail, f.AdminName, f.Subdomain); msg != "" {
		errs["adminPassword"] = msg
	}
	if msg := checkTimezone(f.Timezone); msg != "" {
		errs["timezone"] = msg
	}
	if msg := checkCurrency(f.Currency); msg != "" {
		errs["currency"] = msg
	}
	return errs
}

// clean puts the clean value check makes of *v in *v, or check's message
// in errs[field] (and leaves *v as typed).
func clean(errs map[string]string, field string, v *string, check func(string) (string, string)) {
	if c, msg := check(*v); msg != "" {
		errs[field] = msg
	} else {
		*v = c
	}
}

func checkSubdomain(s string) string {
	if msg := tenant.CheckSubdomain(s); msg != "" {
		return msg
	}
	if tenant.Reserved(s) {
		return "This address is reserved. Please choose another."
	}
	return ""
}

func checkTimezone(s string) string {
	if s == "" {
		return "Choose the clinic's time zone."
	}
	if len(s) > maxTimezone || s == "Local" || (s != "UTC" && !strings.Contains(s, "/")) {
		return "Choose a time zone such as Europe/London or America/New_York."
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "Unknown time zone. Choose one such as Europe/London or America/New_York."
	}
	return ""
}

// notMoney are ISO 4217 codes that are not currencies a clinic bills in.
var notMoney = map[string]bool{"XXX": true, "XTS": true, "XAU": true, "XAG": true, "XPD": true, "XPT": true,
	"XDR": true, "XBA": true, "XBB": true, "XBC": true, "XBD": true, "XSU": true, "XUA": true}

func checkCurrency(s string) string {
	if s == "" {
		return "Choose the currency the clinic bills in."
	}
	if len(s) != 3 || notMoney[s] {
		return "Use a three-letter ISO 4217 currency code such as USD, EUR or KES."
	}
	if _, err := currency.ParseISO(s); err != nil {
		return "Unknown currency code. Use a three-letter ISO 4217 code such as USD, EUR or KES."
	}
	return ""
}

// Suggestions shown in the form's lists; any valid value is accepted.
var (
	commonTimezones = []string{
		"UTC", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "America/Bogota",
		"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City", "America/New_York",
		"America/Sao_Paulo", "America/Toronto", "Asia/Dhaka", "Asia/Dubai", "Asia/Jakarta", "Asia/Karachi",
		"Asia/Kolkata", "Asia/Manila", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
		"Europe/Berlin", "Europe/Istanbul", "Europe/London", "Europe/Madrid", "Europe/Paris", "Pacific/Auckland",
	}
	commonCurrencies = []string{"USD", "EUR", "GBP", "INR", "KES", "NGN", "ZAR", "EGP", "AED", "PKR", "BDT", "PHP", "IDR", "BRL", "MXN", "CAD", "AUD", "JPY", "CNY"}
)
