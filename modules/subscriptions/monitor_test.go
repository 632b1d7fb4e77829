package subscriptions_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/jobs"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/modules/subscriptions"
)

// The monitor walks a clinic through its trial, grace and suspension,
// then a paid month: at each step two job runners run the daily job at
// once (one takes the day's lease) and the job is run twice more at once
// beside them (as `ward tenant monitor` may be). Each reminder reaches
// each admin exactly once, no one else; each transition is recorded once.
func testMonitor(t *testing.T, s *apptest.Server, mod *subscriptions.Module) {
	start := s.Clock.Now()
	t.Cleanup(func() { s.Clock.Set(start) })
	ctx := context.Background()
	cl := s.NewClinic(t, "monitor")
	second := s.NewUser(t, cl, "admin", "Second Admin", "second@monitor.test")
	s.NewUser(t, cl, "receptionist", "Rita Reception", "rita@monitor.test")
	jobList := mod.Jobs()
	if len(jobList) != 1 || jobList[0].Name != subscriptions.MonitorJob || jobList[0].Every != 24*time.Hour || !jobList[0].Single {
		t.Fatalf("jobs %+v", jobList)
	}
	job := jobList[0]
	runners := []*jobs.Runner{
		jobs.New(zerolog.Nop(), s.Clock, s.DB, []app.Job{job}),
		jobs.New(zerolog.Nop(), s.Clock, s.DB, []app.Job{job}),
	}
	run := func(at time.Time) {
		t.Helper()
		s.Clock.Set(at)
		apptest.AtOnce(4, func(i int) {
			if i < 2 {
				runners[i].RunOnce(ctx, job)
			} else if err := job.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	// mails lists the reminders queued, "subject → address", sorted.
	mails := func() []string {
		ms, err := mail.Outbox(ctx, cl.DB, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			if strings.HasPrefix(m.Key, "sub-mail:") {
				out = append(out, m.Subject+" → "+m.To)
			}
		}
		slices.Sort(out)
		return out
	}
	history := func() []string {
		es, err := subscription.Events(ctx, cl.DB, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range slices.Backward(es) {
			out = append(out, string(e.From)+"→"+string(e.To)+" by "+e.Source)
		}
		return out
	}
	both := func(subject string) []string {
		return []string{subject + " → " + cl.Admin.Email, subject + " → " + second.Email}
	}
	// Day N of the trial at 08:00 UTC, an hour before the time of day it
	// was signed up at (09:00): the trial ends on day 7 at 09:00.
	dayAt := func(n int) time.Time { return start.Add(time.Duration(n)*day - time.Hour) }
	var wantMails, wantHistory []string
	for _, step := range []struct {
		name    string
		at      time.Time
		mails   []string
		history []string
	}{
		{"day 0", start, nil, nil},
		{"day 5", dayAt(5), both("Your trial ends in 2 days"), nil},
		{"day 6", dayAt(6), nil, nil},
		{"day 7", dayAt(7), both("Your trial ends today"), nil},
		{"day 8", dayAt(8), nil, []string{"trial→grace by subscription monitor"}},
		{"day 14", dayAt(14), nil, nil},
		{"day 15", dayAt(15), nil, []string{"grace→suspended by subscription monitor"}},
		{"day 16", dayAt(16), nil, nil},
	} {
		run(step.at)
		wantMails = append(wantMails, step.mails...)
		wantHistory = append(wantHistory, step.history...)
		if got := mails(); !slices.Equal(got, sorted(wantMails)) {
			t.Errorf("%s: mails\n%s\nwant\n%s", step.name, strings.Join(got, "\n"), strings.Join(wantMails, "\n"))
		}
		if got := history(); !slices.Equal(got, wantHistory) {
			t.Errorf("%s: history %v, want %v", step.name, got, wantHistory)
		}
	}
	ms, _ := mail.Outbox(ctx, cl.DB, 100)
	for _, m := range ms {
		if m.Subject == "Your trial ends in 2 days" && (!strings.Contains(m.Text, "Clinic monitor's free trial of Ward ends in 2 days") ||
			!strings.Contains(m.Text, "/subscription")) {
			t.Errorf("the reminder says:\n%s", m.Text)
		}
	}

	// Paid on day 16 for a month: reminded a week and a day before it
	// ends; paid again, the new period is reminded of again.
	paidAt := dayAt(16)
	r, err := s.Platform.RecordPayment(ctx, cl.ID, subscription.NewPayment{Plan: "monthly", Reference: "MON-1",
		Provider: subscription.Manual, Method: "Bank transfer", Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	end := r.Payment.PeriodEnd
	if !end.Equal(paidAt.AddDate(0, 1, 0)) {
		t.Fatalf("paid until %v", end)
	}
	wantHistory = append(wantHistory, "suspended→active by test")
	for _, step := range []struct {
		name  string
		at    time.Time
		mails []string
	}{
		{"paid, 8 days ahead", end.Add(-8 * day), nil},
		{"paid, 7 days ahead", end.Add(-7 * day), both("Your Ward subscription is due for renewal in 7 days")},
		{"paid, 3 days ahead", end.Add(-3 * day), nil},
		{"paid, the day before", end.Add(-day), both("Your Ward subscription is due for renewal tomorrow")},
		{"paid, its last hour", end.Add(-time.Hour), nil},
	} {
		run(step.at)
		wantMails = append(wantMails, step.mails...)
		if got := mails(); !slices.Equal(got, sorted(wantMails)) {
			t.Errorf("%s: mails\n%s\nwant\n%s", step.name, strings.Join(got, "\n"), strings.Join(wantMails, "\n"))
		}
		if got := history(); !slices.Equal(got, wantHistory) {
			t.Errorf("%s: history %v, want %v", step.name, got, wantHistory)
		}
	}
	if _, err := s.Platform.RecordPayment(ctx, cl.ID, subscription.NewPayment{Plan: "monthly", Reference: "MON-2",
		Provider: subscription.Manual, Method: "Bank transfer", Source: "test"}); err != nil {
		t.Fatal(err)
	}
	wantHistory = append(wantHistory, "active→active by test")
	run(end.AddDate(0, 1, 0).Add(-7 * day))
	wantMails = append(wantMails, both("Your Ward subscription is due for renewal in 7 days")...)
	if got := mails(); !slices.Equal(got, sorted(wantMails)) {
		t.Errorf("the next period: mails\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantMails, "\n"))
	}
	if got := history(); !slices.Equal(got, wantHistory) {
		t.Errorf("the next period: history %v, want %v", got, wantHistory)
	}
	// The admins read the history on the subscription page, newest first.
	var rows []string
	s.SignedIn(t, cl.Host, cl.Admin.Email).Get(cl.Host, subscription.Path).Doc(t).Find("#history tbody tr td:nth-child(2)").Each(func(_ int, sel *goquery.Selection) {
		rows = append(rows, sel.Text())
	})
	if want := []string{"Active → active", "Suspended → active", "Read-only → suspended", "Free trial → read-only"}; !slices.Equal(rows, want) {
		t.Errorf("the page's history %v, want %v", rows, want)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
