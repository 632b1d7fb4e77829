package auth

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// DeviceMaxAge is how long a browser stays a known device of an account
// after its last successful sign-in.
const DeviceMaxAge = 180 * 24 * time.Hour

// Devices issues and reads device cookies (OWASP's answer to lockout used
// as a weapon): after a successful sign-in the browser gets a cookie that
// names the account and a random nonce, signed with the session secret. A
// password or code check that presents a valid one for its account is
// judged by that device's own failures only (see Limiter), so guesses from
// elsewhere never lock the account's own devices out.
//
// The cookie grants nothing by itself: it only says which failures count.
// Each account has its own cookie (a clinic's shared computer is a known
// device of everyone who signs in there); it is host-only and HttpOnly, and
// Secure with the __Host- prefix in production.
type Devices struct {
	codec  *securecookie.SecureCookie
	prefix string
	secure bool
}

// NewDevices returns the device cookies signed with secret.
func NewDevices(secret []byte, production bool) *Devices {
	sc := securecookie.New(secret, nil)
	sc.MaxAge(int(DeviceMaxAge.Seconds()))
	d := &Devices{codec: sc, prefix: "ward_device_", secure: production}
	if production {
		d.prefix = "__Host-ward_device_" // the browser refuses it unless Secure, Path=/ and host-only
	}
	return d
}

// device is a device cookie's content.
type device struct {
	UserID string
	Nonce  string
}

// cookieName is the name of u's device cookie. The signature covers the
// name, so one account's cookie is worthless under another's.
func (d *Devices) cookieName(userID string) string { return d.prefix + userID }

// known returns the device of the request's valid device cookie for u (its
// nonce), or "" when there is none: no such account (u nil), no cookie, or
// one that is tampered with, too old or another account's.
func (d *Devices) known(r *http.Request, u *User) string {
	if u == nil {
		return ""
	}
	name := d.cookieName(u.ID)
	ck, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	var v device
	if err := d.codec.Decode(name, ck.Value, &v); err != nil || v.UserID != u.ID || v.Nonce == "" {
		return ""
	}
	return v.Nonce
}

// Source is who checks a password or code of the account email (u, or nil
// when no one has it) in the clinic tenantID from address ip: the device is
// the request's, when it is a known device of u.
func (d *Devices) Source(r *http.Request, tenantID, ip, email string, u *User) Source {
	return Source{TenantID: tenantID, Email: email, IP: ip, Device: d.known(r, u)}
}

// Remember makes the browser a known device of u after a successful
// sign-in, for DeviceMaxAge from now: it keeps the nonce of a device
// cookie it already has for u, or gets a new one.
func (d *Devices) Remember(w http.ResponseWriter, r *http.Request, u *User) error {
	nonce := d.known(r, u)
	if nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // never fails (crypto/rand aborts the program instead)
		nonce = base64.RawURLEncoding.EncodeToString(b)
	}
	name := d.cookieName(u.ID)
	value, err := d.codec.Encode(name, device{UserID: u.ID, Nonce: nonce})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(DeviceMaxAge.Seconds()),
		HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteStrictMode})
	return nil
}
