package signin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
)

// A reset link is built from PUBLIC_URL: a request that names another port
// in its Host header (anyone can send one for someone else's address) does
// not put that port into the victim's mail.
func TestResetLinkComesFromPublicURL(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	c.Get(a.Host, "/password/forgot")
	form := url.Values{"email": {a.Admin.Email}, "csrf_token": {c.Token(a.Host)}}
	req, err := http.NewRequest(http.MethodPost, "http://sunrise.localhost:1337/password/forgot", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	apptest.WantStatus(t, "forgot with Host sunrise.localhost:1337", c.Do(req), http.StatusOK)

	ms := outbox(t, s, a, a.Admin.Email)
	if len(ms) != 1 {
		t.Fatalf("%d messages to the admin, want 1", len(ms))
	}
	m := resetLink.FindStringSubmatch(ms[0].Text)
	if want := "http://sunrise.localhost:" + s.Port; m == nil || m[1] != want {
		t.Fatalf("the reset link does not start with %s (PUBLIC_URL's port):\n%s", want, ms[0].Text)
	}
}
