package apptest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Flash is the one-time message a page shows (web.Flash), "" when there is
// none.
func Flash(t testing.TB, r *Response) string {
	t.Helper()
	return strings.TrimSpace(r.Doc(t).Find("#flash .flash").Text())
}

// FormError is the form-wide error message of a page (the form-errors
// partial), "" when there is none.
func FormError(t testing.TB, r *Response) string {
	t.Helper()
	return strings.TrimSpace(r.Doc(t).Find(".form-errors").First().Text())
}

// Login opens the sign-in page on host and sends its form, as a person
// would, and returns the answer; extra are more name, value pairs of the
// form ("next", "/staff").
func (c *Client) Login(host, email, password string, extra ...string) *Response {
	c.t.Helper()
	c.Get(host, "/login")
	f := url.Values{"email": {email}, "password": {password}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return c.PostForm(host, "/login", f)
}

// SignIn signs the client in on host through the sign-in page and fails the
// test if that does not work.
func (c *Client) SignIn(host, email, password string) {
	c.t.Helper()
	if r := c.Login(host, email, password); r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign-in of %s on %s: %d\n%s", email, host, r.StatusCode, r.Body)
	}
	c.Get(host, "/dashboard") // picks up the new session's CSRF token
}

// SignedIn returns a new client signed in on host as email, whose password
// is Password.
func (s *Server) SignedIn(t testing.TB, host, email string) *Client {
	t.Helper()
	c := s.Client(t)
	c.SignIn(host, email, Password)
	return c
}

// NewSignedInClinic makes a clinic (NewClinic) and a client signed in as
// its admin.
func (s *Server) NewSignedInClinic(t testing.TB, sub string) (*Clinic, *Client) {
	t.Helper()
	cl := s.NewClinic(t, sub)
	return cl, s.SignedIn(t, cl.Host, cl.Admin.Email)
}

// Follow follows the redirect r on host, as the browser would, and fails
// the test unless the page it leads to answers 200.
func (c *Client) Follow(host string, r *Response) *Response {
	c.t.Helper()
	loc := r.Header.Get("Location")
	if loc == "" {
		c.t.Fatalf("no redirect to follow: %d\n%s", r.StatusCode, r.Body)
	}
	p := c.Get(host, loc)
	WantStatus(c.t, "GET "+loc, p, http.StatusOK)
	return p
}

// WantFlash follows the redirect r on host and fails the test unless the
// page shows msg, once: a reload shows it no more.
func (c *Client) WantFlash(host string, r *Response, msg string) {
	c.t.Helper()
	p := c.Follow(host, r)
	loc := p.Request.URL.RequestURI()
	if got := Flash(c.t, p); got != msg {
		c.t.Fatalf("GET %s shows %q, want %q", loc, got, msg)
	}
	if got := Flash(c.t, c.Get(host, loc)); got != "" {
		c.t.Fatalf("a reload of %s shows %q again", loc, got)
	}
}
