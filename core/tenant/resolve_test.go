package tenant_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/landing"
)

const (
	noClinic = "No clinic at this address"
	noPage   = "There is no page at this address"
)

// addTenant inserts a clinic record with the status directly.
func addTenant(t testing.TB, s *apptest.Server, sub, name, status string) *tenant.Tenant {
	t.Helper()
	now := s.Clock.Now()
	tn := &tenant.Tenant{ID: db.NewID(), Name: name, Subdomain: sub, Status: status,
		Subscription: tenant.Subscription{Plan: "trial", Status: "trialing", ExpiresAt: now.AddDate(0, 0, 7)},
		CreatedAt:    now, UpdatedAt: now}
	if err := s.Platform.Tenants().Insert(context.Background(), tn); err != nil {
		t.Fatal(err)
	}
	return tn
}

// errorText is the error page's message paragraph.
func errorText(t *testing.T, r *apptest.Response) string {
	t.Helper()
	return strings.TrimSpace(r.Doc(t).Find("article.error-page p").First().Text())
}

func TestResolveHosts(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	addTenant(t, s, "sunrise", "Sunrise Clinic", tenant.StatusActive)
	addTenant(t, s, "building", "Building Clinic", tenant.StatusProvisioning)
	addTenant(t, s, "sleepy", "Sleepy Clinic", tenant.StatusInactive)
	addTenant(t, s, "closed", "Closed Clinic", tenant.StatusSuspended)
	c := s.Client(t)
	onboardURL := "http://localhost:" + s.Port + "/tenant-onboard"

	tests := []struct {
		name, host, path string
		status           int
		contains         string // in the error page's message (or the body for 200)
		onboardLink      bool   // the page links to the onboarding form
	}{
		{"platform host serves the landing page", "localhost", "/", 200, "Ward", false},
		{"www is the platform host", "www.localhost", "/", 200, "Ward", false},
		{"unknown subdomain", "nowhere.localhost", "/", 404, noClinic, true},
		{"unknown subdomain, any path", "nowhere.localhost", "/login", 404, noClinic, true},
		{"reserved name", "admin.localhost", "/", 404, noClinic, true},
		{"deeper name", "a.sunrise.localhost", "/", 404, noClinic, true},
		{"ip address", "127.0.0.1", "/", 404, noClinic, true},
		{"provisioning clinic is not reachable", "building.localhost", "/login", 404, noClinic, true},
		{"inactive clinic", "sleepy.localhost", "/", 403, "Sleepy Clinic is not active on Ward. If you work there, ask the person who manages your clinic's Ward account.", false},
		{"suspended clinic", "closed.localhost", "/login", 403, "Closed Clinic's Ward account is suspended. Its records are kept safe. The person who manages your clinic's Ward account can have access restored.", false},
		{"active clinic resolves", "sunrise.localhost", "/no-such-path", 404, noPage, false},
		{"active clinic, uppercase host", "SUNRISE.LOCALHOST", "/no-such-path", 404, noPage, false},
		{"platform-only page on a clinic host", "sunrise.localhost", "/", 404, noPage, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Get(tt.host, tt.path)
			if r.StatusCode != tt.status {
				t.Fatalf("GET %s%s: %d, want %d\n%s", tt.host, tt.path, r.StatusCode, tt.status, r.Body)
			}
			if !strings.Contains(r.Body, "<html") {
				t.Error("not a full page")
			}
			if tt.status == 200 {
				if !strings.Contains(r.Doc(t).Find("h1").First().Text(), tt.contains) {
					t.Errorf("landing page h1 does not mention %q", tt.contains)
				}
				return
			}
			if got := errorText(t, r); !strings.Contains(got, tt.contains) {
				t.Errorf("message = %q, want it to contain %q", got, tt.contains)
			}
			link := r.Doc(t).Find(`article.error-page a[href="` + onboardURL + `"]`)
			if tt.onboardLink && link.Length() == 0 {
				t.Errorf("no link to %s in\n%s", onboardURL, r.Body)
			}
			if !tt.onboardLink && link.Length() != 0 {
				t.Errorf("unexpected link to onboarding")
			}
		})
	}

	// An unknown clinic's page for htmx is the fragment, still a 404.
	r := c.Get("nowhere.localhost", "/", "HX-Request", "true")
	if r.StatusCode != 404 || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, noClinic) {
		t.Errorf("htmx request to an unknown clinic: %d\n%s", r.StatusCode, r.Body)
	}
}

