package subscription_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/subscription"
)

var (
	rules = subscription.DefaultRules()
	// signUp is day 0 of a trial: 09:00 on a Monday.
	signUp  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	trialTo = signUp.AddDate(0, 0, 7)
	day     = 24 * time.Hour
)

func TestDefaultRules(t *testing.T) {
	if rules.Grace != 7*day || rules.TrialPlan != "trial" {
		t.Fatalf("rules = %+v, want a 7-day grace and the plan \"trial\"", rules)
	}
}

// The lifecycle of a trial, day by day: day N is N×24 h after sign-up, so
// the trial ends on day 7 at sign-up's time of day, and the grace on day
// 14 at that time.
func TestTrialDays(t *testing.T) {
	for _, tc := range []struct {
		name      string
		at        time.Time
		state     subscription.State
		daysLeft  int
		graceLeft int
	}{
		{"day 0, at sign-up", signUp, subscription.Trial, 7, 0},
		{"day 5", signUp.Add(5 * day), subscription.Trial, 2, 0},
		{"day 6, an hour later", signUp.Add(6*day + time.Hour), subscription.Trial, 1, 0},
		{"day 7, a minute before the end", trialTo.Add(-time.Minute), subscription.Trial, 1, 0},
		{"day 7, the instant of the end", trialTo, subscription.Grace, 0, 7},
		{"day 7, after the end", trialTo.Add(time.Hour), subscription.Grace, 0, 7},
		{"day 8", signUp.Add(8 * day), subscription.Grace, 0, 6},
		{"day 14, a minute before the grace ends", trialTo.Add(7*day - time.Minute), subscription.Grace, 0, 1},
		{"day 14, the instant the grace ends", trialTo.Add(7 * day), subscription.Suspended, 0, 0},
		{"day 15", signUp.Add(15 * day), subscription.Suspended, 0, 0},
		{"day 16", signUp.Add(16 * day), subscription.Suspended, 0, 0},
		{"a year later", signUp.AddDate(1, 0, 0), subscription.Suspended, 0, 0},
	} {
		st := rules.At("trial", trialTo, tc.at)
		if st.State != tc.state || st.DaysLeft() != tc.daysLeft || st.GraceDaysLeft() != tc.graceLeft {
			t.Errorf("%s: %s, %d days left, %d of grace; want %s, %d, %d",
				tc.name, st.State, st.DaysLeft(), st.GraceDaysLeft(), tc.state, tc.daysLeft, tc.graceLeft)
		}
		if st.Lapsed() != (tc.state == subscription.Grace || tc.state == subscription.Suspended) {
			t.Errorf("%s: Lapsed() = %v", tc.name, st.Lapsed())
		}
		if want := trialTo.Add(7 * day); !st.GraceEnds.Equal(want) {
			t.Errorf("%s: grace ends %v, want %v", tc.name, st.GraceEnds, want)
		}
	}
}

