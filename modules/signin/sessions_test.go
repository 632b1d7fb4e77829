package signin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/patients"
	settingsmodule "github.com/wardclinic/ward/modules/settings"
)

// startWithRecords is start with patients (for /api/patients) and settings.
func startWithRecords(t *testing.T) (*apptest.Server, *apptest.Clinic) {
	t.Helper()
	return start(t, nil, patients.New(), settingsmodule.New())
}

// A logout racing requests of the same session ends it for good: a request
// that read the session before the logout and writes its last-seen time
// after it must not bring it back. Each round signs in, lets a minute pass
// (so every request's touch writes), then sends the requests and the
// logout at once; afterwards the old cookie opens nothing.
func TestLogoutRacingRequestsStaysEnded(t *testing.T) {
	t.Parallel()
	s, a := startWithRecords(t)
	const rounds, requests, spread = 20, 15, 10 * time.Millisecond
	for round := range rounds {
		c := s.SignedIn(t, a.Host, a.Admin.Email)
		cookie := jarCookie(t, s, c, a.Host, "ward_session")
		s.Clock.Advance(2 * time.Minute)

		begin := make(chan struct{})
		var wg sync.WaitGroup
		for i := range requests {
			path := "/dashboard"
			if i%2 == 1 {
				path = "/api/patients"
			}
			wg.Go(func() {
				<-begin
				// Spread over the time a logout takes, so that some
				// requests read the session just before it ends.
				time.Sleep(time.Duration(i) * spread / requests)
				withCookie(t, s, a.Host, path, "ward_session", cookie)
			})
		}
		var logout *apptest.Response
		wg.Go(func() {
			<-begin
			logout = c.PostForm(a.Host, "/logout", url.Values{})
		})
		close(begin)
		wg.Wait()
		apptest.WantRedirect(t, fmt.Sprintf("round %d: logout", round), logout, "/login")
		apptest.WantToLogin(t, fmt.Sprintf("round %d: /dashboard with the old cookie", round),
			withCookie(t, s, a.Host, "/dashboard", "ward_session", cookie))
		apptest.WantStatus(t, fmt.Sprintf("round %d: /api/patients with the old cookie", round),
			withCookie(t, s, a.Host, "/api/patients", "ward_session", cookie), http.StatusUnauthorized)
	}
}

// The idle timeout of open sessions is the clinic's current setting, not
// the one in force when they signed in: lowered from 60 to 5 minutes, it
// ends a session idle for 6.
func TestLoweredIdleTimeoutReachesOpenSessions(t *testing.T) {
	t.Parallel()
	s, a := startWithRecords(t)
	if _, err := a.DB.Collection(settings.Collection).Update(context.Background(), db.Filter{}, db.Set("idleMinutes", 60)); err != nil {
		t.Fatal(err)
	}
	admin, nurse := s.Client(t), s.Client(t)
	s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	admin.SignIn(a.Host, a.Admin.Email, apptest.Password)
	nurse.SignIn(a.Host, "nina@sunrise.test", apptest.Password)
	s.Clock.Advance(6 * time.Minute)
	apptest.WantStatus(t, "6 idle minutes under a 60-minute timeout", nurse.Get(a.Host, "/dashboard"), http.StatusOK)

	admin.Get(a.Host, "/settings")
	r := admin.PostForm(a.Host, "/settings", url.Values{"clinicName": {"Clinic sunrise"}, "timezone": {"UTC"}, "currency": {"USD"},
		"dateFormat": {settings.DefaultDateFormat}, "idleMinutes": {"5"}})
	wantRedirectTo(t, "lower the timeout to 5 minutes", r, "/settings")

	s.Clock.Advance(6 * time.Minute)
	apptest.WantRedirect(t, "6 idle minutes under the lowered timeout", nurse.Get(a.Host, "/dashboard"), "/login?next=%2Fdashboard")
	r = admin.Get(a.Host, "/api/patients")
	apptest.WantStatus(t, "the API after 6 idle minutes under the lowered timeout", r, http.StatusUnauthorized)
}
