package tenant

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

// CacheTTL is how long a clinic's record is cached: a change made by
// another process (an operator command, a payment taken by another
// instance) is seen within it. It is short because the record decides
// access: a clinic that paid must not stay suspended, nor one whose
// operator suspended it stay open, for longer than a second. The cost is
// at most one read of the record (by its unique subdomain) per clinic and
// instance every CacheTTL; a change made through this instance's registry
// is seen at once. What a clinic's access depends on in time (a trial or
// a paid period running out) needs no change at all: it is computed on
// every request from the record and the clock (core/subscription).
const CacheTTL = 500 * time.Millisecond

const (
	// missTTL: unknown subdomains are remembered briefly, so requests for
	// made-up names do not each reach the database.
	missTTL   = 5 * time.Second
	maxCached = 10000 // clinics cached by subdomain; when full the cache starts over
)

// Check runs on every clinic request after the clinic is resolved; an error
// is the response. Subscriptions plug in here (expired → read-only, …).
type Check func(c *gin.Context, t *Tenant) error

// Resolver turns the request's host into its clinic, and builds Ward's
// absolute links. It implements app.HostResolver.
//
// Links come from PUBLIC_URL and nothing in the request: a Host or
// X-Forwarded-* header says whatever its sender likes, and a link built from
// one (in a reset mail asked for someone else's address) would lead there.
type Resolver struct {
	base     string
	scheme   string // of PUBLIC_URL
	public   string // host of PUBLIC_URL: BASE_DOMAIN and its port, if any
	registry *Registry
	store    *db.Store
	trusted  []netip.Prefix
	checks   []Check
}

var _ app.HostResolver = (*Resolver)(nil)

// NewResolver returns the resolver for base domain base, whose links start
// with publicURL (config.Config.PublicURL: scheme://base[:port]).
// X-Forwarded-Host is believed only from the trusted proxies.
func NewResolver(base, publicURL string, trustedProxies []string, reg *Registry, store *db.Store) *Resolver {
	scheme, host, _ := strings.Cut(publicURL, "://")
	r := &Resolver{base: base, scheme: scheme, public: host, registry: reg, store: store}
	for _, p := range trustedProxies {
		if pre, err := netip.ParsePrefix(p); err == nil {
			r.trusted = append(r.trusted, pre)
		} else if a, err := netip.ParseAddr(p); err == nil {
			r.trusted = append(r.trusted, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return r
}

// AddCheck adds a check run on every clinic request.
func (r *Resolver) AddCheck(c Check) { r.checks = append(r.checks, c) }

// Resolve implements app.HostResolver.
func (r *Resolver) Resolve(c *gin.Context) (app.Host, error) {
	kind, sub := ParseHost(r.host(c.Request), r.base)
	switch kind {
	case HostPlatform:
		return app.PlatformHost, nil
	case HostInvalid:
		return 0, r.noClinic(c)
	}
	ctx := c.Request.Context()
	t, err := r.lookup(ctx, sub)
	if err != nil {
		return 0, err
	}
	if t == nil || t.Status == StatusProvisioning {
		return 0, r.noClinic(c)
	}
	// The clinic's own pages are closed: the way on is Ward's start page
	// (a link to "/" here would lead back to this page).
	home := r.PlatformURL("/")
	switch t.Status {
	case StatusInactive:
		return 0, &web.Error{Status: http.StatusForbidden, Link: home, LinkText: "Go to Ward's start page",
			Message: t.Name + " is not active on Ward. If you work there, ask the person who manages your clinic's Ward account."}
	case StatusSuspended:
		return 0, &web.Error{Status: http.StatusForbidden, Link: home, LinkText: "Go to Ward's start page",
			Message: t.Name + "'s Ward account is suspended. Its records are kept safe. The person who manages your clinic's Ward account can have access restored."}
	}
	l := logging.FromContext(ctx).With().Str("tenant", t.Subdomain).Logger()
	ctx = logging.WithLogger(ctx, l)
	c.Request = c.Request.WithContext(WithTenant(ctx, t, r.store.ForTenant(t.ID)))
	for _, check := range r.checks {
		if err := check(c, t); err != nil {
			return 0, err
		}
	}
	return app.ClinicHost, nil
}

// Lookup returns the clinic with the subdomain through the cache, or nil.
func (r *Resolver) lookup(ctx context.Context, sub string) (*Tenant, error) {
	now := time.Now()
	if t, ok := r.registry.cache.Get(sub, now); ok {
		return t, nil
	}
	gen := r.registry.cache.Generation()
	t, err := r.registry.BySubdomain(ctx, sub)
	if err == ErrNotFound {
		r.registry.cache.Put(sub, nil, now.Add(missTTL), gen)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.registry.cache.Put(sub, t, now.Add(CacheTTL), gen)
	return t, nil
}

func (r *Resolver) noClinic(c *gin.Context) error {
	return &web.Error{
		Status:   http.StatusNotFound,
		Message:  "No clinic at this address. Check the spelling, or set up a new clinic on Ward.",
		Link:     r.PlatformURL("/tenant-onboard"),
		LinkText: "Set up a clinic",
	}
}

// host is the host the person asked for: the Host header, or the
// X-Forwarded-Host set by a trusted proxy.
func (r *Resolver) host(req *http.Request) string {
	if r.fromTrustedProxy(req) {
		if fh := req.Header.Get("X-Forwarded-Host"); fh != "" {
			return strings.TrimSpace(strings.Split(fh, ",")[0])
		}
	}
	return req.Host
}

func (r *Resolver) fromTrustedProxy(req *http.Request) bool {
	if len(r.trusted) == 0 {
		return false
	}
	h, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	for _, p := range r.trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// PlatformURL is the absolute URL of path on the platform host.
func (r *Resolver) PlatformURL(path string) string {
	return r.scheme + "://" + r.public + path
}

// ClinicHost is a clinic's public host name, with PUBLIC_URL's port if it
// has one: "sunrise.example.com".
func (r *Resolver) ClinicHost(sub string) string { return sub + "." + r.public }

// PlatformHost is the platform's public host name, with PUBLIC_URL's port
// if it has one.
func (r *Resolver) PlatformHost() string { return r.public }

// ClinicURL is the absolute URL of path on a clinic's host.
func (r *Resolver) ClinicURL(sub, path string) string {
	return r.scheme + "://" + r.ClinicHost(sub) + path
}
