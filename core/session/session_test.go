package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/session"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	idle := 30 * time.Minute
	fresh := session.Data{UserID: "u", TenantID: "t", CreatedAt: t0, LastSeen: t0, AuthAt: t0}
	active := fresh
	active.LastSeen = t0.Add(session.MaxAge - time.Minute) // in use to the end
	pending := fresh
	pending.Pending = true

	for _, tc := range []struct {
		name    string
		d       session.Data
		now     time.Time
		idle    time.Duration
		expired bool
	}{
		{"just started", fresh, t0, idle, false},
		{"idle 29 minutes", fresh, t0.Add(29 * time.Minute), idle, false},
		{"idle exactly the limit", fresh, t0.Add(idle), idle, false},
		{"idle 31 minutes", fresh, t0.Add(31 * time.Minute), idle, true},
		{"no idle limit", fresh, t0.Add(3 * 24 * time.Hour), 0, false},
		{"active, 7 days less a minute", active, t0.Add(session.MaxAge - time.Minute), idle, false},
		{"active, exactly 7 days", active, t0.Add(session.MaxAge), idle, false},
		{"active, past 7 days", active, t0.Add(session.MaxAge + time.Second), idle, true},
		{"no idle limit, past 7 days", fresh, t0.Add(8 * 24 * time.Hour), 0, true},
		{"pending, 4 minutes", pending, t0.Add(4 * time.Minute), 0, false},
		{"pending, 5 minutes", pending, t0.Add(session.PendingMaxAge), 0, false},
		{"pending, 6 minutes", pending, t0.Add(6 * time.Minute), 0, true},
		{"pending, 6 minutes, long idle limit", pending, t0.Add(6 * time.Minute), time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := session.Check(tc.d, tc.now, tc.idle)
			if tc.expired && !errors.Is(err, session.ErrExpired) {
				t.Fatalf("Check = %v, want ErrExpired", err)
			}
			if !tc.expired && err != nil {
				t.Fatalf("Check = %v, want nil", err)
			}
		})
	}
}

// openStore opens an empty store on the engine WARD_TEST_ENGINE names (the
// embedded one unless it says "mongo"), as the module suites do.
func openStore(t *testing.T) *db.Store {
	t.Helper()
	return dbtest.Open(t, session.Indexes...)
}

// harness runs a Manager on a fresh store behind a tiny gin app: /start
// signs in (Data from the test), /current reports, /end signs out.
type harness struct {
	m     *session.Manager
	store *db.Store
	h     http.Handler
	start session.Data
	// what the handlers saw
	current session.Data
	signed  bool
	id      string
	idAfter string
}

func newHarness(t *testing.T, production bool) *harness {
	t.Helper()
	store := openStore(t)
	gin.SetMode(gin.TestMode)
	hs := &harness{m: session.NewManager(store, []byte("0123456789abcdef0123456789abcdef"), production), store: store}
	e := gin.New()
	e.Use(hs.m.Middleware())
	e.GET("/start", func(c *gin.Context) {
		hs.id = hs.m.ID(c)
		if err := hs.m.Start(c, hs.start); err != nil {
			t.Error(err)
		}
		hs.idAfter = hs.m.ID(c)
	})
	e.GET("/current", func(c *gin.Context) {
		hs.current, hs.signed = hs.m.Current(c)
		hs.id = hs.m.ID(c)
	})
	e.GET("/touch", func(c *gin.Context) {
		d, _ := hs.m.Current(c)
		if err := hs.m.Touch(c, d, hs.start.LastSeen); err != nil {
			t.Error(err)
		}
	})
	e.GET("/end", func(c *gin.Context) {
		hs.id = hs.m.ID(c)
		if err := hs.m.End(c); err != nil {
			t.Error(err)
		}
		hs.idAfter = hs.m.ID(c)
	})
	hs.h = e
	return hs
}

