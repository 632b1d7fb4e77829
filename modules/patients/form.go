package patients

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Form is the patient form as typed; the same fields come from the HTML form
// and the JSON API.
type Form struct {
	FirstName         string   `json:"firstName"`
	LastName          string   `json:"lastName"`
	DateOfBirth       string   `json:"dateOfBirth"` // YYYY-MM-DD
	Sex               string   `json:"sex"`
	Phone             string   `json:"phone"`
	Email             string   `json:"email"`
	Address           string   `json:"address"`
	EmergencyName     string   `json:"emergencyName"`
	EmergencyPhone    string   `json:"emergencyPhone"`
	EmergencyRelation string   `json:"emergencyRelation"`
	Allergies         []string `json:"allergies"`
	Notes             string   `json:"notes"`
	Version           int64    `json:"version"` // the version the edit started from
}

// Field limits.
const (
	maxName      = 100
	maxShort     = 100
	maxAddress   = 300
	maxNotes     = 5000
	maxAllergy   = 100
	maxAllergies = 50
)

// FormFromValues reads the HTML form. Allergies come one per line (or
// comma-separated) from a textarea.
func FormFromValues(get func(string) string) Form {
	v, _ := strconv.ParseInt(get("version"), 10, 64)
	return Form{
		FirstName:         strings.TrimSpace(get("firstName")),
		LastName:          strings.TrimSpace(get("lastName")),
		DateOfBirth:       strings.TrimSpace(get("dateOfBirth")),
		Sex:               strings.TrimSpace(get("sex")),
		Phone:             strings.TrimSpace(get("phone")),
		Email:             strings.TrimSpace(get("email")),
		Address:           strings.TrimSpace(get("address")),
		EmergencyName:     strings.TrimSpace(get("emergencyName")),
		EmergencyPhone:    strings.TrimSpace(get("emergencyPhone")),
		EmergencyRelation: strings.TrimSpace(get("emergencyRelation")),
		Allergies:         SplitAllergies(get("allergies")),
		Notes:             strings.TrimSpace(get("notes")),
		Version:           v,
	}
}

// SplitAllergies splits a textarea into a clean list: one per line or comma,
// trimmed, empty and repeated entries dropped.
func SplitAllergies(s string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		a = strings.TrimSpace(a)
		if a == "" || seen[Fold(a)] {
			continue
		}
		seen[Fold(a)] = true
		out = append(out, a)
	}
	return out
}

// normalize trims a form that came as JSON the way FormFromValues trims an
// HTML form.
func (f *Form) normalize() {
	for _, s := range []*string{&f.FirstName, &f.LastName, &f.DateOfBirth, &f.Sex, &f.Phone, &f.Email, &f.Address,
		&f.EmergencyName, &f.EmergencyPhone, &f.EmergencyRelation, &f.Notes} {
		*s = strings.TrimSpace(*s)
	}
	f.Allergies = SplitAllergies(strings.Join(f.Allergies, "\n"))
}

// FormFromPatient fills the edit form.
func FormFromPatient(p *Patient) Form {
	f := Form{
		FirstName: p.FirstName, LastName: p.LastName, Sex: p.Sex, Phone: p.Phone, Email: p.Email, Address: p.Address,
		EmergencyName: p.EmergencyContact.Name, EmergencyPhone: p.EmergencyContact.Phone, EmergencyRelation: p.EmergencyContact.Relation,
		Allergies: p.Allergies, Notes: p.Notes, Version: p.Version,
	}
	if !p.DateOfBirth.IsZero() {
		f.DateOfBirth = p.DateOfBirth.Format(time.DateOnly)
	}
	return f
}

// AllergiesText is the allergies as the textarea shows them.
func (f Form) AllergiesText() string { return strings.Join(f.Allergies, "\n") }

