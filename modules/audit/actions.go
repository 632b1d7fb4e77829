package audit

import "github.com/wardclinic/ward/core/audit"

// action is one kind of entry the filter offers.
type action struct{ Value, Label string }

// knownActions are the actions core records, in the order a person looks
// for them. Entries with other actions (a module's own) are still listed;
// their raw name is their label.
var knownActions = []action{
	{audit.SignInSuccess, "Signed in"},
	{audit.SignInFailure, "Sign-in failed"},
	{audit.SignOut, "Signed out"},
	{audit.PasswordChange, "Changed a password"},
	{audit.PasswordReset, "Reset a password"},
	{audit.TOTPEnable, "Turned on two-step sign-in"},
	{audit.TOTPDisable, "Turned off two-step sign-in"},
	{audit.UserCreate, "Added a staff member"},
	{audit.UserUpdate, "Changed a staff member"},
	{audit.RoleCreate, "Created a role"},
	{audit.RoleRename, "Renamed a role"},
	{audit.RoleDelete, "Deleted a role"},
	{audit.PermissionGrant, "Gave a role a permission"},
	{audit.PermissionRevoke, "Took a permission from a role"},
	{audit.PatientView, "Opened a patient record"},
	{audit.PatientList, "Listed patients"},
	{audit.UnreportedView, "Showed clinical data without naming it (a Ward defect)"},
}

func actionLabel(a string) string {
	for _, k := range knownActions {
		if k.Value == a {
			return k.Label
		}
	}
	return a
}
