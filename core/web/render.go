// Package web is the response side of Ward's HTTP: it renders pages and
// fragments from templates, redirects, answers JSON in the API envelope and
// turns errors into responses. Nothing else in Ward writes a response body.
package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/htmx"
)

// ContentBlock is the block every page defines; it is what an htmx request
// for the page receives.
const ContentBlock = "content"

// layoutBlock is the shared layout that wraps a page's content.
const layoutBlock = "layout"

// Globals are the values every page shows besides its own data: filled per
// request by the decorators core registers (request id, CSRF token, clinic,
// signed-in user, navigation).
type Globals struct {
	RequestID  string
	CSRFToken  string
	Platform   bool    // the platform host (landing, onboarding), not a clinic
	ClinicName string  // empty on the platform host
	Fmt        Formats // dates, times and money as the clinic chose
	UserName   string
	// Role names the signed-in user's role, as the clinic calls it; it is
	// looked up only when a page shows it (RoleName).
	Role func() string
	// Nav is every link the signed-in user may open, in order; NavGroups is
	// the same links under their headings, without those of UserMenu (the
	// person's own links: their profile), as the layout shows them.
	Nav        []NavLink
	NavGroups  []NavGroup
	UserMenu   []NavLink
	Production bool
	// ConfirmEmail asks the clinic's admin to confirm their email address:
	// until then the clinic's mail waits (core/mail's hold).
	ConfirmEmail bool
	// Notices are banners shown above the page's content, in order (a
	// clinic whose subscription has lapsed).
	Notices []Notice
	// Permit answers whether the signed-in user may do an action; templates
	// ask through Can to decide which buttons to show.
	Permit func(resource, action string) bool
}

// Can reports whether the signed-in user may do action on resource.
func (g Globals) Can(resource, action string) bool {
	return g.Permit != nil && g.Permit(resource, action)
}

// RoleName is the signed-in user's role name, or "" when no one is signed
// in or it cannot be read.
func (g Globals) RoleName() string {
	if g.Role == nil {
		return ""
	}
	return g.Role()
}

// Notice is a banner above a page's content: a sentence or two for the
// person, and where they can act on it, if anywhere.
type Notice struct {
	ID       string // the banner's element id
	Title    string // the bold start
	Text     string
	Link     string
	LinkText string
}

// NavLink is one navigation entry the current user may open.
type NavLink struct {
	Label  string
	Href   string
	Group  string // its heading (app.NavEntry.Group)
	Active bool
}

// NavGroup is one heading of the navigation and its links. The group of
// links above every heading has no Label.
type NavGroup struct {
	Label string
	Links []NavLink
}

// Page is what a template receives as its dot.
type Page struct {
	Title  string
	Data   any
	Errors map[string]string // field name → message, for forms
	Flash  string
	G      Globals
}

// Decorator adds per-request values to the page globals.
type Decorator func(c *gin.Context, g *Globals)

// Renderer holds every template, parsed once at start.
type Renderer struct {
	pages      map[string]*template.Template
	prefixes   map[string]bool // the sources' prefixes: the modules with pages
	decorators []Decorator
}

// Source is one set of page templates: its files become pages named
// "prefix/file" (without .html).
type Source struct {
	Prefix string
	FS     fs.FS // page files at its root, *.html
}

// Templates are what a Renderer is built from.
type Templates struct {
	Shared     fs.FS // layouts/*.html and partials/*.html
	Funcs      template.FuncMap
	Sources    []Source
	Decorators []Decorator // fill the page globals on every render, in order
}

// NewRenderer parses the shared layouts and partials, then every page of
// every source (with the source's own partials), each page in its own set
// so each can define its own "content". A template that does not parse, or a page without "content",
// is an error: Ward must not start with a broken page.
func NewRenderer(t Templates) (*Renderer, error) {
	base, err := template.New("").Funcs(funcs).Funcs(t.Funcs).ParseFS(t.Shared, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: shared: %w", err)
	}
	if base.Lookup(layoutBlock) == nil {
		return nil, fmt.Errorf("templates: shared layouts define no %q", layoutBlock)
	}
	r := &Renderer{pages: map[string]*template.Template{}, prefixes: map[string]bool{}, decorators: t.Decorators}
	for _, src := range t.Sources {
		r.prefixes[src.Prefix] = true
		files, err := fs.Glob(src.FS, "*.html")
		if err != nil {
			return nil, err
		}
		own, err := withPartials(base, src)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := src.Prefix + "/" + strings.TrimSuffix(path.Base(f), ".html")
			if _, dup := r.pages[name]; dup {
				return nil, fmt.Errorf("templates: page %q defined twice", name)
			}
			set, err := own.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := set.ParseFS(src.FS, f); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", name, err)
			}
			if set.Lookup(ContentBlock) == nil {
				return nil, fmt.Errorf("templates: %s defines no %q block", name, ContentBlock)
			}
			r.pages[name] = set
		}
	}
	return r, nil
}