// A paid plan is active until its end, then lapses as a trial does; a
// clinic with no end date is active; `ward tenant set-expiry SUB DATE`'s
// end (DATE 23:59:59 UTC) is paid through DATE.
func TestPaidPlansAndEdges(t *testing.T) {
	paidTo := time.Date(2026, 4, 30, 23, 59, 59, 0, time.UTC) // set-expiry … 2026-04-30
	for _, tc := range []struct {
		name, plan string
		end, at    time.Time
		want       subscription.State
	}{
		{"monthly, paid", "monthly", paidTo, paidTo.Add(-10 * day), subscription.Active},
		{"monthly, last second of DATE", "monthly", paidTo, paidTo.Add(-time.Second), subscription.Active},
		{"monthly, the day after DATE", "monthly", paidTo, paidTo.Add(time.Hour), subscription.Grace},
		{"monthly, DATE+7 late", "monthly", paidTo, paidTo.Add(7*day - time.Second), subscription.Grace},
		{"monthly, DATE+8", "monthly", paidTo, paidTo.Add(7*day + time.Second), subscription.Suspended},
		{"yearly, paid", "yearly", paidTo, paidTo.AddDate(0, -6, 0), subscription.Active},
		{"an old plan name, paid", "standard", paidTo, paidTo.Add(-day), subscription.Active},
		{"an old plan name, lapsed", "standard", paidTo, paidTo.Add(8 * day), subscription.Suspended},
		{"no end date", "monthly", time.Time{}, paidTo, subscription.Active},
		{"no plan and no end date", "", time.Time{}, paidTo, subscription.Active},
	} {
		if got := rules.At(tc.plan, tc.end, tc.at).State; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if st := rules.At("monthly", time.Time{}, paidTo); st.DaysLeft() != 0 || !st.GraceEnds.IsZero() {
		t.Errorf("no end date: %d days left, grace ends %v", st.DaysLeft(), st.GraceEnds)
	}
}

// What each class of route answers, by state and role: "run" is the
// route's own answer.
func TestAccessTable(t *testing.T) {
	type class struct {
		name string
		req  subscription.Request
		kind subscription.Kind
	}
	classes := []class{
		{"GET page", subscription.Request{}, subscription.Page},
		{"POST form", subscription.Request{Write: true}, subscription.Page},
		{"htmx POST", subscription.Request{Write: true}, subscription.HTMX},
		{"htmx GET", subscription.Request{}, subscription.HTMX},
		{"API read", subscription.Request{}, subscription.API},
		{"API write", subscription.Request{Write: true}, subscription.API},
		{"sign-in page", subscription.Request{Open: true}, subscription.Page},
		{"sign-in/out POST", subscription.Request{Open: true, Write: true}, subscription.Page},
		{"password reset POST", subscription.Request{Open: true, Write: true}, subscription.Page},
		{"/subscription", subscription.Request{Open: true}, subscription.Page},
	}
	const (
		run = "run"
		see = "303 /subscription"
		hx  = "200 HX-Redirect /subscription"
		pay = "402"
		no  = "403"
	)
	open := []string{run, run, run, run}
	// want[state][role] lists the answers for classes, in order.
	want := map[subscription.State]map[string][]string{
		subscription.Trial: {
			"admin": append([]string{run, run, run, run, run, run}, open...),
			"other": append([]string{run, run, run, run, run, run}, open...),
		},
		subscription.Active: {
			"admin": append([]string{run, run, run, run, run, run}, open...),
			"other": append([]string{run, run, run, run, run, run}, open...),
		},
		subscription.Grace: {
			"admin": append([]string{run, see, hx, run, run, pay}, open...),
			"other": append([]string{run, see, hx, run, run, pay}, open...),
		},
		subscription.Suspended: {
			"admin": append([]string{see, see, hx, hx, pay, pay}, open...),
			"other": append([]string{no, no, no, no, no, no}, open...),
		},
	}
	at := map[subscription.State]subscription.Status{
		subscription.Trial:     rules.At("trial", trialTo, signUp),
		subscription.Active:    rules.At("monthly", trialTo, signUp),
		subscription.Grace:     rules.At("trial", trialTo, trialTo.Add(day)),
		subscription.Suspended: rules.At("trial", trialTo, trialTo.Add(8*day)),
	}
	for state, byRole := range want {
		st := at[state]
		if st.State != state {
			t.Fatalf("status for %s is %s", state, st.State)
		}
		for role, answers := range byRole {
			for i, cl := range classes {
				req := cl.req
				req.Admin = role == "admin"
				if got := describe(st.Decide(req).Answer(cl.kind)); got != answers[i] {
					t.Errorf("%s, %s, %s: %s, want %s", state, role, cl.name, got, answers[i])
				}
			}
		}
	}
}

func describe(a subscription.Answer) string {
	switch {
	case a.Status == 0:
		return "run"
	case a.Location != "":
		return fmt.Sprintf("%d %s", a.Status, a.Location)
	case a.HXRedirect != "":
		return fmt.Sprintf("%d HX-Redirect %s", a.Status, a.HXRedirect)
	}
	return fmt.Sprint(a.Status)
}

// Reminders by the clinic's calendar days: the trial's on day 5 and day 7
// (the window reaches to day 6, for a monitor that missed day 5), a paid
// plan's a week and a day before its end; none once lapsed.
func TestReminderDue(t *testing.T) {
	paidTo := time.Date(2026, 4, 30, 23, 59, 59, 0, time.UTC)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, tc := range []struct {
		name, plan string
		end, at    time.Time
		zone       *time.Location
		event      string
		subject    string
	}{
		{"trial day 0", "trial", trialTo, signUp, nil, "", ""},
		{"trial day 4", "trial", trialTo, signUp.Add(4 * day), nil, "", ""},
		{"trial day 5, early", "trial", trialTo, signUp.Add(5*day - 8*time.Hour), time.UTC, "trial-soon", "Your trial ends in 2 days"},
		{"trial day 5", "trial", trialTo, signUp.Add(5 * day), time.UTC, "trial-soon", "Your trial ends in 2 days"},
		{"trial day 6", "trial", trialTo, signUp.Add(6 * day), time.UTC, "trial-soon", "Your trial ends tomorrow"},
		{"trial day 7, before the end", "trial", trialTo, trialTo.Add(-time.Hour), time.UTC, "trial-today", "Your trial ends today"},
		{"trial day 7, after the end", "trial", trialTo, trialTo.Add(time.Hour), time.UTC, "", ""},
		// 09:00 UTC on day 7 is 18:00 in Tokyo: day 5 there starts at
		// 15:00 UTC on day 4.
		{"trial, Tokyo's day 5", "trial", trialTo, signUp.Add(4*day + 7*time.Hour), tokyo, "trial-soon", "Your trial ends in 2 days"},
		{"monthly, 8 days ahead", "monthly", paidTo, paidTo.Add(-8 * day), nil, "", ""},
		{"monthly, 7 days ahead", "monthly", paidTo, paidTo.Add(-7 * day), nil, "renew-week", "Your Ward subscription is due for renewal in 7 days"},
		{"monthly, 2 days ahead", "monthly", paidTo, paidTo.Add(-2 * day), nil, "renew-week", "Your Ward subscription is due for renewal in 2 days"},
		{"monthly, the day before", "monthly", paidTo, paidTo.Add(-day), nil, "renew-day", "Your Ward subscription is due for renewal tomorrow"},
		{"monthly, its last day", "monthly", paidTo, paidTo.Add(-time.Hour), nil, "renew-day", "Your Ward subscription is due for renewal today"},
		{"monthly, lapsed", "monthly", paidTo, paidTo.Add(time.Hour), nil, "", ""},
		{"no end", "monthly", time.Time{}, paidTo, nil, "", ""},
	} {
		rem, ok := rules.ReminderDue(rules.At(tc.plan, tc.end, tc.at), tc.zone)
		if ok != (tc.event != "") || rem.Event != tc.event || rem.Subject != tc.subject {
			t.Errorf("%s: %+v %v, want %q %q", tc.name, rem, ok, tc.event, tc.subject)
		}
	}
	// The last daily run before the end may fall on the clinic's day
	// before it (New York, a run 19 hours before an evening end): that run
	// sends the last reminder.
	ny, _ := time.LoadLocation("America/New_York")
	if rem, ok := rules.ReminderDue(rules.At("trial", trialTo, trialTo.Add(-19*time.Hour)), ny); !ok || rem.Event != "trial-today" {
		t.Errorf("the last run before the end, in New York: %+v %v", rem, ok)
	}
	if k := (subscription.Reminder{Event: "trial-soon"}).Key(trialTo); k != fmt.Sprintf("sub-mail:trial-soon:%d", trialTo.Unix()) {
		t.Errorf("key %s", k)
	}
}

// The transitions a clinic went through by the clock alone.
func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		name, plan string
		at         time.Time
		want       string
	}{
		{"trial", "trial", signUp.Add(5 * day), ""},
		{"trial, lapsed", "trial", trialTo.Add(day), "trial→grace@0"},
		{"trial, suspended", "trial", trialTo.Add(8 * day), "trial→grace@0 grace→suspended@7"},
		{"paid, lapsed", "monthly", trialTo.Add(day), "active→grace@0"},
	} {
		var got []string
		for _, e := range rules.Transitions(rules.At(tc.plan, trialTo, tc.at)) {
			got = append(got, fmt.Sprintf("%s→%s@%d", e.From, e.To, int(e.At.Sub(trialTo)/day)))
			if e.Key == "" {
				t.Errorf("%s: no key", tc.name)
			}
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, s, tc.want)
		}
	}
}
