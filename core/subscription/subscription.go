// Package subscription is a clinic's subscription lifecycle as pure
// functions of its plan, the end of its paid (or trial) period and the
// time. Nothing here reads the database or the clock: the caller passes
// the clinic's record and the injected clock's time, so access is decided
// on every request from the record alone, and a clinic lapses the moment
// the clock says so, on every instance, without any job having run.
//
// The lifecycle, for a clinic whose period ends at expiresAt (the first
// instant it no longer covers):
//
//	trial      plan "trial" (policies/plans.json), now < expiresAt: full access
//	active     any other plan, now < expiresAt: full access
//	grace      expiresAt ≤ now < expiresAt + grace (7 days): read-only
//	suspended  now ≥ expiresAt + grace: admins reach only the subscription page
//
// Days are counted from sign-up in 24-hour steps: a clinic signed up on day
// 0 at 09:00 has expiresAt = day 7 at 09:00. So on day 7 the trial "ends
// today" (full access until 09:00, read-only from then), days 8 to 13 are
// read-only, day 14 is read-only until 09:00 and suspended from then, and
// day 15 is the first whole day of suspension. `ward tenant set-expiry SUB
// DATE` sets expiresAt to DATE 23:59:59 UTC: paid through DATE, read-only
// from the end of DATE for 7 days, suspended from the end of DATE+7.
//
// A clinic with no end date at all (expiresAt zero: an operator's own or a
// grandfathered clinic) is active: a missing date never locks anyone out.
//
// The state is not the tenant's status: StatusSuspended (core/tenant) is an
// operator's suspension, which closes the clinic whatever it paid.
package subscription

import (
	"net/http"
	"time"

	"github.com/wardclinic/ward/policies"
)

// State is where a clinic is in its subscription's lifecycle.
type State string

// The states, in the order a clinic that does not pay goes through them.
const (
	Trial     State = "trial"
	Active    State = "active"
	Grace     State = "grace"
	Suspended State = "suspended"
)

// Path is the subscription page: where a lapsed clinic is sent.
const Path = "/subscription"

// Rules are the lifecycle's parameters.
type Rules struct {
	Grace     time.Duration // how long a lapsed clinic stays readable
	TrialPlan string        // the key of the plan new clinics start on
}

// DefaultRules are Ward's rules, from policies/plans.json.
func DefaultRules() Rules {
	ps := policies.SubscriptionPlans()
	return Rules{Grace: time.Duration(ps.GraceDays) * 24 * time.Hour, TrialPlan: ps.Trial().Key}
}

// Status is a clinic's state at an instant, with the dates that bound it.
type Status struct {
	State State
	Plan  string
	// ExpiresAt is the end of the trial or paid period: the first instant
	// it no longer covers (zero: no end).
	ExpiresAt time.Time
	// GraceEnds is the first instant of suspension (zero with ExpiresAt).
	GraceEnds time.Time
	// Now is the instant the status was computed for.
	Now time.Time
}

// At is the status of a clinic on plan whose period ends at expiresAt, at
// the instant now.
func (r Rules) At(plan string, expiresAt, now time.Time) Status {
	s := Status{Plan: plan, ExpiresAt: expiresAt, Now: now}
	if expiresAt.IsZero() {
		s.State = Active
		return s
	}
	s.GraceEnds = expiresAt.Add(r.Grace)
	switch {
	case now.Before(expiresAt) && plan == r.TrialPlan:
		s.State = Trial
	case now.Before(expiresAt):
		s.State = Active
	case now.Before(s.GraceEnds):
		s.State = Grace
	default:
		s.State = Suspended
	}
	return s
}

// Lapsed reports whether the period has ended (grace or suspended).
func (s Status) Lapsed() bool { return s.State == Grace || s.State == Suspended }

// DaysLeft is how many days the period has left, counting a part of a day
// as a day: 2 from 36 hours before the end, 1 on its last day, 0 once it
// has ended (and for a period with no end).
func (s Status) DaysLeft() int { return daysUntil(s.Now, s.ExpiresAt) }

// GraceDaysLeft is, in grace, how many days are left until suspension,
// counted as DaysLeft counts.
func (s Status) GraceDaysLeft() int {
	if s.State != Grace {
		return 0
	}
	return daysUntil(s.Now, s.GraceEnds)
}

func daysUntil(now, end time.Time) int {
	if end.IsZero() || !now.Before(end) {
		return 0
	}
	d := end.Sub(now)
	n := int(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		n++
	}
	return n
}

// Request is what the lifecycle needs to know of a request to a clinic.
type Request struct {
	// Write: the request changes something (any method but GET and HEAD).
	Write bool
	// Open: the route serves lapsed clinics too (app.Access.Lapsed): sign-
	// in, sign-out, password reset, the subscription page.
	Open bool
	// Admin: the signed-in person administers the clinic's Ward account
	// (may change its settings: settings:update).
	Admin bool
}

// Decision is what happens to a request.
type Decision int

// The decisions.
const (
	// Allow: the route runs as it would for a paying clinic.
	Allow Decision = iota
	// ToSubscription: the person is sent to the subscription page (an API
	// client is told that payment is required).
	ToSubscription
	// Refuse: the clinic is suspended and the person cannot renew it.
	Refuse
)

// Decide is what happens to request r while the clinic is in this status.
// Trial and active clinics are open; in grace every write (but on open
// routes) goes to the subscription page; suspended, an admin is sent
// there from every page but the open ones, and anyone else is refused.
func (s Status) Decide(r Request) Decision {
	switch {
	case r.Open, !s.Lapsed():
		return Allow
	case s.State == Grace && !r.Write:
		return Allow
	case s.State == Grace, r.Admin:
		return ToSubscription
	}
	return Refuse
}

// Kind is the kind of client a request comes from, which decides how a
// decision is answered.
type Kind int

// The kinds of client.
const (
	Page Kind = iota // a browser loading a page or posting a form
	HTMX             // htmx (HX-Request): follows HX-Redirect, not a 303
	API              // a client of /api/…: the JSON envelope
)

// Answer is how a decision is answered.
type Answer struct {
	Status     int    // 0: the route's handler answers
	Location   string // a 303's Location
	HXRedirect string // htmx's HX-Redirect
}

// Answer is how d is answered to a client of kind k: Allow lets the route
// answer; ToSubscription is a 303 to the subscription page (htmx: 200 with
// HX-Redirect, as every redirect after an htmx post; API: 402 Payment
// Required); Refuse is a 403.
func (d Decision) Answer(k Kind) Answer {
	switch d {
	case ToSubscription:
		switch k {
		case API:
			return Answer{Status: http.StatusPaymentRequired}
		case HTMX:
			return Answer{Status: http.StatusOK, HXRedirect: Path}
		}
		return Answer{Status: http.StatusSeeOther, Location: Path}
	case Refuse:
		return Answer{Status: http.StatusForbidden}
	}
	return Answer{}
}
