package onboarding_test

import (
	"net/http"
	"strings"
	"testing"
)

// The redirect after onboarding, and the links in the mail, are built from
// PUBLIC_URL, whatever port the request's Host header names.
func TestOnboardingLinksComeFromPublicURL(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	v := form("sunrise")
	v.Set("csrf_token", c.Token("localhost"))
	req, err := http.NewRequest(http.MethodPost, "http://localhost:1337/tenant-onboard", strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r := c.Do(req)
	if r.StatusCode != http.StatusSeeOther || !isArrival(s, "sunrise", r.Header.Get("Location")) {
		t.Fatalf("onboarding with Host localhost:1337: %d Location %q, want 303 %s…\n%s", r.StatusCode, r.Header.Get("Location"), arrival(s, "sunrise"), r.Body)
	}
	for _, m := range outboxOf(t, s, "sunrise") {
		if strings.Contains(m.Text, ":1337") {
			t.Errorf("a mail carries the request's port:\n%s", m.Text)
		}
	}
}
