package app

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

// App is one running Ward: the services modules use and the modules
// themselves.
type App struct {
	Config *config.Config
	Log    zerolog.Logger
	DB     *db.Store
	Clock  clock.Clock
	Render *web.Renderer

	modules     []Module
	routes      []Route
	indexes     map[string][]db.Index // owner → its indexes
	permissions []Permission
	nav         []NavEntry
	jobs        []Job
	hosts       HostResolver
	clinicChain []func(Route) gin.HandlerFunc
	middleware  []gin.HandlerFunc
	csrf        CSRF
	static      *Static
	clinical    map[string]bool // resources declared Clinical
	audit       AuditLog
	unreported  []func(Route)
}

// AuditLog appends an entry to the log of the request's clinic, with the
// signed-in user as its actor.
type AuditLog func(ctx context.Context, e audit.Entry) error

// CSRF checks state-changing requests and gives pages their token.
type CSRF interface {
	Check(c *gin.Context) error
	Token(c *gin.Context) string
}

// Use adds middleware run on every request after Ward's own (logging,
// recovery, headers) and before host resolution.
func (a *App) Use(mw ...gin.HandlerFunc) { a.middleware = append(a.middleware, mw...) }

// SetCSRF installs the CSRF guard: every POST, PUT, PATCH and DELETE to a
// module route is checked, and every page gets the token.
func (a *App) SetCSRF(g CSRF) { a.csrf = g }

// Nav returns every module's navigation entries, in order.
func (a *App) Nav() []NavEntry { return slices.Clone(a.nav) }

// Deps are what New needs besides the modules.
type Deps struct {
	Config    *config.Config
	Log       zerolog.Logger
	DB        *db.Store
	Clock     clock.Clock
	Templates fs.FS // shared layouts and partials
	Static    fs.FS // Ward's own static files plus the npm-installed vendor files
	// Audit writes the entries of views of clinical records; modules that
	// declare a clinical resource cannot start without it.
	Audit AuditLog
}

