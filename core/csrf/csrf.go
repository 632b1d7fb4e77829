// Package csrf protects every state-changing request twice. Clinics are
// sibling subdomains of one site, so SameSite cookies do not separate them:
//
//  1. Go's http.CrossOriginProtection refuses a write whose Sec-Fetch-Site
//     is not same-origin (or whose Origin is not the request's host) —
//     this stops another clinic's pages and any other site;
//  2. the request must carry a token bound to the visitor's session, as the
//     csrf_token form field or (htmx) the X-CSRF-Token header.
//
// Signed-in visitors' tokens are bound to their server-side session id, so
// a new session (sign-in) means a new token. Visitors who are not signed in
// (login, onboarding) get a random binding in a small host-only cookie.
package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

// FieldName and HeaderName carry the token.
const (
	FieldName  = "csrf_token"
	HeaderName = "X-CSRF-Token"
)

// ErrInvalid is a missing or wrong token, or a cross-origin write.
var ErrInvalid = errors.New("csrf: request refused")

// Guard issues and checks tokens.
type Guard struct {
	secret      []byte
	cookie      string
	secure      bool
	sessionID   func(c *gin.Context) string
	crossOrigin *http.CrossOriginProtection
}

// New returns a guard. sessionID returns the signed-in session's id, or "".
func New(secret []byte, production bool, sessionID func(c *gin.Context) string) *Guard {
	name := "ward_csrf"
	if production {
		name = "__Host-ward_csrf"
	}
	return &Guard{secret: secret, cookie: name, secure: production, sessionID: sessionID, crossOrigin: http.NewCrossOriginProtection()}
}

const ctxKey = "ward.csrf"

// Token returns the token for the visitor, creating the anonymous binding
// cookie when there is none yet.
func (g *Guard) Token(c *gin.Context) string {
	if t, ok := c.Get(ctxKey); ok {
		return t.(string)
	}
	t := g.mac(g.binding(c, true))
	c.Set(ctxKey, t)
	return t
}

// Forget drops the token cached for this request (after sign-in changes the
// session, the page rendered next must carry the new token).
func (g *Guard) Forget(c *gin.Context) { c.Set(ctxKey, nil); delete(c.Keys, ctxKey) }

// binding is what the token is bound to: the session id when signed in,
// else the anonymous cookie.
func (g *Guard) binding(c *gin.Context, create bool) string {
	if id := g.sessionID(c); id != "" {
		return "s:" + id
	}
	if v, err := c.Cookie(g.cookie); err == nil && len(v) >= 32 {
		return "a:" + v
	}
	if !create {
		return ""
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{Name: g.cookie, Value: v, Path: "/", HttpOnly: true, Secure: g.secure, SameSite: http.SameSiteLaxMode})
	return "a:" + v
}

func (g *Guard) mac(binding string) string {
	h := hmac.New(sha256.New, g.secret)
	h.Write([]byte("csrf:" + binding))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// Check refuses a state-changing request that is cross-origin or lacks the
// visitor's token. Safe methods pass.
func (g *Guard) Check(c *gin.Context) error {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if err := g.crossOrigin.Check(c.Request); err != nil {
		return ErrInvalid
	}
	b := g.binding(c, false)
	if b == "" {
		return ErrInvalid
	}
	sent := c.GetHeader(HeaderName)
	if sent == "" {
		sent = c.PostForm(FieldName)
	}
	if sent == "" || !hmac.Equal([]byte(sent), []byte(g.mac(b))) {
		return ErrInvalid
	}
	return nil
}
