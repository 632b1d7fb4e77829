package subscriptions

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/money"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/web"
)

// view is the subscription page.
type view struct {
	Status    subscription.Status
	PlanName  string
	StateText string // the state in words
	Admin     bool   // may renew: sees the plans, the pay buttons and the payments
	// CardPayments: the pay buttons open Stripe Checkout (else they are
	// shown disabled, with the way to pay by bank transfer).
	CardPayments bool
	StartedAt    time.Time
	DaysLeft     int
	GraceLeft    int
	Plans        []planView
	Payments     []paymentView
	History      []eventView
}

// eventView is one line of the subscription's history.
type eventView struct {
	subscription.Event
	Change string // "Free trial → read-only"
}

// maxEvents is how many history entries the page shows.
const maxEvents = 20

// stateNames are the states in words, for the history.
var stateNames = map[subscription.State]string{
	subscription.Trial: "free trial", subscription.Active: "active",
	subscription.Grace: "read-only", subscription.Suspended: "suspended",
}

// planView is a plan offered, its price written out.
type planView struct {
	Key, Name, Description, Price, Period string
	Current                               bool
}

// paymentView is one line of the payment history.
type paymentView struct {
	subscription.Payment
	PlanName, Amount string
}

func (m *Module) show(c *gin.Context) error {
	st, _ := m.status(c)
	t := m.S.Tenant(c)
	v := view{Status: st, PlanName: m.planName(st.Plan), StartedAt: t.CreatedAt, DaysLeft: st.DaysLeft(),
		GraceLeft: st.GraceDaysLeft(), Admin: m.admin(c), CardPayments: m.cardPayments()}
	v.StateText = stateText(st, v.PlanName)
	if v.Admin {
		for _, p := range m.plans.ForSale() {
			v.Plans = append(v.Plans, planView{Key: p.Key, Name: p.Name, Description: p.Description,
				Price: money.Format(p.Price, p.Currency), Period: period(p.Days, p.Months), Current: p.Key == st.Plan})
		}
		ps, err := subscription.History(c.Request.Context(), m.S.Clinic(c))
		if err != nil {
			return err
		}
		for _, p := range ps {
			v.Payments = append(v.Payments, paymentView{Payment: p, PlanName: m.planName(p.Plan), Amount: money.Format(p.Amount, p.Currency)})
		}
		es, err := subscription.Events(c.Request.Context(), m.S.Clinic(c), maxEvents)
		if err != nil {
			return err
		}
		for _, e := range es {
			change := stateNames[e.From] + " → " + stateNames[e.To]
			v.History = append(v.History, eventView{Event: e, Change: strings.ToUpper(change[:1]) + change[1:]})
		}
	}
	return m.S.Render.Page(c, http.StatusOK, showPage, web.Page{Title: "Subscription", Data: v})
}

// planName is the plan's name for people ("Monthly"); a plan no longer
// offered keeps its key.
func (m *Module) planName(key string) string {
	if p, ok := m.plans.Find(key); ok {
		return p.Name
	}
	if key == "" {
		return "No plan"
	}
	return key
}

// stateText is the state in words.
func stateText(st subscription.Status, plan string) string {
	switch st.State {
	case subscription.Trial:
		return "Free trial: every feature is open."
	case subscription.Active:
		return plan + " subscription: every feature is open."
	case subscription.Grace:
		return "Ended: Ward is read-only for this clinic until the subscription is renewed, and suspended after the grace period."
	}
	return "Suspended: the clinic's records are kept safe, but no one can work in it until the subscription is renewed."
}

// period writes a plan's length: "month", "year", "7 days".
func period(days, months int) string {
	switch {
	case days == 0 && months == 1:
		return "month"
	case days == 0 && months == 12:
		return "year"
	case days == 0:
		return plural(months, "month")
	case months == 0:
		return plural(days, "day")
	}
	return plural(months, "month") + " and " + plural(days, "day")
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
