package landing_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules/landing"
)

// The landing page says what Ward does today, and nothing it does not do.
func TestLandingDescribesWard(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{}, landing.New())
	r := s.Client(t).Get("localhost", "/")
	apptest.WantStatus(t, "GET /", r, http.StatusOK)
	doc := r.Doc(t)
	main := strings.ToLower(doc.Find("main").Text())
	for _, want := range []string{"patients", "staff and roles", "services and prices", "audit log", "two-step sign-in",
		"sunrise.localhost:" + s.Port, "7 days", "free"} {
		if !strings.Contains(main, want) {
			t.Errorf("the landing page does not mention %q", want)
		}
	}
	for _, promise := range []string{"appointment", "booking", "invoice", "billing", "prescription", "lab ", "inventory", "stock", "payment"} {
		if strings.Contains(main, promise) {
			t.Errorf("the landing page promises %q, which Ward does not do yet", promise)
		}
	}
	for _, href := range []string{"/tenant-onboard", "/find-clinic"} {
		if doc.Find(`main a[href="`+href+`"]`).Length() == 0 {
			t.Errorf("the landing page has no link to %s", href)
		}
	}
}
