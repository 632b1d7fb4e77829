package htmx_test

import (
	"net/http/httptest"
	"testing"

	"github.com/wardclinic/ward/core/htmx"
)

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		headers  map[string]string
		request  bool
		fragment bool
		target   string
	}{
		{"plain browser request", nil, false, false, ""},
		{"htmx request", map[string]string{"HX-Request": "true"}, true, true, ""},
		{"htmx request with a target", map[string]string{"HX-Request": "true", "HX-Target": "results"}, true, true, "results"},
		{"boosted navigation needs the page", map[string]string{"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "main"}, true, false, "main"},
		{"history restore needs the page", map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, true, false, ""},
		{"HX-Request other than true", map[string]string{"HX-Request": "1"}, false, false, ""},
		{"boosted without HX-Request", map[string]string{"HX-Boosted": "true"}, false, false, ""},
		{"target without HX-Request", map[string]string{"HX-Target": "results"}, false, false, "results"},
		{"header names are case-insensitive", map[string]string{"hx-request": "true", "hx-target": "duplicates"}, true, true, "duplicates"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/patients", nil)
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			if got := htmx.IsRequest(r); got != c.request {
				t.Errorf("IsRequest = %v, want %v", got, c.request)
			}
			if got := htmx.WantsFragment(r); got != c.fragment {
				t.Errorf("WantsFragment = %v, want %v", got, c.fragment)
			}
			if got := htmx.Target(r); got != c.target {
				t.Errorf("Target = %q, want %q", got, c.target)
			}
		})
	}
}
