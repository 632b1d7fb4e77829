// Package session keeps signed-in staff sessions on the server (in the
// database, through gin-contrib/sessions and the store in store.go), so a
// session can be ended from the server: at logout, when the user is
// deactivated or changes password. The cookie is host-only — a clinic's
// cookie never reaches another clinic — HttpOnly, SameSite=Lax, and Secure
// with the __Host- prefix in production.
package session

import (
	"context"
	"encoding/gob"
	"errors"
	"net/http"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"

	"github.com/wardclinic/ward/core/db"
)

// Collection holds the sessions (Store's document shape; no tenantId: the
// tenant is inside the session and checked on every request).
const Collection = "sessions"

// Lifetimes.
const (
	MaxAge = 7 * 24 * time.Hour // absolute: a session never lives longer
	// touchEvery limits writes: last-seen is refreshed at most this often.
	touchEvery = time.Minute
)

// Indexes: the cleanup job deletes by modification time (no TTL index: the
// embedded database has none).
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{"modified"}, Platform: true},
}

// Data is what a signed-in session holds.
type Data struct {
	UserID   string
	TenantID string
	Email    string
	RoleKey  string
	AuthAt   time.Time // when the password was checked
	// Pending: the password was right but the second factor is still to
	// come; such a session signs no one in.
	Pending   bool
	CreatedAt time.Time
	LastSeen  time.Time
}

func init() { gob.Register(Data{}) }

const dataKey = "ward"

// Manager reads and writes sessions.
type Manager struct {
	name   string
	secure bool
	store  *Store
	coll   *db.Collection
}

// NewManager returns the session manager. secret signs the cookie that
// carries the session id.
func NewManager(store *db.Store, secret []byte, production bool) *Manager {
	coll := store.Platform("sessions").Collection(Collection)
	name := "ward_session"
	if production {
		name = "__Host-ward_session" // the browser refuses it unless Secure, Path=/ and host-only
	}
	m := &Manager{name: name, secure: production, store: NewStore(coll, secret, MaxAge), coll: coll}
	m.store.Options(m.options(int(MaxAge.Seconds())))
	return m
}

// CookieName is the session cookie's name.
func (m *Manager) CookieName() string { return m.name }

func (m *Manager) options(maxAge int) sessions.Options {
	return sessions.Options{Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode}
}

// Middleware makes the session available to the request; nothing is read
// from the database until something asks for it.
func (m *Manager) Middleware() gin.HandlerFunc { return sessions.Sessions(m.name, m.store) }

func gorilla(s sessions.Session) *gsessions.Session {
	return s.(interface{ Session() *gsessions.Session }).Session()
}

// Current returns the session's data, if someone is signed in. It does not
// check expiry or the user: the auth middleware does.
func (m *Manager) Current(c *gin.Context) (Data, bool) {
	if _, err := c.Cookie(m.name); err != nil {
		return Data{}, false
	}
	d, ok := sessions.Default(c).Get(dataKey).(Data)
	return d, ok && d.UserID != ""
}

// ID returns the session's id ("" when none).
func (m *Manager) ID(c *gin.Context) string {
	if _, err := c.Cookie(m.name); err != nil {
		return ""
	}
	return gorilla(sessions.Default(c)).ID
}

// Start signs d in with a new session id: the pre-login session document is
// deleted and a new one created, so an id planted before sign-in is useless.
func (m *Manager) Start(c *gin.Context, d Data) error {
	s := sessions.Default(c)
	g := gorilla(s)
	if g.ID != "" {
		if _, err := m.coll.Delete(c.Request.Context(), db.ID(g.ID)); err != nil {
			return err
		}
	}
	g.ID = ""
	g.IsNew = true
	g.Values = map[any]any{}
	s.Options(m.options(int(MaxAge.Seconds())))
	s.Set(dataKey, d)
	return s.Save()
}

// Touch records activity, writing at most once a minute. The write only
// updates the stored session, in one statement: a session ended (logout,
// elsewhere) since this request read it is not written, stays ended, and
// Touch returns ErrExpired. A request with no stored session has nothing to
// touch: writing would create one.
func (m *Manager) Touch(c *gin.Context, d Data, now time.Time) error {
	if now.Sub(d.LastSeen) < touchEvery {
		return nil
	}
	s := sessions.Default(c)
	if g := gorilla(s); g.IsNew || g.ID == "" {
		return ErrExpired
	}
	d.LastSeen = now
	s.Set(dataKey, d)
	err := s.Save()
	if errors.Is(err, errEnded) {
		return ErrExpired
	}
	return err
}

// End deletes the session on the server and the cookie in the browser.
func (m *Manager) End(c *gin.Context) error {
	if _, err := c.Cookie(m.name); err != nil {
		return nil
	}
	s := sessions.Default(c)
	s.Clear()
	s.Options(m.options(-1))
	if err := s.Save(); err != nil {
		return err
	}
	// The rest of the request must not name the ended session (a page
	// rendered now binds its CSRF token to the visitor, not to it), and
	// nothing saved later in it may write to it.
	g := gorilla(s)
	g.ID, g.IsNew = "", true
	return nil
}

// Exists reports whether a session document with the id is stored (tests
// and the operator use it to see that logout really ended a session).
func (m *Manager) Exists(ctx context.Context, id string) (bool, error) {
	n, err := m.coll.Count(ctx, db.ID(id))
	return n > 0, err
}

// DeleteOlderThan removes sessions not written since before t (the cleanup
// job: expiry itself is enforced on every read).
func (m *Manager) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return m.coll.DeleteMany(ctx, db.Lt("modified", t))
}

// ErrExpired is returned by Check for a session past its lifetime, and by
// Touch for one no longer stored.
var ErrExpired = errors.New("session: expired")

// PendingMaxAge is how long the second factor may take after the password.
const PendingMaxAge = 5 * time.Minute

// Check returns ErrExpired when d is past its absolute lifetime or has been
// idle longer than idle.
func Check(d Data, now time.Time, idle time.Duration) error {
	if d.Pending && now.Sub(d.CreatedAt) > PendingMaxAge {
		return ErrExpired
	}
	if now.Sub(d.CreatedAt) > MaxAge || (idle > 0 && now.Sub(d.LastSeen) > idle) {
		return ErrExpired
	}
	return nil
}

func init() { db.ReservePlatform(Collection) }
