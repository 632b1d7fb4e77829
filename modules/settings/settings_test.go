package settings_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/services"
	settingsmodule "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

func start(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), services.New(), settingsmodule.New())
}

// TestSettings runs side by side, on one Ward, the tests that leave the
// clock alone; each makes a clinic of its own.
func TestSettings(t *testing.T) {
	t.Parallel()
	start(t).Parallel(t, testOnlyAllowedRolesSeeSettings, testClinicNameRefusesHiddenText, testCurrencyIsFixedOncePricesExist)
}

// This test moves the clock: it has a Ward of its own.
func TestAdminChangesSettingsAndIdleTimeoutApplies(t *testing.T) {
	t.Parallel()
	s := start(t)
	cl, c := s.NewSignedInClinic(t, "sunrise")

	if r := c.Get(cl.Host, "/settings"); r.StatusCode != 200 || r.Doc(t).Find(`#f-timezone option[value="UTC"][selected]`).Length() != 1 ||
		r.Doc(t).Find(`#f-timezone optgroup[label="Africa"] option[value="Africa/Nairobi"]`).Length() != 1 ||
		r.Doc(t).Find(`#f-timeFormat option[value="24h"][selected]`).Length() != 1 {
		t.Fatalf("settings page: %d", r.StatusCode)
	}
	bad := c.PostForm(cl.Host, "/settings", url.Values{"clinicName": {""}, "timezone": {"Mars/Base"}, "currency": {"XYZ"}, "dateFormat": {"%Y"}, "timeFormat": {"25h"}, "idleMinutes": {"2"}})
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid settings: %d", bad.StatusCode)
	}
	for _, f := range []string{"clinicName", "timezone", "currency", "dateFormat", "timeFormat", "idleMinutes"} {
		if bad.Doc(t).Find("#e-"+f).Length() == 0 {
			t.Errorf("no message for %s", f)
		}
	}
	ok := c.PostForm(cl.Host, "/settings", url.Values{"clinicName": {"Sunrise Family Clinic"}, "timezone": {"Africa/Nairobi"}, "currency": {"kes"},
		"dateFormat": {"2006-01-02"}, "timeFormat": {"12h"}, "idleMinutes": {"10"}})
	apptest.WantRedirect(t, "save", ok, "/settings")
	c.WantFlash(cl.Host, ok, "Settings saved.")
	got, err := settings.Load(context.Background(), cl.DB)
	if err != nil || got.Currency != "KES" || got.IdleMinutes != 10 || got.Timezone != "Africa/Nairobi" || got.TimeFormat != "12h" {
		t.Fatalf("stored: %+v %v", got, err)
	}
	entries := apptest.Find[audit.Entry](t, cl.DB.Collection(audit.Collection), db.Eq("action", "settings.update"))
	if len(entries) != 1 || entries[0].Target != "settings" || entries[0].ActorID != cl.Admin.ID ||
		!strings.HasPrefix(entries[0].Before, "Clinic sunrise; UTC; USD; ") || entries[0].After != "Sunrise Family Clinic; Africa/Nairobi; KES; 2006-01-02; 12h; idle 10 min" {
		t.Fatalf("settings.update audit entries %+v", entries)
	}
	if d := c.Get(cl.Host, "/dashboard"); !strings.Contains(d.Body, "Sunrise Family Clinic") {
		t.Error("the new clinic name is not shown")
	}

	// A new sign-in uses the 10-minute idle timeout.
	c2 := s.SignedIn(t, cl.Host, cl.Admin.Email)
	s.Clock.Advance(11 * time.Minute)
	if r := c2.Get(cl.Host, "/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after 11 idle minutes: %d, want 303 to /login", r.StatusCode)
	}
}