// New checks and wires the modules, in order. Any problem — a duplicate
// module or route, a route without a declared permission, an index not led by
// tenantId, a template that does not parse, a clinical resource with no audit
// log — stops start-up with a message naming the module.
func New(d Deps, modules ...Module) (*App, error) {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	noAudit := d.Audit == nil
	if noAudit {
		// A view reported on a clinic route then fails the request: a
		// response that cannot be audited is not shown.
		d.Audit = func(context.Context, audit.Entry) error { return errNoAuditLog }
	}
	a := &App{
		Config:   d.Config,
		Log:      d.Log,
		DB:       d.DB,
		Clock:    d.Clock,
		indexes:  map[string][]db.Index{},
		hosts:    baseDomainHosts{base: d.Config.BaseDomain},
		static:   NewStatic(d.Static),
		clinical: map[string]bool{},
		audit:    d.Audit,
	}
	seen := map[string]bool{}
	sources := []web.Source{}
	for _, m := range modules {
		name := m.Name()
		if name == "" || strings.ContainsAny(name, "/ ") {
			return nil, fmt.Errorf("module %T: name %q must be one word", m, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("module %q registered twice", name)
		}
		seen[name] = true
		if tp, ok := m.(TemplateProvider); ok {
			sources = append(sources, web.Source{Prefix: name, FS: tp.Templates()})
		}
		if ix, ok := m.(IndexDeclarer); ok {
			for _, i := range ix.Indexes() {
				if i.Platform {
					return nil, fmt.Errorf("module %q: index %q on %q: modules declare tenant-owned indexes only", name, i.Name(), i.Collection)
				}
				if err := i.Validate(); err != nil {
					return nil, fmt.Errorf("module %q: %w", name, err)
				}
			}
			a.indexes[name] = ix.Indexes()
		}
		if p, ok := m.(PermissionDeclarer); ok {
			for _, perm := range p.Permissions() {
				if perm.Clinical && noAudit {
					return nil, fmt.Errorf("module %q: resource %q is clinical but Ward has no audit log to record its views", name, perm.Resource)
				}
				a.clinical[perm.Resource] = a.clinical[perm.Resource] || perm.Clinical
			}
			a.permissions = append(a.permissions, p.Permissions()...)
		}
		if n, ok := m.(NavDeclarer); ok {
			a.nav = append(a.nav, n.Nav()...)
		}
		if j, ok := m.(JobDeclarer); ok {
			a.jobs = append(a.jobs, j.Jobs()...)
		}
		a.modules = append(a.modules, m)
	}
	sources = append(sources, web.Source{Prefix: "errors", FS: mustSub(d.Templates, "errors")})
	r, err := web.NewRenderer(d.Templates, template.FuncMap{"asset": a.static.URL}, sources...)
	if err != nil {
		return nil, err
	}
	a.Render = r
	a.Render.Decorate(a.decorate)

	for _, m := range a.modules {
		if p, ok := m.(Provisioner); ok {
			if err := p.Provision(a); err != nil {
				return nil, fmt.Errorf("module %q: %w", m.Name(), err)
			}
		}
	}
	for _, m := range a.modules {
		rd, ok := m.(RouteDeclarer)
		if !ok {
			continue
		}
		rs := &Routes{module: m.Name()}
		rd.Routes(rs)
		if len(rs.errs) > 0 {
			return nil, fmt.Errorf("module %q: %s", m.Name(), strings.Join(rs.errs, "; "))
		}
		a.routes = append(a.routes, rs.list...)
	}
	if err := checkDuplicateRoutes(a.routes); err != nil {
		return nil, err
	}
	sort.SliceStable(a.nav, func(i, j int) bool { return a.nav[i].Order < a.nav[j].Order })
	return a, nil
}

// AddIndexes declares indexes owned by core (owner names them in errors).
func (a *App) AddIndexes(owner string, ix ...db.Index) {
	a.indexes[owner] = append(a.indexes[owner], ix...)
}

// Routes returns every registered route (for the isolation sweep and docs).
func (a *App) Routes() []Route { return slices.Clone(a.routes) }

// Permissions returns the permission catalogue of every module.
func (a *App) Permissions() []Permission { return slices.Clone(a.permissions) }

// Jobs returns every module's background jobs.
func (a *App) Jobs() []Job { return slices.Clone(a.jobs) }

// TenantSeeders returns the modules that seed new clinics, in order.
func (a *App) TenantSeeders() []TenantSeeder {
	var out []TenantSeeder
	for _, m := range a.modules {
		if s, ok := m.(TenantSeeder); ok {
			out = append(out, s)
		}
	}
	return out
}

// Modules returns the registered modules in order.
func (a *App) Modules() []Module { return slices.Clone(a.modules) }

// Start waits for the database, creates every declared index and marks Ward
// ready. It returns early only when ctx ends or an index cannot be created.
func (a *App) Start(ctx context.Context) error {
	if err := a.DB.WaitReachable(ctx); err != nil {
		return err
	}
	owners := make([]string, 0, len(a.indexes))
	for o := range a.indexes {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, owner := range owners {
		if err := a.DB.EnsureIndexes(ctx, owner, a.indexes[owner]); err != nil {
			return fmt.Errorf("indexes: %w", err)
		}
	}
	a.DB.SetReady()
	a.Log.Info().Int("modules", len(a.modules)).Int("routes", len(a.routes)).Msg("ready")
	return nil
}

func checkDuplicateRoutes(routes []Route) error {
	seen := map[string]string{}
	for _, r := range routes {
		key := r.Host.String() + " " + r.Method + " " + r.Path
		if other, dup := seen[key]; dup {
			return fmt.Errorf("route %s declared by both %q and %q", key, other, r.Module)
		}
		seen[key] = r.Module
	}
	return nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// decorate fills the globals every page shows.
func (a *App) decorate(c *gin.Context, g *web.Globals) {
	g.RequestID = logging.RequestID(c.Request.Context())
	if a.csrf != nil {
		g.CSRFToken = a.csrf.Token(c)
	}
	g.Production = a.Config.Production()
	g.Platform = HostFrom(c) == PlatformHost
}
