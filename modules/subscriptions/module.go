// Package subscriptions is the clinic's Ward subscription: the page that
// shows its plan, dates and payments (/subscription), the banner a lapsed
// clinic shows, and the gate that keeps a lapsed clinic read-only and a
// suspended one closed. The lifecycle itself is core/subscription's: the
// state is computed on every request from the clinic's record and the
// clock, so access is right the moment the clock says so.
//
// Who administers a clinic's Ward account: whoever may change its settings
// (settings:update) — the Admin role by default. They see the plans and
// the pay buttons, and a suspended clinic sends them to /subscription;
// everyone else is told to contact them.
//
// Payments: an operator records a bank transfer (`ward tenant
// record-payment`); with Stripe configured, the admins pay by card through
// Stripe Checkout and Stripe's webhook records the payment (stripe.go).
// Both go through kit.Platform.RecordPayment, which is why this is a
// platform module. The daily monitor (monitor.go) records the clinic's
// transitions and mails the reminders.
package subscriptions

import (
	"embed"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/stripe/stripe-go/v82"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/policies"
)

//go:embed templates/*.html
var templates embed.FS

var showPage = web.NewPage("subscriptions/show")

// adminAccess is what makes someone an administrator of the clinic's Ward
// account.
var adminAccess = app.Allow("settings", "update")

// Module is the subscriptions module.
type Module struct {
	kit.Base
	rules subscription.Rules
	plans policies.Plans

	platform      *kit.Platform  // records payments (RecordPayment)
	stripe        *stripe.Client // nil: card payments are not set up
	webhookSecret string
}

// New returns the module.
func New() *Module {
	return &Module{Base: kit.NewBase("subscriptions", templates),
		rules: subscription.DefaultRules(), plans: policies.SubscriptionPlans()}
}

// Routes implements app.RouteDeclarer. The page and the card payment are
// open in every state: the page is where a lapsed clinic is sent. Stripe's
// webhook is on the platform host.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, subscription.Path, app.SignedIn.EvenLapsed(), m.show)
	r.Clinic(http.MethodPost, checkoutPath, adminAccess.EvenLapsed(), m.checkout)
	r.Webhook(http.MethodPost, WebhookPath, m.webhook)
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Subscription", Href: subscription.Path, Resource: "settings", Group: app.GroupAdmin, Order: 96}}
}

// status is the request's clinic's subscription status now.
func (m *Module) status(c *gin.Context) (subscription.Status, bool) {
	t := m.S.Tenant(c)
	if t == nil {
		return subscription.Status{}, false
	}
	return m.rules.At(t.Subscription.Plan, t.Subscription.ExpiresAt, m.S.Now()), true
}

// admin reports whether the signed-in person administers the clinic's
// account (false for no one signed in, or when it cannot be told).
func (m *Module) admin(c *gin.Context) bool {
	ok, err := m.S.Can(c, adminAccess.Resource, adminAccess.Action)
	if err != nil {
		logging.FromContext(c.Request.Context()).Warn().Err(err).Msg("permissions unreadable: treated as staff")
	}
	return err == nil && ok
}

// Messages a lapsed clinic's staff read.
const (
	msgReadOnly = "Nothing was saved: the clinic's Ward subscription has ended, and Ward is read-only until it is renewed."
	msgNotSaved = "Nothing was saved: the clinic is suspended until its Ward subscription is renewed."
	msgRenew    = "This clinic is suspended: its Ward subscription has ended. Renew it on the subscription page to open the clinic again."
	// msgUnavailable is what the public's pages of a lapsed clinic say.
	msgUnavailable = "This clinic does not take requests online at the moment. Please contact the clinic directly."
	// msgSuspended is the 403 that staff who cannot renew see.
	msgSuspended = "This clinic is suspended; contact your administrator. Its Ward subscription has ended; its records are kept safe."
)

// Gate implements app.Gatekeeper: it runs on every clinic route after the
// access guard. Trial and active clinics pass untouched (no query: the
// state is computed from the cached clinic record and the clock). In grace
// a write goes to /subscription (htmx: HX-Redirect; API: 402); suspended,
// admins are sent to /subscription and other staff refused, but on the
// routes open to lapsed clinics (app.Access.Lapsed).
func (m *Module) Gate(r app.Route) web.HandlerFunc {
	req := subscription.Request{Write: r.Method != http.MethodGet && r.Method != http.MethodHead, Open: r.Access.Lapsed}
	if req.Open {
		return nil
	}
	return func(c *gin.Context) error {
		st, ok := m.status(c)
		if !ok || !st.Lapsed() {
			return nil
		}
		if m.S.User(c) == nil { // the public's pages (online booking): closed, saying nothing of why
			return &web.Error{Status: http.StatusServiceUnavailable, Message: msgUnavailable}
		}
		rq := req
		if st.State == subscription.Suspended {
			rq.Admin = m.admin(c)
		}
		d := st.Decide(rq)
		switch d {
		case subscription.Allow:
			return nil
		case subscription.Refuse:
			return &web.Error{Status: http.StatusForbidden, Message: msgSuspended,
				Link: subscription.Path, LinkText: "See the clinic's subscription"}
		}
		msg := msgReadOnly
		switch {
		case st.State == subscription.Suspended && rq.Write:
			msg = msgNotSaved
		case st.State == subscription.Suspended:
			msg = msgRenew
		}
		ans := d.Answer(kindOf(c))
		if ans.Location == "" && ans.HXRedirect == "" {
			return &web.Error{Status: ans.Status, Message: msg}
		}
		if rq.Write {
			web.Flash(c, msg)
		}
		web.Redirect(c, subscription.Path) // 303, or HX-Redirect for htmx
		c.Abort()
		return nil
	}
}

// kindOf is the kind of client the request comes from.
func kindOf(c *gin.Context) subscription.Kind {
	switch {
	case web.IsAPI(c):
		return subscription.API
	case htmx.IsRequest(c.Request):
		return subscription.HTMX
	}
	return subscription.Page
}

// DecoratePage implements app.PageDecorator: a lapsed clinic's pages say
// so, and until when; admins get the way to renew, everyone else is asked
// to contact them.
func (m *Module) DecoratePage(c *gin.Context, g *web.Globals) {
	if g.UserName == "" { // no one signed in: the sign-in pages say nothing of it
		return
	}
	st, ok := m.status(c)
	if !ok || !st.Lapsed() {
		return
	}
	g.Notices = append(g.Notices, m.notice(st, g.Fmt, m.admin(c), c.Request.URL.Path == subscription.Path))
}

// notice is the banner of a lapsed clinic.
func (m *Module) notice(st subscription.Status, f web.Formats, admin, onPage bool) web.Notice {
	n := web.Notice{ID: "subscription-notice", Title: "Your subscription has ended."}
	if st.Plan == m.rules.TrialPlan {
		n.Title = "Your free trial has ended."
	}
	switch {
	case st.State == subscription.Grace:
		n.Text = "Ward is read-only until " + f.DateTime(st.GraceEnds) + ": you can look everything up, but nothing can be changed. After that the clinic is suspended until it is renewed."
	default:
		n.Title = "This clinic is suspended."
		n.Text = "Its Ward subscription ended on " + f.Date(st.ExpiresAt) + ". Its records are kept safe."
	}
	switch {
	case !admin:
		n.Text += " Ask your clinic's administrator to renew the subscription."
	case !onPage:
		n.Link, n.LinkText = subscription.Path, "Renew the subscription"
		if st.Plan == m.rules.TrialPlan {
			n.LinkText = "Choose a plan"
		}
	}
	return n
}
