package tenant

import "github.com/wardclinic/ward/core/text"

// clinicName is what a clinic's name may be, wherever it is typed: at
// onboarding and in the clinic's settings. The name is shown on every page
// of the clinic, in its mail and in its audit log.
var clinicName = text.Field{Label: "Clinic name", Max: 100, Required: true, Missing: "Enter the clinic's name."}

// CheckClinicName returns the name cleaned, or a message saying what is
// wrong with it.
func CheckClinicName(s string) (string, string) { return clinicName.Check(s) }
