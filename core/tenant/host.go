package tenant

import (
	"net"
	"strconv"
	"strings"
)

// HostKind is what a host name is to Ward.
type HostKind int

const (
	HostInvalid  HostKind = iota // not ours: 404
	HostPlatform                 // BASE_DOMAIN or www.BASE_DOMAIN
	HostClinic                   // one label under BASE_DOMAIN
)

// ParseHost classifies host (as sent in the Host header, maybe with a port
// and a trailing dot) against base. Only one label under base is a clinic:
// deeper names (a.b.example.com) are not guessed at. Reserved names, IP
// addresses and names that are not valid subdomains are HostInvalid.
func ParseHost(host, base string) (HostKind, string) {
	h := host
	if hh, port, err := net.SplitHostPort(host); err == nil {
		if !validPort(port) {
			return HostInvalid, "" // "host:evil.example" is no host of Ward's
		}
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || net.ParseIP(strings.Trim(h, "[]")) != nil {
		return HostInvalid, ""
	}
	if h == base || h == "www."+base {
		return HostPlatform, ""
	}
	sub, ok := strings.CutSuffix(h, "."+base)
	if !ok || strings.Contains(sub, ".") {
		return HostInvalid, ""
	}
	if CheckSubdomain(sub) != "" || Reserved(sub) {
		return HostInvalid, ""
	}
	return HostClinic, sub
}

// validPort reports whether p is a port number, 1 to 65535 (or empty, as
// in "host:").
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.ParseUint(p, 10, 16) // digits only: no sign, no name
	return err == nil && n != 0
}

// reserved are names that can never be a clinic: they are, or may one day
// be, Ward's own hosts, or they would mislead people.
var reserved = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`
		www api app apps admin administrator platform mail email smtp imap pop pop3 webmail mx
		static assets cdn media img images files uploads download downloads
		login logout signin signup register onboard onboarding auth sso oauth account accounts
		support help status billing pay payment payments invoice invoices checkout stripe
		dashboard console portal panel manage management operator ops root system sysadmin
		docs doc blog news about contact legal privacy terms security abuse noc
		dev test testing staging stage demo sandbox preview beta alpha prod production
		ward wardclinic clinic clinics health healthz ready readyz metrics monitoring
		ns ns1 ns2 dns ftp sftp ssh vpn proxy gateway internal intranet localhost
	`) {
		reserved[n] = true
	}
}

// Reserved reports whether name can never be a clinic's subdomain.
func Reserved(name string) bool { return reserved[name] }

// Subdomain length limits.
const (
	MinSubdomain = 3
	MaxSubdomain = 30
)

// CheckSubdomain returns why s is not a well-formed subdomain, or "". It does
// not check reservation or availability.
func CheckSubdomain(s string) string {
	if s == "" {
		return "Choose the address of your clinic."
	}
	for _, r := range s {
		if r > 127 {
			return "Use only the letters a to z, digits and hyphens (no accents or other scripts)."
		}
	}
	if len(s) < MinSubdomain || len(s) > MaxSubdomain {
		return "Use 3 to 30 characters."
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "Use only lowercase letters a to z, digits and hyphens."
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return "Start and end with a letter or digit, not a hyphen."
	}
	if len(s) >= 4 && s[2:4] == "--" {
		// xn-- and other ACE prefixes: punycode would show as another name.
		return "Two hyphens in the third and fourth places are not allowed."
	}
	return ""
}
