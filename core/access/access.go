// Package access decides, for every clinic request, who is asking and
// whether they may: it reads the server-side session, checks it belongs to
// this clinic, is not expired and that its user is still active with the
// same password, then enforces the route's declared permission. Routes never
// check roles themselves. It also binds every clinic request to the
// clinic's audit log, by whoever is signed in (audit.Bind).
package access

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

// Guard is the access middleware.
type Guard struct {
	sessions *session.Manager
	rbac     *rbac.Enforcer
	clock    clock.Clock
	actions  *audit.Catalogue
}

// New returns the guard: sessions say who is signed in, enf what their
// role allows, clk what time it is, and actions what the requests it binds
// may record in the audit log.
func New(sessions *session.Manager, enf *rbac.Enforcer, clk clock.Clock, actions *audit.Catalogue) *Guard {
	return &Guard{sessions: sessions, rbac: enf, clock: clk, actions: actions}
}

// ErrUnauthenticated is answered with the sign-in page (or 401).
var ErrUnauthenticated = errors.New("access: not signed in")

// Check returns the step run before a clinic route's handler: it loads the
// signed-in user and enforces the route's access rule. Someone not signed
// in is sent to sign in (the step answers and aborts); a refusal is an
// error the app answers.
func (g *Guard) Check(r app.Route) web.HandlerFunc {
	return func(c *gin.Context) error {
		u, err := g.user(c)
		if err != nil {
			return err
		}
		g.bindAudit(c, u)
		if u == nil {
			if !r.Access.Public {
				g.unauthenticated(c)
			}
			return nil
		}
		if r.Access.Resource != "" {
			ok, err := g.Can(c, r.Access.Resource, r.Access.Action)
			if err != nil {
				return err
			}
			if !ok {
				return web.Forbidden("Your role does not allow this. Ask your clinic's administrator if you need it.")
			}
		}
		return nil
	}
}

// user returns the signed-in user, or nil when the session is missing,
// expired, of another clinic, or its user was deactivated or changed
// password (then the session is ended).
func (g *Guard) user(c *gin.Context) (*auth.User, error) {
	ctx := c.Request.Context()
	t := tenant.FromContext(ctx)
	d, ok := g.sessions.Current(c)
	if !ok || t == nil || d.Pending {
		return nil, nil
	}
	now := g.clock.Now()
	if d.TenantID != t.ID {
		// A cookie from another clinic's host cannot arrive here (cookies
		// are host-only); if one does, it is not a session of this clinic.
		return nil, nil
	}
	idle, err := settings.IdleTimeout(ctx, tenant.DB(ctx))
	if err != nil {
		return nil, err
	}
	if err := session.Check(d, now, idle); err != nil {
		return nil, g.sessions.End(c)
	}
	u, err := auth.UserByID(ctx, tenant.DB(ctx), d.UserID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, g.sessions.End(c)
	}
	if err != nil {
		return nil, err
	}
	if u.Status != auth.UserActive || u.SessionsEnded().After(d.AuthAt) {
		logging.FromContext(ctx).Info().Str("user_id", u.ID).Msg("session ended: user deactivated or password changed")
		return nil, g.sessions.End(c)
	}
	if err := g.sessions.Touch(c, d, now); errors.Is(err, session.ErrExpired) {
		return nil, g.sessions.End(c) // ended by a logout meanwhile
	} else if err != nil {
		return nil, err
	}
	l := logging.FromContext(ctx).With().Str("user_id", u.ID).Logger()
	ctx = logging.WithLogger(auth.WithUser(ctx, u), l)
	c.Request = c.Request.WithContext(ctx)
	return u, nil
}

// bindAudit binds the request to its clinic's audit log, by u (nil: by
// nobody yet, as on the sign-in page), so that audit.For records there.
func (g *Guard) bindAudit(c *gin.Context, u *auth.User) {
	ctx := c.Request.Context()
	if tenant.FromContext(ctx) == nil {
		return // no clinic: recording fails loudly (audit.ErrNotBound)
	}
	b := audit.Binding{Clinic: tenant.DB(ctx), Clock: g.clock, Actions: g.actions}
	if u != nil {
		b.ActorID, b.ActorEmail = u.ID, u.Email
	}
	c.Request = c.Request.WithContext(audit.Bind(ctx, b))
}

// Can reports whether the request's user may do action on resource.
func (g *Guard) Can(c *gin.Context, resource, action string) (bool, error) {
	ctx := c.Request.Context()
	u, t := auth.FromContext(ctx), tenant.FromContext(ctx)
	if u == nil || t == nil {
		return false, nil
	}
	return g.rbac.Allowed(ctx, t.ID, t.PolicyVersion, u.RoleKey, resource, action)
}

// unauthenticated sends a person to sign in, coming back afterwards: pages
// get 303 /login?next=…, htmx 401 with HX-Redirect, the API 401 JSON.
func (g *Guard) unauthenticated(c *gin.Context) {
	login := "/login"
	if next := c.Request.URL.RequestURI(); c.Request.Method == http.MethodGet && next != "/" {
		login += "?next=" + url.QueryEscape(next)
	}
	c.Abort()
	switch {
	case web.IsAPI(c):
		c.JSON(http.StatusUnauthorized, gin.H{"success": false, "error": "Sign in first."})
	case htmx.IsRequest(c.Request):
		c.Header(htmx.HeaderRedirect, login)
		c.Status(http.StatusUnauthorized)
	default:
		c.Redirect(http.StatusSeeOther, login)
	}
}

// SafeNext returns next if it is a local path on this host, else "".
// "//evil.example" and "/\evil.example" are other hosts to a browser.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

// Decorate fills the page globals of a clinic request: the user's name and
// role, the navigation they may open, and what they may do.
func (g *Guard) Decorate(nav []app.NavEntry) web.Decorator {
	return func(c *gin.Context, gl *web.Globals) {
		ctx := c.Request.Context()
		t := tenant.FromContext(ctx)
		if t == nil {
			return
		}
		gl.ClinicName = t.Name
		if st, err := settings.Cached(ctx, tenant.DB(ctx)); err == nil {
			gl.Fmt = st.Formats()
		} else {
			logging.FromContext(ctx).Warn().Err(err).Msg("clinic settings unreadable: dates in the default format, UTC")
		}
		u := auth.FromContext(ctx)
		if u == nil {
			return
		}
		gl.UserName = u.Name
		gl.Role = sync.OnceValue(func() string { return roleName(ctx, t, u.RoleKey) })
		gl.Permit = func(resource, action string) bool {
			ok, err := g.Can(c, resource, action)
			return err == nil && ok
		}
		path := c.Request.URL.Path
		for _, n := range nav {
			if n.Resource != "" && !gl.Can(n.Resource, "read") {
				continue
			}
			gl.Nav = append(gl.Nav, web.NavLink{Label: n.Label, Href: n.Href, Group: n.Group, Active: path == n.Href || strings.HasPrefix(path, n.Href+"/")})
		}
	}
}