func TestForwardedHostIgnoredWithoutTrustedProxy(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	addTenant(t, s, "sunrise", "Sunrise Clinic", tenant.StatusSuspended)
	c := s.Client(t)

	// Spoofed: the request is for localhost; X-Forwarded-Host from an
	// untrusted peer must not turn it into a clinic's request.
	r := c.Get("localhost", "/", "X-Forwarded-Host", "sunrise.localhost")
	if r.StatusCode != 200 {
		t.Fatalf("platform host with a spoofed X-Forwarded-Host: %d, want the landing page\n%s", r.StatusCode, r.Body)
	}
	// And the reverse: a clinic request cannot pretend to be the platform.
	r = c.Get("sunrise.localhost", "/", "X-Forwarded-Host", "localhost")
	if r.StatusCode != 403 {
		t.Fatalf("suspended clinic with a spoofed X-Forwarded-Host: %d, want 403", r.StatusCode)
	}
	// Nor can it change the links Ward builds.
	r = c.Get("nowhere.localhost", "/", "X-Forwarded-Host", "nowhere.localhost:9443", "X-Forwarded-Proto", "https")
	if want := "http://localhost:" + s.Port + "/tenant-onboard"; r.StatusCode != 404 || !strings.Contains(r.Body, `href="`+want+`"`) {
		t.Errorf("no-clinic link with spoofed forwarded headers: %d, want a link to %s\n%s", r.StatusCode, want, r.Body)
	}
}

func TestForwardedHostFromTrustedProxy(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}}, landing.New())
	addTenant(t, s, "sunrise", "Sunrise Clinic", tenant.StatusSuspended)
	addTenant(t, s, "dawn", "Dawn Clinic", tenant.StatusActive)
	c := s.Client(t)

	// The test client connects from 127.0.0.1, the trusted proxy.
	r := c.Get("localhost", "/", "X-Forwarded-Host", "sunrise.localhost")
	if r.StatusCode != 403 || !strings.Contains(r.Body, "Sunrise Clinic&#39;s Ward account is suspended") {
		t.Fatalf("X-Forwarded-Host from a trusted proxy was not used: %d\n%s", r.StatusCode, r.Body)
	}
	// The way on from a closed clinic is Ward's start page, not the clinic's
	// own "/", which is this same page.
	if href, want := r.Doc(t).Find(".error-page a").AttrOr("href", ""), "http://localhost:"+s.Port+"/"; href != want {
		t.Errorf("the suspended page links to %q, want Ward's start page %s", href, want)
	}
	r = c.Get("localhost", "/", "X-Forwarded-Host", "dawn.localhost")
	if r.StatusCode != 404 || errorText(t, r) != noPage+"." {
		t.Fatalf("active clinic through a trusted proxy: %d %q", r.StatusCode, errorText(t, r))
	}
	// The first of several forwarded hosts is the one the browser asked for.
	r = c.Get("localhost", "/", "X-Forwarded-Host", "sunrise.localhost, proxy.internal")
	if r.StatusCode != 403 {
		t.Errorf("first X-Forwarded-Host: %d, want 403", r.StatusCode)
	}
	// Without the header, the Host header counts.
	if r = c.Get("localhost", "/"); r.StatusCode != 200 {
		t.Errorf("platform host through a trusted proxy without X-Forwarded-Host: %d", r.StatusCode)
	}
	// Links come from PUBLIC_URL, not from the forwarded scheme and port.
	r = c.Get("localhost", "/", "X-Forwarded-Host", "nowhere.localhost:9443", "X-Forwarded-Proto", "https")
	if want := "http://localhost:" + s.Port + "/tenant-onboard"; r.StatusCode != 404 || !strings.Contains(r.Body, `href="`+want+`"`) {
		t.Errorf("no-clinic link through a trusted proxy: %d, want a link to %s\n%s", r.StatusCode, want, r.Body)
	}
}

