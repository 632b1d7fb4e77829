package onboarding

import (
	"strings"
	"testing"
)

func TestSubdomainFrom(t *testing.T) {
	for _, tc := range []struct {
		typed, host, want, msg string
	}{
		{"sunrise", "ward.example", "sunrise", ""},
		{"  SunRise ", "ward.example", "sunrise", ""},
		{"sunrise.ward.example", "ward.example", "sunrise", ""},
		{"https://sunrise.ward.example/login?next=/x", "ward.example", "sunrise", ""},
		{"sunrise.localhost:8080", "localhost:8080", "sunrise", ""},
		{"sunrise.localhost", "localhost:8080", "sunrise", ""},
		{"http://sunrise.localhost:8080/", "localhost:8080", "sunrise", ""},
		{"", "ward.example", "", "Enter your clinic's address"},
		{"   ", "ward.example", "", "Enter your clinic's address"},
		{"sunrise.other.example", "ward.example", "", "only the first part of your clinic's address: sunrise for sunrise.ward.example."},
		{"a.b.ward.example", "ward.example", "", "only the first part"},
		{"sun rise", "ward.example", "", "Use only lowercase letters"},
		{"ab", "ward.example", "", "3 to 30"},
		{strings.Repeat("a", 31), "ward.example", "", "3 to 30"},
		{"-sunrise", "ward.example", "", "not a hyphen"},
		{"sünrise", "ward.example", "", "no accents"},
	} {
		got, msg := subdomainFrom(tc.typed, tc.host)
		if got != tc.want || (tc.msg == "") != (msg == "") || !strings.Contains(msg, tc.msg) {
			t.Errorf("subdomainFrom(%q, %q) = %q, %q; want %q and a message with %q", tc.typed, tc.host, got, msg, tc.want, tc.msg)
		}
	}
}
