package kit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
)

// A payment extends the subscription by the plan's length from the old
// end while it is ahead, or from now once it has passed; the same
// reference recorded again (a retry, a second process) extends nothing;
// payments taken at once each count; the history says what changed.
func TestRecordPayment(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New())
	ctx := context.Background()
	now := s.Clock.Now()
	reg := s.Platform.Tenants()
	pay := func(t *testing.T, id, plan, ref string) (*kit.Recorded, error) {
		return s.Platform.RecordPayment(ctx, id, subscription.NewPayment{Plan: plan, Reference: ref,
			Provider: subscription.Manual, Method: "Bank transfer", Source: "test"})
	}
	sub := func(t *testing.T, id string) tenant.Subscription {
		tn, err := reg.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return tn.Subscription
	}

	t.Run("in the trial, from the trial's end; once per reference", func(t *testing.T) {
		t.Parallel()
		cl := s.NewClinic(t, "pay-trial")
		trialEnd := now.AddDate(0, 0, 7)
		r, err := pay(t, cl.ID, "monthly", "TR-1")
		if err != nil {
			t.Fatal(err)
		}
		want := trialEnd.AddDate(0, 1, 0)
		if r.Duplicate || r.Status.State != subscription.Active || !r.Payment.PeriodEnd.Equal(want) ||
			r.Payment.Amount != 4900 || r.Payment.Currency != "USD" || r.Payment.Before != subscription.Trial {
			t.Fatalf("recorded %+v", r)
		}
		if got := sub(t, cl.ID); got.Plan != "monthly" || got.Status != "active" || !got.ExpiresAt.Equal(want) || got.Revision != r.Payment.ID {
			t.Fatalf("subscription %+v", got)
		}
		again, err := pay(t, cl.ID, "monthly", "TR-1")
		if err != nil || !again.Duplicate || !sub(t, cl.ID).ExpiresAt.Equal(want) {
			t.Fatalf("again: %+v %v; ends %v", again, err, sub(t, cl.ID).ExpiresAt)
		}
		ps, err := subscription.History(ctx, cl.DB)
		if err != nil || len(ps) != 1 {
			t.Fatalf("payments %+v %v", ps, err)
		}
		es, err := subscription.Events(ctx, cl.DB, 10)
		if err != nil || len(es) != 1 || es[0].From != subscription.Trial || es[0].To != subscription.Active || es[0].Source != "test" {
			t.Fatalf("history %+v %v", es, err)
		}
	})

	t.Run("lapsed, from now", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name   string
			ended  time.Time
			before subscription.State
		}{
			{"grace", now.Add(-24 * time.Hour), subscription.Grace},
			{"suspended", now.AddDate(0, 0, -30), subscription.Suspended},
		} {
			cl := s.NewClinic(t, "pay-"+tc.name)
			if _, err := reg.SetExpiry(ctx, cl.ID, tc.ended, now); err != nil {
				t.Fatal(err)
			}
			r, err := pay(t, cl.ID, "yearly", "LAPSED-"+tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if want := now.AddDate(1, 0, 0); !r.Payment.PeriodEnd.Equal(want) || r.Payment.Before != tc.before || r.Status.State != subscription.Active {
				t.Errorf("%s: %+v, want the end %v", tc.name, r, want)
			}
		}
	})

	t.Run("payments at once each count", func(t *testing.T) {
		t.Parallel()
		cl := s.NewClinic(t, "pay-race")
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			for range 2 { // each payment twice: a retry racing the first try
				wg.Go(func() {
					_, err := pay(t, cl.ID, "monthly", fmt.Sprintf("RACE-%d", i))
					errs <- err
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		end := now.AddDate(0, 0, 7)
		for range n {
			end = end.AddDate(0, 1, 0)
		}
		if got := sub(t, cl.ID).ExpiresAt; !got.Equal(end) {
			t.Errorf("ends %v after %d payments, want %v", got, n, end)
		}
		ps, _ := subscription.History(ctx, cl.DB)
		es, _ := subscription.Events(ctx, cl.DB, 50)
		if len(ps) != n || len(es) != n {
			t.Errorf("%d payments and %d history entries, want %d", len(ps), len(es), n)
		}
	})

	t.Run("a run cut short is completed by the next", func(t *testing.T) {
		t.Parallel()
		cl := s.NewClinic(t, "pay-resume")
		// The first run claimed the reference and stored the payment,
		// then stopped before extending the subscription.
		if err := s.DB.Platform("test").Claim(ctx, "subscription-payment", "manual:CUT-1", now); err != nil {
			t.Fatal(err)
		}
		end := now.AddDate(0, 0, 7).AddDate(0, 1, 0)
		cut := subscription.Payment{ID: subscription.PaymentID(subscription.Manual, "CUT-1"), Plan: "monthly", Amount: 4900,
			Currency: "USD", Method: "Bank transfer", Provider: subscription.Manual, Reference: "CUT-1", Source: "test",
			PaidAt: now, From: now.AddDate(0, 0, 7), PeriodEnd: end, Before: subscription.Trial}
		if err := cl.DB.Collection(subscription.PaymentsCollection).Insert(ctx, cut); err != nil {
			t.Fatal(err)
		}
		r, err := pay(t, cl.ID, "monthly", "CUT-1")
		if err != nil || r.Duplicate || !sub(t, cl.ID).ExpiresAt.Equal(end) {
			t.Fatalf("completed: %+v %v; ends %v, want %v", r, err, sub(t, cl.ID).ExpiresAt, end)
		}
		if again, err := pay(t, cl.ID, "monthly", "CUT-1"); err != nil || !again.Duplicate || !sub(t, cl.ID).ExpiresAt.Equal(end) {
			t.Fatalf("again: %+v %v", again, err)
		}
	})

	t.Run("a run cut short, then an operator's new end date: the payment extends the new end", func(t *testing.T) {
		t.Parallel()
		cl := s.NewClinic(t, "pay-rebase")
		if err := s.DB.Platform("test").Claim(ctx, "subscription-payment", "manual:CUT-2", now); err != nil {
			t.Fatal(err)
		}
		cut := subscription.Payment{ID: subscription.PaymentID(subscription.Manual, "CUT-2"), Plan: "monthly", Amount: 4900,
			Currency: "USD", Method: "Bank transfer", Provider: subscription.Manual, Reference: "CUT-2", Source: "test",
			PaidAt: now, Extends: sub(t, cl.ID).Revision, From: now.AddDate(0, 0, 7), PeriodEnd: now.AddDate(0, 0, 7).AddDate(0, 1, 0),
			Before: subscription.Trial}
		if err := cl.DB.Collection(subscription.PaymentsCollection).Insert(ctx, cut); err != nil {
			t.Fatal(err)
		}
		moved := now.AddDate(0, 0, 20).Truncate(time.Second)
		if _, err := reg.SetExpiry(ctx, cl.ID, moved, now); err != nil {
			t.Fatal(err)
		}
		r, err := pay(t, cl.ID, "monthly", "CUT-2")
		if err != nil || !sub(t, cl.ID).ExpiresAt.Equal(moved.AddDate(0, 1, 0)) || sub(t, cl.ID).Revision != cut.ID {
			t.Fatalf("after the operator's change: %+v %v; ends %v, want %v", r, err, sub(t, cl.ID).ExpiresAt, moved.AddDate(0, 1, 0))
		}
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		a, b := s.NewClinic(t, "pay-ref-a"), s.NewClinic(t, "pay-ref-b")
		if _, err := pay(t, a.ID, "monthly", "SHARED"); err != nil {
			t.Fatal(err)
		}
		if _, err := pay(t, b.ID, "monthly", "SHARED"); !errors.Is(err, kit.ErrReferenceUsed) {
			t.Errorf("another clinic's reference: %v", err)
		}
		for _, tc := range []struct {
			plan, ref string
			want      error
		}{
			{"trial", "R1", subscription.ErrNoPlan},
			{"gold", "R1", subscription.ErrNoPlan},
			{"monthly", "", subscription.ErrReference},
			{"monthly", " R1", subscription.ErrReference},
			{"monthly", "R\x001", subscription.ErrReference},
		} {
			if _, err := pay(t, b.ID, tc.plan, tc.ref); !errors.Is(err, tc.want) {
				t.Errorf("%s %q: %v, want %v", tc.plan, tc.ref, err, tc.want)
			}
		}
		if got := sub(t, b.ID); got.Plan != "trial" {
			t.Errorf("b's subscription changed: %+v", got)
		}
		var n []subscription.Payment
		if err := b.DB.Collection(subscription.PaymentsCollection).Find(ctx, db.Filter{}, &n, db.FindOptions{}); err != nil || len(n) != 0 {
			t.Errorf("b's payments %v %v", n, err)
		}
	})
}