func TestResolveCacheInvalidation(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	ctx := context.Background()
	tn := addTenant(t, s, "sunrise", "Sunrise Clinic", tenant.StatusActive)
	c := s.Client(t)

	if r := c.Get("sunrise.localhost", "/no-such-path"); r.StatusCode != 404 || errorText(t, r) != noPage+"." {
		t.Fatalf("active clinic: %d %q", r.StatusCode, errorText(t, r))
	}
	// The tenant is now cached; a change through the registry is seen at
	// once, not after the cache's lifetime.
	if ok, err := s.Platform.Tenants().SetStatus(ctx, tn.ID, tenant.StatusSuspended, s.Clock.Now()); err != nil || !ok {
		t.Fatalf("suspend: %v %v", ok, err)
	}
	if r := c.Get("sunrise.localhost", "/no-such-path"); r.StatusCode != 403 || !strings.Contains(errorText(t, r), "suspended") {
		t.Fatalf("after suspension: %d %q", r.StatusCode, errorText(t, r))
	}
	if _, err := s.Platform.Tenants().SetStatus(ctx, tn.ID, tenant.StatusInactive, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("sunrise.localhost", "/no-such-path"); r.StatusCode != 403 || !strings.Contains(errorText(t, r), "is not active") {
		t.Fatalf("after deactivation: %d %q", r.StatusCode, errorText(t, r))
	}
	if _, err := s.Platform.Tenants().SetStatus(ctx, tn.ID, tenant.StatusActive, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("sunrise.localhost", "/no-such-path"); r.StatusCode != 404 || errorText(t, r) != noPage+"." {
		t.Fatalf("after reactivation: %d %q", r.StatusCode, errorText(t, r))
	}

	// An unknown subdomain is remembered as missing, but creating the clinic
	// makes it reachable at once.
	if r := c.Get("later.localhost", "/no-such-path"); r.StatusCode != 404 || !strings.Contains(errorText(t, r), noClinic) {
		t.Fatalf("unknown clinic: %d %q", r.StatusCode, errorText(t, r))
	}
	later := addTenant(t, s, "later", "Later Clinic", tenant.StatusActive)
	if r := c.Get("later.localhost", "/no-such-path"); r.StatusCode != 404 || errorText(t, r) != noPage+"." {
		t.Fatalf("clinic created after a miss was cached: %d %q", r.StatusCode, errorText(t, r))
	}
	// Deleting it makes it unknown again at once.
	if _, err := s.Platform.Tenants().SetStatus(ctx, later.ID, tenant.StatusProvisioning, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Platform.Tenants().Purge(ctx, s.DB, later.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("later.localhost", "/no-such-path"); r.StatusCode != 404 || !strings.Contains(errorText(t, r), noClinic) {
		t.Fatalf("deleted clinic: %d %q", r.StatusCode, errorText(t, r))
	}

	// A change made behind the registry's back (another process) is seen
	// after InvalidateCache.
	coll := s.DB.Platform("test").Collection(tenant.Collection)
	if _, err := coll.Update(ctx, db.ID(tn.ID), db.Set("status", tenant.StatusSuspended)); err != nil {
		t.Fatal(err)
	}
	s.Platform.Tenants().InvalidateCache()
	if r := c.Get("sunrise.localhost", "/no-such-path"); r.StatusCode != 403 {
		t.Fatalf("after a direct change and InvalidateCache: %d", r.StatusCode)
	}
}

// benchServer starts Ward with one active clinic, cached by a first request.
func benchServer(b *testing.B) (*apptest.Server, http.Handler) {
	b.Helper()
	s := apptest.Start(b, apptest.Options{}, landing.New())
	addTenant(b, s, "sunrise", "Sunrise Clinic", tenant.StatusActive)
	h, err := s.App.Handler()
	if err != nil {
		b.Fatal(err)
	}
	return s, h
}

// BenchmarkResolveCachedTenant measures the resolver alone: host parsing,
// the cache hit and attaching the clinic to the request context.
func BenchmarkResolveCachedTenant(b *testing.B) {
	s, _ := benchServer(b)
	gin.SetMode(gin.ReleaseMode)
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	req := httptest.NewRequest(http.MethodGet, "http://sunrise.localhost:8080/patients", nil)
	c.Request = req
	if h, err := s.Platform.Links().Resolve(c); err != nil || h != app.ClinicHost {
		b.Fatalf("Resolve: %v %v", h, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.Request = req // Resolve replaces it with one carrying the clinic
		if _, err := s.Platform.Links().Resolve(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestCachedTenant measures a whole request to a clinic host
// that goes through resolution and ends in the 404 page (no module routes).
func BenchmarkRequestCachedTenant(b *testing.B) {
	_, h := benchServer(b)
	serve := func() int {
		req := httptest.NewRequest(http.MethodGet, "http://sunrise.localhost:8080/no-such-path", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if code := serve(); code != http.StatusNotFound {
		b.Fatalf("first request: %d", code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if code := serve(); code != http.StatusNotFound {
			b.Fatalf("status %d", code)
		}
	}
}

// The cache lifetime is short enough that a change made by another
// instance or process (a payment, an operator's suspension) reaches every
// instance within a second.
func TestCacheTTLIsShort(t *testing.T) {
	if tenant.CacheTTL <= 0 || tenant.CacheTTL > time.Second {
		t.Errorf("CacheTTL = %v", tenant.CacheTTL)
	}
}

// What the cache costs: a clinic's record is read once, then not again on
// the requests within CacheTTL; a change written behind the registry's
// back (another process) is seen within a second, with no invalidation.
func TestCachedClinicAndChangesFromElsewhere(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	tn := addTenant(t, s, "elsewhere", "Elsewhere Clinic", tenant.StatusActive)
	c := s.Client(t)
	get := func() (int, int64) {
		before := s.DB.Commands()
		r := c.Get("elsewhere.localhost", "/no-such-path")
		return r.StatusCode, s.DB.Commands() - before
	}
	if code, n := get(); code != http.StatusNotFound || n < 1 {
		t.Fatalf("first request: %d, %d commands; want the 404 page and a read of the clinic", code, n)
	}
	// Right after (well within CacheTTL): no read at all.
	if code, n := get(); code != http.StatusNotFound || n != 0 {
		t.Errorf("cached request: %d, %d commands; want none", code, n)
	}
	coll := s.DB.Platform("test").Collection(tenant.Collection)
	if _, err := coll.Update(context.Background(), db.ID(tn.ID), db.Set("status", tenant.StatusSuspended)); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	for {
		code, _ := get()
		if code == http.StatusForbidden {
			break
		}
		if time.Since(changed) > time.Second {
			t.Fatalf("the suspension is not seen after %v", time.Since(changed))
		}
		time.Sleep(10 * time.Millisecond) // polling
	}
	t.Logf("a change from elsewhere was seen after %v", time.Since(changed).Round(time.Millisecond))
}

// Checks added to the resolver (subscriptions plug in here) run on every
// clinic request once the clinic is known: an error is the answer.
func TestResolverChecksRunForClinics(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	addTenant(t, s, "sunrise", "Sunrise Clinic", tenant.StatusActive)
	late := addTenant(t, s, "late", "Late Clinic", tenant.StatusActive)
	var seen []string
	s.Platform.Links().AddCheck(func(c *gin.Context, tn *tenant.Tenant) error {
		seen = append(seen, tn.Subdomain)
		if tn.ID == late.ID {
			return &web.Error{Status: http.StatusPaymentRequired, Message: "Late Clinic's subscription has ended."}
		}
		return nil
	})
	c := s.Client(t)
	if r := c.Get("late.localhost", "/anything"); r.StatusCode != http.StatusPaymentRequired || errorText(t, r) != "Late Clinic's subscription has ended." {
		t.Fatalf("refused by the check: %d %q", r.StatusCode, errorText(t, r))
	}
	if r := c.Get("sunrise.localhost", "/anything"); r.StatusCode != http.StatusNotFound || errorText(t, r) != noPage+"." {
		t.Fatalf("passed by the check: %d %q", r.StatusCode, errorText(t, r))
	}
	c.Get("localhost", "/")
	c.Get("nowhere.localhost", "/")
	if strings.Join(seen, ",") != "late,sunrise" {
		t.Fatalf("the check ran for %v; want each clinic request only", seen)
	}
}

// An onboarding that has claimed its end is not purged under it; one that
// claimed it and then died is purged once the claim is old.
func TestPurgeLeavesAFinishingClinicAlone(t *testing.T) {
	ctx := context.Background()
	s := apptest.Start(t, apptest.Options{}, landing.New())
	tn := addTenant(t, s, "slow", "Slow Clinic", tenant.StatusProvisioning)
	tdb := s.DB.ForTenant(tn.ID)
	if err := tdb.Collection("settings").Insert(ctx, settings.Settings{ID: db.NewID(), ClinicName: "Slow Clinic"}); err != nil {
		t.Fatal(err)
	}
	if err := tenant.FinishClaim(ctx, tdb, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Platform.Tenants().Purge(ctx, s.DB, tn.ID, s.Clock.Now()); !errors.Is(err, tenant.ErrNotProvisioning) {
		t.Fatalf("purge of a finishing clinic: %v, want ErrNotProvisioning", err)
	}
	if n, _ := tdb.Collection("settings").Count(ctx, db.Filter{}); n != 1 {
		t.Fatal("the finishing clinic's records were deleted")
	}
	s.Clock.Advance(2 * time.Minute)
	if err := s.Platform.Tenants().Purge(ctx, s.DB, tn.ID, s.Clock.Now()); err != nil {
		t.Fatalf("purge after the finishing attempt died: %v", err)
	}
	if _, err := s.Platform.Tenants().ByID(ctx, tn.ID); !errors.Is(err, tenant.ErrNotFound) {
		t.Fatalf("record after purge: %v", err)
	}
	for _, coll := range []string{"settings", db.ClaimsCollection} {
		if n, _ := tdb.Collection(coll).Count(ctx, db.Filter{}); n != 0 {
			t.Errorf("%d documents left in %s", n, coll)
		}
	}
}