// withPartials is base with the source's own partials (partials/*.html of
// its FS: templates its pages share, such as a calendar's column), or
// base itself when it has none.
func withPartials(base *template.Template, src Source) (*template.Template, error) {
	files, err := fs.Glob(src.FS, "partials/*.html")
	if err != nil || len(files) == 0 {
		return base, err
	}
	own, err := base.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := own.ParseFS(src.FS, "partials/*.html"); err != nil {
		return nil, fmt.Errorf("templates: %s partials: %w", src.Prefix, err)
	}
	return own, nil
}

// PageName names a page template, "module/file". Modules make theirs with
// NewPage, as package variables; at start Ward checks that every page of
// every module it runs exists (Missing), so a misspelt page stops start-up
// instead of failing the first person who opens it.
type PageName struct{ name string }

var (
	namesMu sync.Mutex
	names   []PageName
)

// NewPage declares the page name ("patients/list").
func NewPage(name string) PageName {
	p := PageName{name}
	namesMu.Lock()
	names = append(names, p)
	namesMu.Unlock()
	return p
}

func (p PageName) String() string { return p.name }

// Module is the name of the module the page belongs to.
func (p PageName) Module() string { m, _, _ := strings.Cut(p.name, "/"); return m }

// Missing returns the declared pages, of the modules this renderer has
// templates for, that no template defines.
func (r *Renderer) Missing() []PageName {
	namesMu.Lock()
	defer namesMu.Unlock()
	var out []PageName
	for _, p := range names {
		if _, ok := r.pages[p.name]; !ok && r.prefixes[p.Module()] {
			out = append(out, p)
		}
	}
	return out
}

// Page renders a page: the whole document, or only its content block when
// htmx asked for it. The answer varies on HX-Request, so caches keep the two
// apart.
func (r *Renderer) Page(c *gin.Context, status int, name PageName, p Page) error {
	block := layoutBlock
	if htmx.WantsFragment(c.Request) {
		block = ContentBlock
	}
	c.Header("Vary", "HX-Request")
	return r.execute(c, status, name.name, block, p)
}

// Fragment renders one named block of a page (a table body, a field's
// message), for htmx requests that replace part of a page.
func (r *Renderer) Fragment(c *gin.Context, status int, name PageName, block string, p Page) error {
	c.Header("Vary", "HX-Request")
	return r.execute(c, status, name.name, block, p)
}

// List renders a list's page, or only its results block when the request
// asks for them (search as you type, a page link: WantsResults).
func (r *Renderer) List(c *gin.Context, status int, name PageName, p Page) error {
	if WantsResults(c) {
		return r.Fragment(c, status, name, ResultsTarget, p)
	}
	return r.Page(c, status, name, p)
}

// execute renders into a buffer first, so a template error becomes a clean
// 500 instead of half a page.
func (r *Renderer) execute(c *gin.Context, status int, name, block string, p Page) error {
	set, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	for _, d := range r.decorators {
		d(c, &p.G)
	}
	if block == layoutBlock && p.Flash == "" {
		p.Flash = TakeFlash(c)
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, block, p); err != nil {
		return fmt.Errorf("render: %s/%s: %w", name, block, err)
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// Redirect answers a successful form post: 303 See Other for browsers, or
// HX-Redirect for htmx (a 303 would be followed inside the XHR and the
// target page swapped into the form).
func Redirect(c *gin.Context, url string) {
	if htmx.IsRequest(c.Request) {
		c.Header(htmx.HeaderRedirect, url)
		c.Status(http.StatusOK)
		return
	}
	c.Redirect(http.StatusSeeOther, url)
}
