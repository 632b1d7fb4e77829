package tenant_test

import (
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/tenant"
)

func TestParseHost(t *testing.T) {
	kinds := map[tenant.HostKind]string{tenant.HostInvalid: "invalid", tenant.HostPlatform: "platform", tenant.HostClinic: "clinic"}
	tests := []struct {
		name, host, base string
		kind             tenant.HostKind
		sub              string
	}{
		// The platform host: the base domain and www, with or without port.
		{"base domain", "localhost", "localhost", tenant.HostPlatform, ""},
		{"base with port", "localhost:8080", "localhost", tenant.HostPlatform, ""},
		{"base uppercase", "LOCALHOST:8080", "localhost", tenant.HostPlatform, ""},
		{"base trailing dot", "localhost.", "localhost", tenant.HostPlatform, ""},
		{"base trailing dot and port", "localhost.:8080", "localhost", tenant.HostPlatform, ""},
		{"www", "www.localhost", "localhost", tenant.HostPlatform, ""},
		{"www with port", "www.localhost:8080", "localhost", tenant.HostPlatform, ""},

		// One label under the base domain is a clinic, whether it exists or not.
		{"unknown but valid", "sunrise.localhost", "localhost", tenant.HostClinic, "sunrise"},
		{"clinic with port", "sunrise.localhost:8080", "localhost", tenant.HostClinic, "sunrise"},
		{"clinic with a name for a port", "sunrise.localhost:evil.example", "localhost", tenant.HostInvalid, ""},
		{"clinic with port 0", "sunrise.localhost:0", "localhost", tenant.HostInvalid, ""},
		{"clinic with port past 65535", "sunrise.localhost:65536", "localhost", tenant.HostInvalid, ""},
		{"clinic with a signed port", "sunrise.localhost:+80", "localhost", tenant.HostInvalid, ""},
		{"base with a name for a port", "localhost:evil.example", "localhost", tenant.HostInvalid, ""},
		{"uppercase host", "SUNRISE.LOCALHOST:8080", "localhost", tenant.HostClinic, "sunrise"},
		{"mixed case host", "SunRise.LocalHost", "localhost", tenant.HostClinic, "sunrise"},
		{"trailing dot", "sunrise.localhost.", "localhost", tenant.HostClinic, "sunrise"},
		{"trailing dot and port", "sunrise.localhost.:8080", "localhost", tenant.HostClinic, "sunrise"},
		{"digits and hyphen", "clinic-24.localhost", "localhost", tenant.HostClinic, "clinic-24"},
		{"shortest", "abc.localhost", "localhost", tenant.HostClinic, "abc"},
		{"longest", strings.Repeat("a", 30) + ".localhost", "localhost", tenant.HostClinic, strings.Repeat("a", 30)},
		{"hyphens elsewhere", "sun--rise.localhost", "localhost", tenant.HostClinic, "sun--rise"},

		// Reserved names are never clinics.
		{"reserved admin", "admin.localhost", "localhost", tenant.HostInvalid, ""},
		{"reserved api with port", "api.localhost:8080", "localhost", tenant.HostInvalid, ""},
		{"reserved uppercase", "ADMIN.localhost", "localhost", tenant.HostInvalid, ""},

		// IP addresses.
		{"ipv4", "127.0.0.1", "localhost", tenant.HostInvalid, ""},
		{"ipv4 with port", "127.0.0.1:8080", "localhost", tenant.HostInvalid, ""},
		{"ipv6 with port", "[::1]:8080", "localhost", tenant.HostInvalid, ""},
		{"ipv6 bracketed", "[::1]", "localhost", tenant.HostInvalid, ""},

		// Names that are not exactly one valid label under the base domain.
		{"deeper labels", "a.b.localhost", "localhost", tenant.HostInvalid, ""},
		{"deeper under a clinic", "www.sunrise.localhost", "localhost", tenant.HostInvalid, ""},
		{"empty label", ".localhost", "localhost", tenant.HostInvalid, ""},
		{"double dot", "sunrise..localhost", "localhost", tenant.HostInvalid, ""},
		{"other domain", "sunrise.example.org", "localhost", tenant.HostInvalid, ""},
		{"base as a suffix only", "sunriselocalhost", "localhost", tenant.HostInvalid, ""},
		{"base as a hyphenated suffix", "evil-localhost", "localhost", tenant.HostInvalid, ""},
		{"punycode label", "xn--sunrse-9ua.localhost", "localhost", tenant.HostInvalid, ""},
		{"unicode label", "sünrise.localhost", "localhost", tenant.HostInvalid, ""},
		{"cyrillic homoglyph", "ѕunrise.localhost", "localhost", tenant.HostInvalid, ""},
		{"too short", "ab.localhost", "localhost", tenant.HostInvalid, ""},
		{"too long", strings.Repeat("a", 31) + ".localhost", "localhost", tenant.HostInvalid, ""},
		{"leading hyphen", "-sunrise.localhost", "localhost", tenant.HostInvalid, ""},
		{"trailing hyphen", "sunrise-.localhost", "localhost", tenant.HostInvalid, ""},
		{"underscore", "sun_rise.localhost", "localhost", tenant.HostInvalid, ""},
		{"empty", "", "localhost", tenant.HostInvalid, ""},
		{"port only", ":8080", "localhost", tenant.HostInvalid, ""},

		// Another base domain.
		{"example.com base", "example.com", "example.com", tenant.HostPlatform, ""},
		{"example.com base with port", "example.com:443", "example.com", tenant.HostPlatform, ""},
		{"example.com www", "www.example.com", "example.com", tenant.HostPlatform, ""},
		{"example.com clinic", "sunrise.example.com", "example.com", tenant.HostClinic, "sunrise"},
		{"example.com clinic uppercase with port", "Sunrise.Example.COM:8443", "example.com", tenant.HostClinic, "sunrise"},
		{"example.com clinic trailing dot", "sunrise.example.com.", "example.com", tenant.HostClinic, "sunrise"},
		{"example.com reserved", "admin.example.com", "example.com", tenant.HostInvalid, ""},
		{"example.com deeper", "a.sunrise.example.com", "example.com", tenant.HostInvalid, ""},
		{"example.com base inside another", "sunrise.example.com.evil.org", "example.com", tenant.HostInvalid, ""},
		{"example.com lookalike", "sunriseexample.com", "example.com", tenant.HostInvalid, ""},
		{"example.com localhost", "localhost", "example.com", tenant.HostInvalid, ""},
		{"example.com clinic under localhost", "sunrise.localhost", "example.com", tenant.HostInvalid, ""},
		{"example.com ip", "93.184.216.34:443", "example.com", tenant.HostInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, sub := tenant.ParseHost(tt.host, tt.base)
			if kind != tt.kind || sub != tt.sub {
				t.Errorf("ParseHost(%q, %q) = %s %q, want %s %q", tt.host, tt.base, kinds[kind], sub, kinds[tt.kind], tt.sub)
			}
		})
	}
}

