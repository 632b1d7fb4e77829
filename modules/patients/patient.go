package patients

import (
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/records"
)

// Patient is one person registered at the clinic.
type Patient struct {
	// Id, version, active, created and updated: the store keeps them.
	records.Meta `bson:",inline"`

	Number           int64            `bson:"number" json:"number"`
	FirstName        string           `bson:"firstName" json:"firstName"`
	LastName         string           `bson:"lastName" json:"lastName"`
	DateOfBirth      time.Time        `bson:"dob,omitempty" json:"dateOfBirth,omitzero"`
	Sex              string           `bson:"sex,omitempty" json:"sex,omitempty"`
	Phone            string           `bson:"phone,omitempty" json:"phone,omitempty"`
	Email            string           `bson:"email,omitempty" json:"email,omitempty"`
	Address          string           `bson:"address,omitempty" json:"address,omitempty"`
	EmergencyContact EmergencyContact `bson:"emergencyContact" json:"emergencyContact"`
	Allergies        []string         `bson:"allergies" json:"allergies"`
	Notes            string           `bson:"notes,omitempty" json:"notes,omitempty"`

	// Search keys, kept in step with the fields above by normalize: lower
	// case without accents, phone digits only (and reversed, so the end of
	// a number is a prefix too). Search is by prefix only, which an index
	// serves on every engine.
	LastKey     string `bson:"lastKey" json:"-"`
	FirstKey    string `bson:"firstKey" json:"-"`
	PhoneDigits string `bson:"phoneDigits,omitempty" json:"-"`
	PhoneRev    string `bson:"phoneRev,omitempty" json:"-"`
	EmailKey    string `bson:"emailKey,omitempty" json:"-"`
}

// EmergencyContact is who to call.
type EmergencyContact struct {
	Name     string `bson:"name,omitempty" json:"name,omitempty"`
	Phone    string `bson:"phone,omitempty" json:"phone,omitempty"`
	Relation string `bson:"relation,omitempty" json:"relation,omitempty"`
}

// Sexes a patient may be recorded with.
var Sexes = []struct{ Value, Label string }{
	{"female", "Female"}, {"male", "Male"}, {"other", "Other"}, {"unknown", "Not recorded"},
}

// AuditLabel names the patient in the audit log: "John Doe (P-000042)".
func (p *Patient) AuditLabel() string { return p.FullName() + " (" + p.NumberLabel() + ")" }

// NumberLabel is the patient number as staff read and say it: P-000042.
func (p *Patient) NumberLabel() string { return FormatNumber(p.Number) }

// FormatNumber formats a patient number.
func FormatNumber(n int64) string { return fmt.Sprintf("P-%06d", n) }

// SexLabel is the recorded sex as the page shows it.
func (p *Patient) SexLabel() string {
	for _, s := range Sexes {
		if s.Value == p.Sex {
			return s.Label
		}
	}
	return ""
}

// FullName is "First Last".
func (p *Patient) FullName() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// Age in whole years at now, or -1 without a date of birth.
func (p *Patient) Age(now time.Time) int {
	if p.DateOfBirth.IsZero() {
		return -1
	}
	b := p.DateOfBirth
	y := now.Year() - b.Year()
	if now.Month() < b.Month() || now.Month() == b.Month() && now.Day() < b.Day() {
		y--
	}
	return y
}

// normalize refreshes the search keys from the fields.
func (p *Patient) normalize() {
	p.LastKey = text.Fold(p.LastName)
	p.FirstKey = text.Fold(p.FirstName)
	p.PhoneDigits = Digits(p.Phone)
	p.PhoneRev = reverse(p.PhoneDigits)
	p.EmailKey = strings.ToLower(p.Email)
}

// Digits keeps only the digits of s: "+1 (555) 010-2030" → "15550102030".
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
