package app

import (
	"fmt"
	"strings"

	"github.com/wardclinic/ward/core/web"
)

// Host says which kind of host a route answers on.
type Host int

const (
	// PlatformHost is BASE_DOMAIN itself (and www): landing page, onboarding.
	PlatformHost Host = iota + 1
	// ClinicHost is one clinic's subdomain.
	ClinicHost
)

func (h Host) String() string {
	switch h {
	case PlatformHost:
		return "platform"
	case ClinicHost:
		return "clinic"
	}
	return "unknown"
}

// Access is who may call a route.
type Access struct {
	Public   bool   // anyone, signed in or not
	SignedIn bool   // any signed-in user of the clinic
	Resource string // otherwise: users granted (Resource, Action)
	Action   string
	// Lapsed: the route also serves a clinic whose subscription has
	// lapsed (read-only grace, suspension): sign-in, sign-out, password
	// reset, the subscription page. Every other route is closed to writes
	// in grace and to everything once the clinic is suspended (see
	// app.Gatekeeper and core/subscription).
	Lapsed bool
}

// EvenLapsed returns a copy of the access rule whose route also serves a
// clinic whose subscription has lapsed: app.Public.EvenLapsed().
func (a Access) EvenLapsed() Access {
	a.Lapsed = true
	return a
}

// Public lets anyone call the route.
var Public = Access{Public: true}

// SignedIn lets any signed-in user of the clinic call the route.
var SignedIn = Access{SignedIn: true}

// Allow requires the permission (resource, action).
func Allow(resource, action string) Access { return Access{Resource: resource, Action: action} }

func (a Access) String() string {
	s := a.Resource + ":" + a.Action
	switch {
	case a.Public:
		s = "public"
	case a.SignedIn:
		s = "signed-in"
	}
	if a.Lapsed {
		s += " (even lapsed)"
	}
	return s
}

func (a Access) valid() bool {
	return a.Public || a.SignedIn || (a.Resource != "" && a.Action != "")
}

// Route is one registered route.
type Route struct {
	Module  string
	Host    Host
	Method  string
	Path    string // gin syntax: /patients/:id
	Access  Access
	Handler web.HandlerFunc
	// Signed: the route is called by another service that signs its
	// requests (a payment provider's webhook), not from Ward's pages; it
	// asks for no CSRF token, and its handler must check the signature.
	Signed bool
}

// Routes collects one module's routes.
type Routes struct {
	module string
	list   []Route
	errs   []string
}

// Platform adds a public route on the platform host.
func (r *Routes) Platform(method, path string, h web.HandlerFunc) {
	r.add(Route{Host: PlatformHost, Method: method, Path: path, Access: Public, Handler: h})
}

// Webhook adds a route on the platform host for another service's signed
// requests (Route.Signed): the handler verifies the signature before it
// believes a word of the body.
func (r *Routes) Webhook(method, path string, h web.HandlerFunc) {
	r.add(Route{Host: PlatformHost, Method: method, Path: path, Access: Public, Handler: h, Signed: true})
}

// Clinic adds a route on a clinic's host with its access rule.
func (r *Routes) Clinic(method, path string, access Access, h web.HandlerFunc) {
	r.add(Route{Host: ClinicHost, Method: method, Path: path, Access: access, Handler: h})
}

func (r *Routes) add(rt Route) {
	rt.Module = r.module
	switch {
	case rt.Handler == nil:
		r.errs = append(r.errs, fmt.Sprintf("%s %s has no handler", rt.Method, rt.Path))
	case !rt.Access.valid():
		r.errs = append(r.errs, fmt.Sprintf("%s %s declares no permission (use app.Public, app.SignedIn or app.Allow)", rt.Method, rt.Path))
	case !strings.HasPrefix(rt.Path, "/"):
		r.errs = append(r.errs, fmt.Sprintf("%s %s: path must start with /", rt.Method, rt.Path))
	}
	r.list = append(r.list, rt)
}
