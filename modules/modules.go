// Package modules lists Ward's modules. Adding a module is a folder under
// modules/ and one line in All.
package modules

import (
	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/modules/appointments"
	"github.com/wardclinic/ward/modules/audit"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/landing"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/roles"
	"github.com/wardclinic/ward/modules/services"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"
	"github.com/wardclinic/ward/modules/subscriptions"
)

// All returns Ward's modules, in order: the order of their navigation
// entries when two share one, and of their start-up work.
func All() []app.Module {
	return []app.Module{
		landing.New(),
		onboarding.New(),
		signin.New(),
		dashboard.New(),
		patients.New(),
		appointments.New(),
		services.New(),
		staff.New(),
		settings.New(),
		roles.New(),
		audit.New(),
		subscriptions.New(),
	}
}
