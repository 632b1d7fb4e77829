// Package settings lets a clinic's admins change the clinic's own
// preferences: its name, time zone, currency, date and time formats and how
// long an idle session stays signed in.
package settings

import (
	"cmp"
	"embed"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

var formPage = web.NewPage("settings/form")

//go:embed templates/*.html
var templates embed.FS

// Module is the settings module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("settings", templates)} }

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/settings", app.Allow("settings", "read"), m.show)
	r.Clinic(http.MethodPost, "/settings", app.Allow("settings", "update"), m.save)
}

// AuditActions implements app.AuditDeclarer.
func (m *Module) AuditActions() []audit.Action {
	return []audit.Action{{Code: actionUpdate, Label: "Changed the clinic's settings", Says: "changed the clinic's settings", Link: "/settings"}}
}

// actionUpdate is the audit action of a settings change.
const actionUpdate = "settings.update"

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Settings", Href: "/settings", Resource: "settings", Group: app.GroupAdmin, Order: 95}}
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "settings", Label: "Clinic settings", Actions: []string{"read", "update"},
		Description: "See and change the clinic's name, time zone, currency, date and time formats and sign-out time."}}
}

// view is the settings form: the settings and the choices offered.
type view struct {
	S           *settings.Settings
	Formats     any // date formats
	TimeFormats any
	Zones       []settings.ZoneGroup
	OtherZone   string // the clinic's zone when the list does not hold it (an old IANA name)
}

func newView(s *settings.Settings) view {
	v := view{S: s, Formats: settings.DateFormats, TimeFormats: settings.TimeFormats, Zones: settings.TimezoneGroups()}
	if !slices.Contains(settings.Timezones, s.Timezone) {
		v.OtherZone = s.Timezone
	}
	return v
}

func (m *Module) show(c *gin.Context) error {
	s, err := m.S.Settings(c)
	if err != nil {
		return err
	}
	if s.TimeFormat == "" {
		s.TimeFormat = settings.Clock24
	}
	return m.S.Render.Page(c, http.StatusOK, formPage, web.Page{Title: "Settings", Data: newView(s)})
}

// Idle timeout limits, in minutes.
const (
	minIdle = 5
	maxIdle = 480
)

func (m *Module) save(c *gin.Context) error {
	s, err := m.S.Settings(c)
	if err != nil {
		return err
	}
	before := *s
	errs := map[string]string{}

	name, msg := tenant.CheckClinicName(c.PostForm("clinicName"))
	if msg != "" {
		errs["clinicName"] = msg
		name = strings.TrimSpace(c.PostForm("clinicName")) // shown again as typed
	}
	s.ClinicName = name
	s.Timezone = strings.TrimSpace(c.PostForm("timezone"))
	if msg := settings.CheckTimezone(s.Timezone); msg != "" {
		errs["timezone"] = msg
	}
	s.Currency = strings.ToUpper(strings.TrimSpace(c.PostForm("currency")))
	if msg := settings.CheckCurrency(s.Currency); msg != "" {
		errs["currency"] = msg
	} else if s.Currency != before.Currency {
		if msg, err := m.currencyFixed(c); err != nil {
			return err
		} else if msg != "" {
			errs["currency"] = msg
		}
	}
	s.DateFormat = c.PostForm("dateFormat")
	known := false
	for _, f := range settings.DateFormats {
		known = known || f.Layout == s.DateFormat
	}
	if !known {
		errs["dateFormat"] = "Choose one of the formats."
	}
	// A form from before the clock was a setting keeps the clinic's.
	s.TimeFormat = cmp.Or(c.PostForm("timeFormat"), s.TimeFormat, settings.Clock24)
	if s.TimeFormat != settings.Clock24 && s.TimeFormat != settings.Clock12 {
		errs["timeFormat"] = "Choose the 24-hour or the 12-hour clock."
	}
	idle, err := strconv.Atoi(c.PostForm("idleMinutes"))
	if err != nil || idle < minIdle || idle > maxIdle {
		errs["idleMinutes"] = "Enter a number of minutes from 5 to 480."
	}
	s.IdleMinutes = idle
	if len(errs) > 0 {
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, formPage, web.Page{Title: "Settings", Data: newView(s), Errors: errs})
	}
	if err := settings.Save(c.Request.Context(), m.S.Clinic(c), s, m.S.Now()); err != nil {
		return err
	}
	if s.ClinicName != m.S.Tenant(c).Name {
		if ok, err := m.S.Rename(c, s.ClinicName); err != nil || !ok {
			return errors.Join(err, errors.New("settings: clinic record not updated"))
		}
	}
	if err := audit.For(c).Record(actionUpdate, "settings", audit.Change(describe(&before), describe(s))); err != nil {
		return err
	}
	web.Flash(c, "Settings saved.")
	web.Redirect(c, "/settings")
	return nil
}

// currencyFixed says why the clinic's currency cannot change, or "": while
// a module keeps amounts in it (prices), each would change meaning — USD
// 25.50 would become JPY 2,550.
func (m *Module) currencyFixed(c *gin.Context) (string, error) {
	for _, mod := range m.S.Modules() {
		if k, ok := mod.(app.MoneyKeeper); ok {
			keeps, err := k.KeepsMoney(c.Request.Context(), m.S.Clinic(c))
			if err != nil || keeps {
				return "The currency cannot change once prices are recorded in it (" + mod.Name() + "): every amount would change its meaning.", err
			}
		}
	}
	return "", nil
}

func describe(s *settings.Settings) string {
	return s.ClinicName + "; " + s.Timezone + "; " + s.Currency + "; " + s.DateFormat + "; " + cmp.Or(s.TimeFormat, settings.Clock24) + "; idle " + strconv.Itoa(s.IdleMinutes) + " min"
}