func testOnlyAllowedRolesSeeSettings(t *testing.T, s *apptest.Server) {
	cl := s.NewClinic(t, "roles")
	u := s.NewUser(t, cl, "receptionist", "Rita Reception", "rita@sunrise.test")
	c := s.SignedIn(t, cl.Host, u.Email)
	if r := c.Get(cl.Host, "/settings"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("receptionist GET /settings: %d", r.StatusCode)
	}
	if r := c.PostForm(cl.Host, "/settings", url.Values{"clinicName": {"Taken over"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("receptionist POST /settings: %d", r.StatusCode)
	}
	if d := c.Get(cl.Host, "/dashboard"); strings.Contains(d.Body, `href="/settings"`) {
		t.Error("receptionist sees a link to settings")
	}
}

// The clinic name is shown on every page, in mail subjects and in the
// audit log: text that hides or rearranges itself is refused, 422 with a
// message beside the field, and nothing is saved.
func testClinicNameRefusesHiddenText(t *testing.T, s *apptest.Server) {
	cl, c := s.NewSignedInClinic(t, "hidden-text")
	before, err := settings.Load(context.Background(), cl.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, value, msg string }{
		{"CR LF", "Sunrise\r\nBcc: eve@evil.test", "Clinic name must be on one line."},
		{"NUL", "Sunrise\x00Clinic", "Clinic name may not contain control characters."},
		{"right-to-left override", "Sunrise \u202ecinilC", "Clinic name may not contain characters that change the direction of text."},
		{"invalid UTF-8", "Sunrise \xff\xfe Clinic", "Clinic name may not contain characters that are not valid UTF-8 text."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Get(cl.Host, "/settings")
			r := c.PostForm(cl.Host, "/settings", url.Values{"clinicName": {tc.value}, "timezone": {"UTC"}, "currency": {"USD"},
				"dateFormat": {"2006-01-02"}, "timeFormat": {"24h"}, "idleMinutes": {"30"}})
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			if got := strings.TrimSpace(r.Doc(t).Find("#e-clinicName").Text()); got != tc.msg {
				t.Errorf("message %q, want %q", got, tc.msg)
			}
			got, err := settings.Load(context.Background(), cl.DB)
			if err != nil || got.ClinicName != before.ClinicName {
				t.Errorf("stored clinic name %q (%v), want %q", got.ClinicName, err, before.ClinicName)
			}
		})
	}
}

// Prices are kept in minor units of the clinic's currency: once there are
// any, the currency cannot change (USD 25.50 would become JPY 2,550).
func testCurrencyIsFixedOncePricesExist(t *testing.T, s *apptest.Server) {
	cl, c := s.NewSignedInClinic(t, apptest.Subdomain(t, ""))
	form := func(cur string) url.Values {
		return url.Values{"clinicName": {"Fixed"}, "timezone": {"UTC"}, "currency": {cur}, "dateFormat": {"2006-01-02"}, "idleMinutes": {"30"}}
	}
	c.Get(cl.Host, "/settings")
	apptest.WantRedirect(t, "a currency change before any price", c.PostForm(cl.Host, "/settings", form("EUR")), "/settings")

	c.Get(cl.Host, "/settings")
	if r, _ := c.API(cl.Host, http.MethodPost, "/api/services", `{"name":"Consultation","code":"CONS","minutes":20,"price":2550,"taxRate":0}`); r.StatusCode != http.StatusCreated {
		t.Fatalf("adding a service: %d", r.StatusCode)
	}
	r := c.PostForm(cl.Host, "/settings", form("JPY"))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find("#e-currency").Text(), "cannot change once prices are recorded") {
		t.Fatalf("a currency change with prices: %d %q", r.StatusCode, r.Doc(t).Find("#e-currency").Text())
	}
	if got, _ := settings.Load(context.Background(), cl.DB); got.Currency != "EUR" {
		t.Errorf("the currency is %s, want EUR kept", got.Currency)
	}
	c.Get(cl.Host, "/settings")
	apptest.WantRedirect(t, "other settings with the same currency", c.PostForm(cl.Host, "/settings", form("EUR")), "/settings")
}