// Validate checks the form and returns field → message; when it is empty,
// Apply may be called. now is in the clinic's time zone: a date of birth is
// in the future by the clinic's calendar, not the server's.
func (f *Form) Validate(now time.Time) map[string]string {
	errs := map[string]string{}
	name := func(field, v, what string) {
		switch {
		case v == "":
			errs[field] = "Enter the " + what + "."
		case utf8.RuneCountInString(v) > maxName:
			errs[field] = "Use at most 100 characters."
		case !printable(v):
			errs[field] = "Use letters, spaces, hyphens and apostrophes."
		}
	}
	name("firstName", f.FirstName, "first name")
	name("lastName", f.LastName, "last name")

	if f.DateOfBirth != "" {
		d, err := time.Parse(time.DateOnly, f.DateOfBirth)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case err != nil && datePattern.MatchString(f.DateOfBirth):
			errs["dateOfBirth"] = "There is no such date. Check the day and the month."
		case err != nil:
			errs["dateOfBirth"] = "Enter the date as YYYY-MM-DD, for example 1984-07-23."
		case d.After(today):
			errs["dateOfBirth"] = "The date of birth cannot be in the future."
		case d.Year() < 1900:
			errs["dateOfBirth"] = "The date of birth cannot be before 1900."
		}
	}
	switch f.Sex {
	case "", "female", "male", "other", "unknown":
	default:
		errs["sex"] = "Choose one of the options."
	}
	if f.Phone != "" {
		if d := Digits(f.Phone); len(d) < 5 || len(d) > 15 || !phoneChars(f.Phone) {
			errs["phone"] = "Enter a phone number of 5 to 15 digits; spaces, +, -, ( and ) are fine."
		}
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
			errs["email"] = "Enter an email address such as name@example.com, or leave it empty."
		}
	}
	if utf8.RuneCountInString(f.Address) > maxAddress {
		errs["address"] = "Use at most 300 characters."
	}
	if utf8.RuneCountInString(f.EmergencyName) > maxShort {
		errs["emergencyName"] = "Use at most 100 characters."
	}
	if utf8.RuneCountInString(f.EmergencyRelation) > maxShort {
		errs["emergencyRelation"] = "Use at most 100 characters."
	}
	if f.EmergencyPhone != "" {
		if d := Digits(f.EmergencyPhone); len(d) < 5 || len(d) > 15 || !phoneChars(f.EmergencyPhone) {
			errs["emergencyPhone"] = "Enter a phone number of 5 to 15 digits."
		}
	}
	if len(f.Allergies) > maxAllergies {
		errs["allergies"] = "List at most 50 allergies."
	}
	for _, a := range f.Allergies {
		if utf8.RuneCountInString(a) > maxAllergy || !printable(a) {
			errs["allergies"] = "Each allergy has at most 100 characters, one per line."
			break
		}
	}
	if utf8.RuneCountInString(f.Notes) > maxNotes {
		errs["notes"] = "Use at most 5000 characters."
	}
	return errs
}

// Apply copies a valid form onto p.
func (f *Form) Apply(p *Patient) {
	p.FirstName, p.LastName = f.FirstName, f.LastName
	p.DateOfBirth = time.Time{}
	if f.DateOfBirth != "" {
		p.DateOfBirth, _ = time.Parse(time.DateOnly, f.DateOfBirth)
	}
	p.Sex, p.Phone, p.Email, p.Address = f.Sex, f.Phone, f.Email, f.Address
	p.EmergencyContact = EmergencyContact{Name: f.EmergencyName, Phone: f.EmergencyPhone, Relation: f.EmergencyRelation}
	p.Allergies = f.Allergies
	if p.Allergies == nil {
		p.Allergies = []string{}
	}
	p.Notes = f.Notes
	p.normalize()
}

// printable refuses control and invisible formatting characters, except
// the zero-width (non-)joiners that spell names in Persian, Hindi and others.
func printable(s string) bool {
	for _, r := range s {
		if r == '\u200c' || r == '\u200d' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// datePattern is the shape of a date typed as YYYY-MM-DD.
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func phoneChars(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || strings.ContainsRune(" +-().", r)) {
			return false
		}
	}
	return true
}