// get sends GET path with the cookie (if any) and returns the response.
func (hs *harness) get(path string, cookie *http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "http://sunrise.localhost"+path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, req)
	return w.Result()
}

func sessionCookie(t *testing.T, hs *harness, r *http.Response) *http.Cookie {
	t.Helper()
	for _, ck := range r.Cookies() {
		if ck.Name == hs.m.CookieName() {
			return ck
		}
	}
	t.Fatalf("no %s cookie in %q", hs.m.CookieName(), r.Header.Values("Set-Cookie"))
	return nil
}

func (hs *harness) exists(t *testing.T, id string) bool {
	t.Helper()
	ok, err := hs.m.Exists(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestManagerLifecycle(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", Email: "a@b.test", AuthAt: t0, CreatedAt: t0, LastSeen: t0}

	// No cookie: nobody, no id.
	hs.get("/current", nil)
	if hs.signed || hs.id != "" {
		t.Fatalf("without a cookie: signed=%v id=%q", hs.signed, hs.id)
	}

	r := hs.get("/start", nil)
	ck := sessionCookie(t, hs, r)
	if ck.Name != "ward_session" || !ck.HttpOnly || ck.Secure || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", ck)
	}
	hs.get("/current", ck)
	first := hs.id
	if !hs.signed || hs.current.UserID != "u1" || hs.current.TenantID != "t1" || first == "" {
		t.Fatalf("Current = %+v, %v, id %q", hs.current, hs.signed, hs.id)
	}
	if !hs.exists(t, first) {
		t.Fatalf("Start stored no session %q", first)
	}
	if ck.Value == first {
		t.Fatal("the cookie carries the raw session id, unsigned")
	}

	// A tampered cookie is nobody's.
	bad := *ck
	bad.Value = ck.Value[:len(ck.Value)-2] + "xx"
	hs.get("/current", &bad)
	if hs.signed {
		t.Fatal("a tampered cookie was accepted")
	}

	// Start again from a signed-in browser: new id, old document deleted.
	r = hs.get("/start", ck)
	ck2 := sessionCookie(t, hs, r)
	if hs.id != first || hs.idAfter == first {
		t.Fatalf("second Start: id before %q, after %q (first %q)", hs.id, hs.idAfter, first)
	}
	hs.get("/current", ck2)
	second := hs.id
	if !hs.signed || second == "" || second == first {
		t.Fatalf("after the second Start the session is %q (first %q)", second, first)
	}
	if hs.exists(t, first) {
		t.Fatal("the previous session survived Start")
	}
	hs.get("/current", ck)
	if hs.signed {
		t.Fatal("the previous cookie still signs in")
	}

	// Touch rewrites last-seen at most once a minute.
	hs.start.LastSeen = t0.Add(30 * time.Second)
	hs.get("/touch", ck2)
	hs.get("/current", ck2)
	if !hs.current.LastSeen.Equal(t0) {
		t.Fatalf("Touch within a minute wrote LastSeen %v", hs.current.LastSeen)
	}
	hs.start.LastSeen = t0.Add(2 * time.Minute)
	hs.get("/touch", ck2)
	hs.get("/current", ck2)
	if !hs.current.LastSeen.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("Touch after 2 minutes: LastSeen %v", hs.current.LastSeen)
	}

	// End deletes the document and the cookie.
	r = hs.get("/end", ck2)
	if del := sessionCookie(t, hs, r); del.MaxAge >= 0 {
		t.Fatalf("End left the cookie: %+v", del)
	}
	if hs.exists(t, second) {
		t.Fatal("End left the session document")
	}
	hs.get("/current", ck2)
	if hs.signed {
		t.Fatal("an ended session's cookie still signs in")
	}
	// End without a session does nothing.
	if r := hs.get("/end", nil); len(r.Cookies()) != 0 {
		t.Fatalf("End without a session set %q", r.Header.Values("Set-Cookie"))
	}
}

