package onboarding

import (
	"strings"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/settings"
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
	if msg := settings.CheckTimezone(f.Timezone); msg != "" {
		errs["timezone"] = msg
	}
	if msg := settings.CheckCurrency(f.Currency); msg != "" {
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
