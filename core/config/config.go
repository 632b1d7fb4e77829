// Package config reads Ward's settings from the environment.
//
// Every setting has a default that lets `ward serve` start with no configuration;
// a value that is present but invalid stops start-up with one line that names
// the variable.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Config is Ward's whole configuration.
type Config struct {
	Port           int
	BaseDomain     string
	PublicURL      string // scheme://BASE_DOMAIN[:port], no trailing slash: every absolute link starts here
	MongoURI       string // empty: start the embedded database
	DataDir        string
	SessionSecret  string // empty in development: generated and kept in DataDir
	Env            string
	SMTPURL        string // empty: mail is logged and kept in the outbox
	MailFrom       string // sender of Ward's mail
	StripeKey      string
	StripeWebhook  string
	StripeAPIBase  string
	TrustedProxies []string // CIDRs or addresses whose X-Forwarded-* headers are believed
	LogLevel       string
	PasswordCost   int // bcrypt's work factor for new password hashes

	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
}

// Production reports whether Ward runs in production mode.
func (c *Config) Production() bool { return c.Env == Production }

// Embedded reports whether Ward runs its own embedded database.
func (c *Config) Embedded() bool { return c.MongoURI == "" }

// Error names the variable whose value is wrong.
type Error struct {
	Var    string
	Value  string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s=%q: %s", e.Var, e.Value, e.Reason)
}

// Load reads the configuration through getenv (os.Getenv in production, a map
// in tests) and validates it.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Port:            8080,
		BaseDomain:      "localhost",
		DataDir:         "./data",
		Env:             Development,
		LogLevel:        "info",
		ReadTimeout:     15 * time.Second,
		WriteTimeout:    30 * time.Second,
		IdleTimeout:     120 * time.Second,
		ShutdownTimeout: 25 * time.Second,
		MaxBodyBytes:    2 << 20,
		PasswordCost:    11,
	}

	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return nil, &Error{"PORT", v, "must be a number from 1 to 65535"}
		}
		c.Port = p
	}
	if v := getenv("BASE_DOMAIN"); v != "" {
		d := strings.ToLower(strings.TrimSuffix(v, "."))
		if !validDomain(d) {
			return nil, &Error{"BASE_DOMAIN", v, "must be a host name such as example.com or localhost, without scheme or port"}
		}
		c.BaseDomain = d
	}
	if v := getenv("MONGODB_URI"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
			return nil, &Error{"MONGODB_URI", redact(v), "must be a mongodb:// or mongodb+srv:// URI with a host"}
		}
		// The driver's own check (ports, options). Not for mongodb+srv://:
		// parsing that looks the host up in DNS, which belongs to the
		// retried connection, not to reading configuration.
		if u.Scheme == "mongodb" {
			if _, err := connstring.ParseAndValidate(v); err != nil {
				return nil, &Error{"MONGODB_URI", redact(v), "is not a valid MongoDB URI (" + strings.TrimPrefix(err.Error(), "error parsing uri: ") + ")"}
			}
		}
		c.MongoURI = v
	}
	if v := getenv("DATA_DIR"); v != "" {
		c.DataDir = v
	}
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		return nil, &Error{"DATA_DIR", c.DataDir, err.Error()}
	}
	c.DataDir = dir

	if v := getenv("APP_ENV"); v != "" {
		if v != Development && v != Production {
			return nil, &Error{"APP_ENV", v, "must be development or production"}
		}
		c.Env = v
	}
	c.SessionSecret = getenv("SESSION_SECRET")
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		return nil, &Error{"SESSION_SECRET", "(hidden)", "must be at least 32 characters"}
	}
	if c.Production() && c.SessionSecret == "" {
		return nil, &Error{"SESSION_SECRET", "", "is required when APP_ENV=production"}
	}
	// Links in mail are built from configuration, never from a request's
	// Host header, which anyone can set for someone else's address.
	switch v := getenv("PUBLIC_URL"); {
	case v != "":
		u, reason := publicURL(v, c.BaseDomain)
		if reason != "" {
			return nil, &Error{"PUBLIC_URL", v, reason}
		}
		c.PublicURL = u
	case c.Production():
		return nil, &Error{"PUBLIC_URL", "", "is required when APP_ENV=production (the address people use, such as https://" + c.BaseDomain + ")"}
	default:
		c.PublicURL = "http://" + c.BaseDomain + ":" + strconv.Itoa(c.Port)
	}

	if v := getenv("SMTP_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return nil, &Error{"SMTP_URL", redact(v), "must look like smtp://user:password@host:587 or smtps://host:465"}
		}
		c.SMTPURL = v
	}
	c.MailFrom = "Ward <no-reply@" + c.BaseDomain + ">"
	if v := getenv("MAIL_FROM"); v != "" {
		if _, err := mail.ParseAddress(v); err != nil {
			return nil, &Error{"MAIL_FROM", v, "must be an address such as Ward <no-reply@example.com>"}
		}
		c.MailFrom = v
	}
	c.StripeKey = getenv("STRIPE_SECRET_KEY")
	c.StripeWebhook = getenv("STRIPE_WEBHOOK_SECRET")
	if v := getenv("STRIPE_API_BASE"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &Error{"STRIPE_API_BASE", v, "must be an http(s) URL"}
		}
		c.StripeAPIBase = strings.TrimSuffix(v, "/")
	}

	if v := getenv("TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := netip.ParsePrefix(p); err != nil {
				if _, err := netip.ParseAddr(p); err != nil {
					return nil, &Error{"TRUSTED_PROXIES", v, "must be a comma-separated list of IP addresses or CIDRs"}
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
		default:
			return nil, &Error{"LOG_LEVEL", v, "must be debug, info, warn or error"}
		}
	}
	if v := getenv("PASSWORD_HASH_COST"); v != "" {
		n, err := strconv.Atoi(v)
		lowest := 4
		if c.Production() {
			lowest = 10
		}
		if err != nil || n < lowest || n > 16 {
			return nil, &Error{"PASSWORD_HASH_COST", v, fmt.Sprintf("must be a number from %d to 16 (bcrypt's work factor; each step doubles the time)", lowest)}
		}
		c.PasswordCost = n
	}
	return c, nil
}

// validDomain accepts host names made of letters, digits and inner hyphens.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 || net.ParseIP(d) != nil {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// publicURL checks a PUBLIC_URL against the base domain and returns it as
// scheme://host[:port], or why it is wrong. The scheme's default port is
// left out, as browsers show it.
func publicURL(v, base string) (string, string) {
	const want = "must be http(s)://BASE_DOMAIN with an optional port, such as https://"
	u, err := url.Parse(v)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", want + base
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", want + base
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", "must be only a scheme, BASE_DOMAIN and a port, without a path, query or user, such as https://" + base
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host != base {
		return "", "its host must be BASE_DOMAIN (" + base + "): clinics are its subdomains"
	}
	port := u.Port()
	if port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return "", "its port must be a number from 1 to 65535"
		}
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host, ""
	}
	return scheme + "://" + host + ":" + port, ""
}

// redact hides a password in a URI so the error line can be logged.
func redact(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		if strings.Contains(v, "@") {
			return "(hidden: it may hold a password)"
		}
		return v
	}
	if u.User == nil {
		return v
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
