package kit

import (
	"fmt"
	"io/fs"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/csrf"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/policies"
)

// Options are what Ward is built from.
type Options struct {
	Config    *config.Config
	Log       zerolog.Logger
	Store     *db.Store
	Clock     clock.Clock // nil: the system clock
	Templates fs.FS       // shared layouts, partials and error pages
	Static    fs.FS
}

// Ward is one assembled Ward: its HTTP side, the services its modules were
// given, and the platform services for what works across clinics (the
// operator's commands, onboarding).
type Ward struct {
	App      *app.App
	Services *Services
	Platform *Platform
	mail     *mail.Sender
}

// Build assembles Ward with the modules: core's services, the App (which
// checks what the modules declare), then each module's Provision. Any
// problem stops start-up with a message naming the module.
func Build(o Options, modules ...app.Module) (*Ward, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if err := policies.Check(); err != nil {
		return nil, err
	}
	key, err := secret(o.Config)
	if err != nil {
		return nil, fmt.Errorf("session secret: %w", err)
	}
	sender, err := mail.NewSender(o.Store, o.Log, o.Config.SMTPURL, o.Config.MailFrom)
	if err != nil {
		return nil, err
	}
	actions, err := catalogue(modules)
	if err != nil {
		return nil, fmt.Errorf("start-up refused: %w", err)
	}
	auth.SetHashCost(o.Config.PasswordCost)
	enf := rbac.NewEnforcer(o.Store, rbac.DefaultCacheSize)
	reg := tenant.NewRegistry(o.Store)
	sessions := session.NewManager(o.Store, key, o.Config.Production())
	s := &Services{
		Clock:    o.Clock,
		Log:      o.Log,
		config:   o.Config,
		store:    o.Store,
		tenants:  reg,
		resolver: tenant.NewResolver(o.Config.BaseDomain, o.Config.PublicURL, o.Config.TrustedProxies, reg, o.Store),
		sessions: sessions,
		csrf:     csrf.New(key, o.Config.Production(), sessions.ID),
		rbac:     enf,
		access:   access.New(sessions, enf, o.Clock, actions),
		actions:  actions,
		limiter:  auth.NewLimiter(o.Store),
		devices:  auth.NewDevices(key, o.Config.Production()),
		signups:  tenant.NewSignups(o.Store),
		finds:    tenant.NewFinds(o.Store, key),
		modules:  modules,
		rules:    subscription.DefaultRules(),
	}
	a, err := app.New(app.Deps{
		Config: o.Config, Log: o.Log, DB: o.Store, Clock: o.Clock, Templates: o.Templates, Static: o.Static,
		Hosts:      s.resolver,
		Middleware: []gin.HandlerFunc{sessions.Middleware()},
		CSRF:       s.csrf,
		Access:     s.access,
		Roles:      policies.DefaultRoles(),
		Indexes:    coreIndexes,
	}, modules...)
	if err != nil {
		return nil, fmt.Errorf("start-up refused: %w", err)
	}
	s.Render, s.app = a.Render, a
	w := &Ward{App: a, Services: s, Platform: &Platform{s: s}, mail: sender}
	for _, m := range modules {
		if p, ok := m.(Provisioner); ok {
			if err := p.Provision(s); err != nil {
				return nil, fmt.Errorf("start-up refused: module %q: %w", m.Name(), err)
			}
		}
		if p, ok := m.(PlatformModule); ok {
			if err := p.ProvisionPlatform(w.Platform); err != nil {
				return nil, fmt.Errorf("start-up refused: module %q: %w", m.Name(), err)
			}
		}
	}
	return w, nil
}

// coreIndexes are the indexes of core's own collections, by owner.
var coreIndexes = map[string][]db.Index{
	"core/db":           append(append([]db.Index{}, db.ClaimIndexes...), db.SequenceIndexes...),
	"core/tenant":       append(append([]db.Index{}, tenant.Indexes...), tenant.SignupIndexes...),
	"core/settings":     settings.Indexes,
	"core/auth":         append(append(append([]db.Index{}, auth.Indexes...), auth.FailureIndexes...), auth.ResetIndexes...),
	"core/session":      session.Indexes,
	"core/rbac":         rbac.Indexes,
	"core/mail":         mail.Indexes,
	"core/audit":        audit.Indexes,
	"core/kit":          platformIndexes,
	"core/subscription": append(append([]db.Index{}, subscription.PaymentIndexes...), subscription.HistoryIndexes...),
}

// catalogue is every audit action Ward records: core's and those the
// modules declare.
func catalogue(modules []app.Module) (*audit.Catalogue, error) {
	ds := []audit.Declaration{{By: "core", Actions: audit.CoreActions()}}
	for _, m := range modules {
		if d, ok := m.(app.AuditDeclarer); ok {
			ds = append(ds, audit.Declaration{By: m.Name(), Actions: d.AuditActions()})
		}
	}
	return audit.NewCatalogue(ds...)
}

// Sessions is core's session manager, for the operator's commands and
// tests (as are RBAC and Mail).
func (w *Ward) Sessions() *session.Manager { return w.Services.sessions }

// RBAC is the policy enforcer.
func (w *Ward) RBAC() *rbac.Enforcer { return w.Services.rbac }

// Mail is the sender of queued mail.
func (w *Ward) Mail() *mail.Sender { return w.mail }