func TestCheckSubdomain(t *testing.T) {
	const (
		msgEmpty   = "Choose the address of your clinic."
		msgASCII   = "Use only the letters a to z, digits and hyphens (no accents or other scripts)."
		msgLength  = "Use 3 to 30 characters."
		msgChars   = "Use only lowercase letters a to z, digits and hyphens."
		msgHyphen  = "Start and end with a letter or digit, not a hyphen."
		msgDoubleH = "Two hyphens in the third and fourth places are not allowed."
	)
	tests := []struct{ in, want string }{
		{"", msgEmpty},
		{"sunrise", ""},
		{"abc", ""},
		{"123", ""},
		{"clinic-24", ""},
		{"sun--rise", ""}, // two hyphens, but not in places 3 and 4
		{strings.Repeat("a", 30), ""},
		{"ab", msgLength},
		{"a", msgLength},
		{strings.Repeat("a", 31), msgLength},
		{"sünrise", msgASCII},
		{"ѕunrise", msgASCII}, // Cyrillic dze
		{"ｓｕｎｒｉｓｅ", msgASCII}, // fullwidth
		{"é", msgASCII},       // script is reported before length
		{"Sunrise", msgChars}, // CheckSubdomain does not lower-case: callers do
		{"sun_rise", msgChars},
		{"sun rise", msgChars},
		{"sun.rise", msgChars},
		{"sun/rise", msgChars},
		{"-sunrise", msgHyphen},
		{"sunrise-", msgHyphen},
		{"---", msgHyphen},
		{"xn--abc", msgDoubleH},
		{"ab--cd", msgDoubleH},
		{"xn--sunrse-9ua", msgDoubleH},
	}
	for _, tt := range tests {
		if got := tenant.CheckSubdomain(tt.in); got != tt.want {
			t.Errorf("CheckSubdomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReserved(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"admin", true}, {"www", true}, {"api", true}, {"localhost", true}, {"ward", true},
		{"login", true}, {"tenant", false}, {"mail", true}, {"static", true}, {"healthz", true},
		{"sunrise", false}, {"admins", false}, {"my-admin", false}, {"", false},
		// Reserved compares exact, lower-case names: callers lower-case first.
		{"Admin", false},
	}
	for _, tt := range tests {
		if got := tenant.Reserved(tt.name); got != tt.want {
			t.Errorf("Reserved(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Every reserved name that is a well-formed subdomain must still never
	// parse as a clinic host.
	for _, n := range []string{"admin", "www", "api", "app", "status", "billing", "ward"} {
		if kind, _ := tenant.ParseHost(n+".localhost", "localhost"); kind == tenant.HostClinic {
			t.Errorf("reserved %q parsed as a clinic host", n)
		}
	}
}
