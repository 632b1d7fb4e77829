package patients

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardclinic/ward/core/text"
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

// The free-text fields: core/text decides what free text may hold, these
// say how much and where line breaks belong.
var (
	firstName         = text.Field{Label: "First name", Max: 100, Required: true}
	lastName          = text.Field{Label: "Last name", Max: 100, Required: true}
	address           = text.Field{Label: "Address", Max: 300}
	emergencyName     = text.Field{Label: "Emergency contact's name", Max: 100}
	emergencyRelation = text.Field{Label: "Emergency contact's relation", Max: 100}
	allergy           = text.Field{Label: "Allergies", Max: 100}
	notes             = text.Field{Label: "Notes", Max: 5000, Multiline: true}
	// email is checked as an address first; this keeps what an address
	// may still hold (a right-to-left override) out of it.
	email = text.Field{Label: "Email", Max: 254}
)

// maxAllergies is the longest list of allergies.
const maxAllergies = 50

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
		if a == "" || seen[text.Fold(a)] {
			continue
		}
		seen[text.Fold(a)] = true
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
// Apply may be called. Free text is left as core/text cleans it (line
// breaks in the notes as "\n"). now is in the clinic's time zone: a date of
// birth is in the future by the clinic's calendar, not the server's.
func (f *Form) Validate(now time.Time) map[string]string {
	errs := map[string]string{}
	check := func(key string, v *string, field text.Field) {
		clean, msg := field.Check(*v)
		if msg != "" {
			errs[key] = msg
			return
		}
		*v = clean
	}
	check("firstName", &f.FirstName, firstName)
	check("lastName", &f.LastName, lastName)

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
		if !emailShape(f.Email) {
			errs["email"] = "Enter an email address such as name@example.com, or leave it empty."
		} else {
			check("email", &f.Email, email)
		}
	}
	check("address", &f.Address, address)
	check("emergencyName", &f.EmergencyName, emergencyName)
	check("emergencyRelation", &f.EmergencyRelation, emergencyRelation)
	if f.EmergencyPhone != "" {
		if d := Digits(f.EmergencyPhone); len(d) < 5 || len(d) > 15 || !phoneChars(f.EmergencyPhone) {
			errs["emergencyPhone"] = "Enter a phone number of 5 to 15 digits."
		}
	}
	if len(f.Allergies) > maxAllergies {
		errs["allergies"] = "List at most 50 allergies."
	}
	for i := 0; i < len(f.Allergies) && errs["allergies"] == ""; i++ {
		// One message for the list: it says which rule, not which line.
		if utf8.RuneCountInString(f.Allergies[i]) > allergy.Max {
			errs["allergies"] = "Each allergy has at most 100 characters, one per line."
			continue
		}
		check("allergies", &f.Allergies[i], allergy)
	}
	check("notes", &f.Notes, notes)
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

// emailShape reports whether s is a bare email address that mail can reach:
// one address, no display name, and a domain with a dot between two labels
// ("name@clinic" is a typo for "name@clinic.com" far more often than an
// address).
func emailShape(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}