func TestManagerProductionCookie(t *testing.T) {
	hs := newHarness(t, true)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", CreatedAt: t0, LastSeen: t0}
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	if ck.Name != "__Host-ward_session" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("production cookie %+v", ck)
	}
}

func TestDeleteOlderThan(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", CreatedAt: t0, LastSeen: t0}
	hs.get("/current", sessionCookie(t, hs, hs.get("/start", nil)))
	id := hs.id
	n, err := hs.m.DeleteOlderThan(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || n != 0 || !hs.exists(t, id) {
		t.Fatalf("cleanup of old sessions removed a fresh one: n=%d err=%v", n, err)
	}
	n, err = hs.m.DeleteOlderThan(context.Background(), time.Now().Add(time.Minute))
	if err != nil || n != 1 || hs.exists(t, id) {
		t.Fatalf("cleanup: n=%d err=%v exists=%v", n, err, hs.exists(t, id))
	}
}

// After End the rest of the request must not name the ended session: the
// CSRF guard binds a page's token to Manager.ID, and a page rendered in the
// request that ended a session (GET /login with an expired session) must
// carry a token the visitor's next POST can match.
func TestIDIsEmptyAfterEnd(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", CreatedAt: t0, LastSeen: t0}
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	hs.get("/end", ck)
	if hs.id == "" {
		t.Fatal("no id before End")
	}
	if hs.idAfter != "" {
		t.Fatalf("after End, ID still returns the ended session %q", hs.idAfter)
	}
}

// A request that read the session before a logout in another tab must not
// bring it back when it records activity afterwards: saving a session that
// is not new only updates its document.
func TestTouchAfterLogoutDoesNotReviveTheSession(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", AuthAt: t0, CreatedAt: t0, LastSeen: t0}
	loaded, proceed := make(chan struct{}), make(chan struct{})
	var touchErr error
	hs.h.(*gin.Engine).GET("/slow", func(c *gin.Context) {
		d, _ := hs.m.Current(c) // what access.Guard reads first
		close(loaded)
		<-proceed // the user lookup, meanwhile
		touchErr = hs.m.Touch(c, d, t0.Add(2*time.Minute))
	})
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	done := make(chan struct{})
	go func() { hs.get("/slow", ck); close(done) }()
	<-loaded
	hs.get("/end", ck)
	id := hs.id
	close(proceed)
	<-done
	if !errors.Is(touchErr, session.ErrExpired) {
		t.Errorf("Touch of a session ended meanwhile: %v, want ErrExpired", touchErr)
	}
	hs.get("/current", ck)
	if hs.signed || hs.exists(t, id) {
		t.Fatalf("session %s ended at logout is back (signed in: %v)", id, hs.signed)
	}
}

// The document holds the id, the encoded values and the times; the cookie
// carries only the signed id.
func TestSessionDocument(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", Email: "someone@example.test", CreatedAt: t0, LastSeen: t0}
	before := time.Now()
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	hs.get("/current", ck)
	var doc bson.M
	coll := hs.store.Platform("test").Collection(session.Collection)
	if err := coll.FindOne(context.Background(), db.ID(hs.id), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 4 || doc["_id"] != hs.id || doc["data"] == nil || doc["modified"] == nil || doc["expiresAt"] == nil {
		t.Fatalf("session document %v", doc)
	}
	exp, ok := doc["expiresAt"].(primitive.DateTime)
	if !ok || exp.Time().Before(before.Add(session.MaxAge-time.Minute)) || exp.Time().After(time.Now().Add(session.MaxAge)) {
		t.Fatalf("expiresAt %v, want about %v from now", doc["expiresAt"], session.MaxAge)
	}
	if len(hs.id) != 43 {
		t.Fatalf("session id %q: want 32 random bytes in base64url", hs.id)
	}
	if len(ck.Value) > 200 {
		t.Fatalf("the cookie carries more than a signed id (%d bytes)", len(ck.Value))
	}
}

// A document past its expiresAt signs no one in, and is not written to.
func TestExpiredDocumentIsNobodys(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", CreatedAt: t0, LastSeen: t0}
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	hs.get("/current", ck)
	id := hs.id
	coll := hs.store.Platform("test").Collection(session.Collection)
	n, err := coll.Update(context.Background(), db.ID(id), db.Set("expiresAt", time.Now().Add(-time.Second)))
	if err != nil || n != 1 {
		t.Fatalf("expiring the document: n=%d err=%v", n, err)
	}
	hs.get("/current", ck)
	if hs.signed || hs.id != "" {
		t.Fatalf("an expired session signs in: signed=%v id=%q", hs.signed, hs.id)
	}
}

// Touch never creates a session: with a cookie whose session is gone (or
// no cookie at all) it writes nothing and reports ErrExpired.
func TestTouchWithoutStoredSessionCreatesNone(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", CreatedAt: t0, LastSeen: t0}
	var touchErr error
	hs.h.(*gin.Engine).GET("/blind-touch", func(c *gin.Context) {
		touchErr = hs.m.Touch(c, hs.start, t0.Add(time.Hour))
	})
	ck := sessionCookie(t, hs, hs.get("/start", nil))
	hs.get("/end", ck)
	coll := hs.store.Platform("test").Collection(session.Collection)
	for _, c := range []*http.Cookie{ck, nil} {
		if r := hs.get("/blind-touch", c); len(r.Cookies()) != 0 {
			t.Errorf("Touch set a cookie: %q", r.Header.Values("Set-Cookie"))
		}
		if !errors.Is(touchErr, session.ErrExpired) {
			t.Errorf("Touch without a stored session: %v, want ErrExpired", touchErr)
		}
		if n, err := coll.Count(context.Background(), db.Filter{}); err != nil || n != 0 {
			t.Fatalf("Touch without a stored session left %d documents (%v)", n, err)
		}
	}
}

// Requests that record activity while a logout ends the same session must
// never bring it back, however they interleave: each round, 15 requests
// Touch the session (late enough that Touch writes) while one Ends it.
func TestTouchRacingEnd(t *testing.T) {
	hs := newHarness(t, false)
	hs.start = session.Data{UserID: "u1", TenantID: "t1", AuthAt: t0, CreatedAt: t0, LastSeen: t0}
	e := hs.h.(*gin.Engine)
	var failures sync.Map
	e.GET("/race-touch", func(c *gin.Context) {
		d, ok := hs.m.Current(c)
		if !ok {
			return // already ended: nobody to touch
		}
		err := hs.m.Touch(c, d, t0.Add(2*time.Minute))
		if errors.Is(err, session.ErrExpired) {
			err = hs.m.End(c) // what access.Guard does
		}
		if err != nil {
			failures.Store(err.Error(), true)
		}
	})
	e.GET("/race-end", func(c *gin.Context) {
		if err := hs.m.End(c); err != nil {
			failures.Store(err.Error(), true)
		}
	})
	const rounds, touchers = 50, 15
	for round := range rounds {
		ck := sessionCookie(t, hs, hs.get("/start", nil))
		hs.get("/current", ck)
		id := hs.id
		if !hs.signed || id == "" {
			t.Fatalf("round %d: Start signed no one in", round)
		}
		begin := make(chan struct{})
		var wg sync.WaitGroup
		for i := range touchers + 1 {
			path := "/race-touch"
			if i == touchers/2 {
				path = "/race-end"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-begin
				hs.get(path, ck)
			}()
		}
		close(begin)
		wg.Wait()
		failures.Range(func(k, _ any) bool {
			t.Errorf("round %d: %s", round, k)
			return true
		})
		if hs.exists(t, id) {
			t.Fatalf("round %d: session %s ended at logout is back", round, id)
		}
		hs.get("/current", ck)
		if hs.signed {
			t.Fatalf("round %d: the ended session's cookie still signs in", round)
		}
	}
}
