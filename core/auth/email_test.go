package auth_test

import (
	"testing"

	"github.com/wardclinic/ward/core/auth"
)

func TestNormalizeEmail(t *testing.T) {
	cases := []struct{ in, want, msg string }{
		{" Ada@Example.COM ", "ada@example.com", ""},
		{"ada@localhost", "ada@localhost", ""},
		{"", "", "Enter an email address."},
		{"ada", "", "Enter an email address such as name@example.com."},
		{"ada@example.com\r\nBcc: eve@evil.test", "", "Enter an email address such as name@example.com."},
		{"ada\xff@example.com", "", "Enter an email address such as name@example.com."},
		{"ada\u202e@example.com", "", "Email address may not contain characters that change the direction of text."},
		{"ad\u200ba@example.com", "", "Email address may not contain invisible characters."},
	}
	for _, c := range cases {
		got, msg := auth.NormalizeEmail(c.in)
		if got != c.want || msg != c.msg {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q, %q", c.in, got, msg, c.want, c.msg)
		}
	}
}
