package config

import (
	"errors"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsNeedNoConfiguration(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.BaseDomain != "localhost" || !c.Embedded() || c.Env != Development || !strings.HasSuffix(c.DataDir, "data") || c.PasswordCost != 11 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		bad  string
	}{
		{"port not a number", map[string]string{"PORT": "eighty"}, "PORT"},
		{"port zero", map[string]string{"PORT": "0"}, "PORT"},
		{"port too big", map[string]string{"PORT": "70000"}, "PORT"},
		{"uri wrong scheme", map[string]string{"MONGODB_URI": "postgres://db/ward"}, "MONGODB_URI"},
		{"uri no host", map[string]string{"MONGODB_URI": "mongodb://"}, "MONGODB_URI"},
		{"uri port out of range", map[string]string{"MONGODB_URI": "mongodb://localhost:99999"}, "MONGODB_URI"},
		{"uri bad option", map[string]string{"MONGODB_URI": "mongodb://localhost/?connectTimeoutMS=abc"}, "MONGODB_URI"},
		{"base domain with scheme", map[string]string{"BASE_DOMAIN": "https://example.com"}, "BASE_DOMAIN"},
		{"base domain with port", map[string]string{"BASE_DOMAIN": "example.com:8080"}, "BASE_DOMAIN"},
		{"base domain an IP", map[string]string{"BASE_DOMAIN": "127.0.0.1"}, "BASE_DOMAIN"},
		{"app env", map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		{"production needs a secret", map[string]string{"APP_ENV": "production", "PUBLIC_URL": "https://localhost"}, "SESSION_SECRET"},
		{"production needs a public URL", map[string]string{"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("s", 32)}, "PUBLIC_URL"},
		{"public URL without scheme", map[string]string{"PUBLIC_URL": "localhost:8080"}, "PUBLIC_URL"},
		{"public URL other scheme", map[string]string{"PUBLIC_URL": "ftp://localhost"}, "PUBLIC_URL"},
		{"public URL of another domain", map[string]string{"PUBLIC_URL": "https://evil.example"}, "PUBLIC_URL"},
		{"public URL of a clinic", map[string]string{"PUBLIC_URL": "https://sunrise.localhost"}, "PUBLIC_URL"},
		{"public URL with a path", map[string]string{"PUBLIC_URL": "https://localhost/ward"}, "PUBLIC_URL"},
		{"public URL with a query", map[string]string{"PUBLIC_URL": "https://localhost/?x=1"}, "PUBLIC_URL"},
		{"public URL with a fragment", map[string]string{"PUBLIC_URL": "https://localhost/#top"}, "PUBLIC_URL"},
		{"public URL with a user", map[string]string{"PUBLIC_URL": "https://admin@localhost"}, "PUBLIC_URL"},
		{"public URL port not a number", map[string]string{"PUBLIC_URL": "https://localhost:https"}, "PUBLIC_URL"},
		{"public URL port zero", map[string]string{"PUBLIC_URL": "https://localhost:0"}, "PUBLIC_URL"},
		{"public URL port too big", map[string]string{"PUBLIC_URL": "https://localhost:70000"}, "PUBLIC_URL"},
		{"public URL an IP", map[string]string{"PUBLIC_URL": "http://127.0.0.1:8080"}, "PUBLIC_URL"},
		{"short secret", map[string]string{"SESSION_SECRET": "short"}, "SESSION_SECRET"},
		{"smtp scheme", map[string]string{"SMTP_URL": "http://mail"}, "SMTP_URL"},
		{"stripe base", map[string]string{"STRIPE_API_BASE": "localhost:12111"}, "STRIPE_API_BASE"},
		{"trusted proxies", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}, "TRUSTED_PROXIES"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"hash cost not a number", map[string]string{"PASSWORD_HASH_COST": "high"}, "PASSWORD_HASH_COST"},
		{"hash cost below bcrypt's", map[string]string{"PASSWORD_HASH_COST": "3"}, "PASSWORD_HASH_COST"},
		{"hash cost too slow", map[string]string{"PASSWORD_HASH_COST": "17"}, "PASSWORD_HASH_COST"},
		{"a test's hash cost in production", map[string]string{"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("s", 32),
			"PUBLIC_URL": "https://localhost", "PASSWORD_HASH_COST": "4"}, "PASSWORD_HASH_COST"},
	}
	for _, c := range cases {
		_, err := Load(env(c.env))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != c.bad {
			t.Errorf("%s: err = %v, want an error naming %s", c.name, err, c.bad)
			continue
		}
		if !strings.HasPrefix(err.Error(), "config: "+c.bad+"=") {
			t.Errorf("%s: message %q does not start with the variable", c.name, err)
		}
	}
}

func TestValidValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"PORT": "9090", "BASE_DOMAIN": "Clinics.Example.com.", "MONGODB_URI": "mongodb://db:27017/wardprod",
		"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("s", 32), "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10",
		"SMTP_URL": "smtp://user:pw@mail.example.com:587", "PUBLIC_URL": "https://clinics.example.com", "PASSWORD_HASH_COST": "12",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 9090 || c.BaseDomain != "clinics.example.com" || c.Embedded() || !c.Production() || len(c.TrustedProxies) != 2 ||
		c.PublicURL != "https://clinics.example.com" || c.PasswordCost != 12 {
		t.Fatalf("%+v", c)
	}
}

func TestPublicURL(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"derived in development", nil, "http://localhost:8080"},
		{"derived from PORT and BASE_DOMAIN", map[string]string{"PORT": "9090", "BASE_DOMAIN": "clinics.test"}, "http://clinics.test:9090"},
		{"given", map[string]string{"PUBLIC_URL": "http://localhost:3000"}, "http://localhost:3000"},
		{"given, not PORT: a proxy in front", map[string]string{"PORT": "9090", "PUBLIC_URL": "https://localhost"}, "https://localhost"},
		{"trailing slash dropped", map[string]string{"PUBLIC_URL": "https://localhost/"}, "https://localhost"},
		{"scheme and host lower-cased", map[string]string{"BASE_DOMAIN": "example.com", "PUBLIC_URL": "HTTPS://Example.COM"}, "https://example.com"},
		{"trailing dot dropped", map[string]string{"BASE_DOMAIN": "example.com", "PUBLIC_URL": "https://example.com."}, "https://example.com"},
		{"default https port dropped", map[string]string{"BASE_DOMAIN": "example.com", "PUBLIC_URL": "https://example.com:443"}, "https://example.com"},
		{"default http port dropped", map[string]string{"PUBLIC_URL": "http://localhost:80"}, "http://localhost"},
		{"other port kept", map[string]string{"BASE_DOMAIN": "example.com", "PUBLIC_URL": "https://example.com:8443"}, "https://example.com:8443"},
		{"production", map[string]string{"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("s", 32),
			"BASE_DOMAIN": "example.com", "PUBLIC_URL": "https://example.com"}, "https://example.com"},
	}
	for _, tc := range cases {
		c, err := Load(env(tc.env))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.PublicURL != tc.want {
			t.Errorf("%s: PublicURL = %q, want %q", tc.name, c.PublicURL, tc.want)
		}
	}
}

func TestPasswordsInURIsAreNotEchoed(t *testing.T) {
	_, err := Load(env(map[string]string{"MONGODB_URI": "mysql://admin:hunter2@db/ward"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}
