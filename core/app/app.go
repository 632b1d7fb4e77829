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

	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/policies"
)

// App is one running Ward's HTTP side: every module's routes, permissions,
// navigation, indexes and jobs, checked at start, and the handler serving
// them.
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
	access      Guard
	middleware  []gin.HandlerFunc
	csrf        CSRF
	static      *Static
	clinical    map[string]bool // resources declared Clinical
	gates       []Gatekeeper
	unreported  []func(Route)
}

// CSRF checks state-changing requests and gives pages their token.
type CSRF interface {
	Check(c *gin.Context) error
	Token(c *gin.Context) string
}

// Guard decides who may call a clinic route: Check runs before the route's
// handler (an error is answered as the response; a check that answers
// itself aborts), Decorate fills the page globals that depend on the
// signed-in user (name, navigation, Can).
type Guard interface {
	Check(r Route) web.HandlerFunc
	Decorate(nav []NavEntry) web.Decorator
}

// Nav returns every module's navigation entries, in order.
func (a *App) Nav() []NavEntry { return slices.Clone(a.nav) }

// Deps are the parts of Ward's HTTP side that are not modules, all given at
// construction.
type Deps struct {
	Config    *config.Config
	Log       zerolog.Logger
	DB        *db.Store
	Clock     clock.Clock
	Templates fs.FS // shared layouts and partials
	Static    fs.FS // Ward's own static files plus the npm-installed vendor files
	// Hosts resolves a request's host (and loads its clinic); without it
	// only the platform host is served.
	Hosts HostResolver
	// Middleware runs on every request after Ward's own (logging,
	// recovery, headers) and before host resolution (sessions).
	Middleware []gin.HandlerFunc
	// CSRF checks every POST, PUT, PATCH and DELETE to a module route and
	// gives every page its token.
	CSRF CSRF
	// Access guards clinic routes; modules that declare clinic routes
	// cannot start without it.
	Access Guard
	// Roles, when set, are checked against the permission catalogue at
	// start: every default grant must name a declared permission.
	Roles []policies.Role
	// Indexes are core's own, by owner.
	Indexes map[string][]db.Index
}

// New checks and wires the modules, in order. Any problem — a duplicate
// module or route, a route without a declared permission or with one the
// catalogue lacks, a navigation entry for an unknown resource, a page name
// no template defines, an index not led by tenantId, a template that does
// not parse, a default role granting an unknown permission — stops start-up
// with a message naming the module.
func New(d Deps, modules ...Module) (*App, error) {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	a := &App{
		Config:     d.Config,
		Log:        d.Log,
		DB:         d.DB,
		Clock:      d.Clock,
		indexes:    map[string][]db.Index{},
		hosts:      d.Hosts,
		access:     d.Access,
		middleware: d.Middleware,
		csrf:       d.CSRF,
		static:     NewStatic(d.Static),
		clinical:   map[string]bool{},
	}
	if a.hosts == nil {
		a.hosts = baseDomainHosts{base: d.Config.BaseDomain}
	}
	for owner, ix := range d.Indexes {
		a.indexes[owner] = append(a.indexes[owner], ix...)
	}
	seen := map[string]bool{}
	sources := []web.Source{}
	var pageDecorators []web.Decorator
	for _, m := range modules {
		name := m.Name()
		if name == "" || strings.ContainsAny(name, "/ ") {
			return nil, fmt.Errorf("module %T: name %q must be one word", m, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("module %q registered twice", name)
		}
		seen[name] = true
		if tp, ok := m.(TemplateProvider); ok && tp.Templates() != nil {
			pages, err := pageFiles(tp.Templates())
			if err != nil {
				return nil, fmt.Errorf("module %q: templates: %w", name, err)
			}
			sources = append(sources, web.Source{Prefix: name, FS: pages})
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
		if g, ok := m.(Gatekeeper); ok {
			a.gates = append(a.gates, g)
		}
		if pd, ok := m.(PageDecorator); ok {
			pageDecorators = append(pageDecorators, pd.DecoratePage)
		}
		a.modules = append(a.modules, m)
	}
	sortNav(a.nav)
	shared, err := fs.Sub(d.Templates, "errors")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	sources = append(sources, web.Source{Prefix: "errors", FS: shared})
	decorators := []web.Decorator{a.decorate}
	if a.access != nil {
		decorators = append(decorators, a.access.Decorate(a.Nav()), groupNav)
	}
	decorators = append(decorators, pageDecorators...)
	r, err := web.NewRenderer(web.Templates{Shared: d.Templates, Funcs: template.FuncMap{"asset": a.static.URL},
		Sources: sources, Decorators: decorators})
	if err != nil {
		return nil, err
	}
	a.Render = r
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
	if err := a.checkDeclarations(d.Roles); err != nil {
		return nil, err
	}
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

// decorate fills the globals every page shows.
func (a *App) decorate(c *gin.Context, g *web.Globals) {
	g.RequestID = logging.RequestID(c.Request.Context())
	if a.csrf != nil {
		g.CSRFToken = a.csrf.Token(c)
	}
	g.Production = a.Config.Production()
	g.Platform = HostFrom(c) == PlatformHost
}

// pageFiles is a module's page templates: its templates folder when it has
// one, else the root of fsys.
func pageFiles(fsys fs.FS) (fs.FS, error) {
	if d, err := fs.Stat(fsys, "templates"); err == nil && d.IsDir() {
		return fs.Sub(fsys, "templates")
	}
	return fsys, nil
}
