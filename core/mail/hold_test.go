package mail_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
)

func statuses(t *testing.T, tdb *db.Tenant) map[string]string {
	t.Helper()
	ms, err := mail.Outbox(context.Background(), tdb, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		out[m.Key] = m.Status
	}
	return out
}

func TestHeldMailWaitsForConfirmation(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, b := store.ForTenant("A"), store.ForTenant("B")
	tok, err := mail.HoldUntilConfirmed(ctx, a, "ada@a.test", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []mail.Message{
		{Key: "confirm", To: "ada@a.test", Account: true},        // the confirmation: goes out
		{Key: "reset-other", To: "eve@evil.test", Account: true}, // account mail to another address: held
		{Key: "invite", To: "dora@a.test"},                       // held
		{Key: "not-account", To: "ADA@a.test"},                   // to the address, but not account mail: held
	} {
		if err := mail.Queue(ctx, a, m, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := mail.Queue(ctx, b, mail.Message{Key: "invite", To: "bob@b.test"}, now); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"confirm": mail.StatusQueued, "reset-other": mail.StatusHeld, "invite": mail.StatusHeld, "not-account": mail.StatusHeld}
	if got := statuses(t, a); !maps.Equal(got, want) {
		t.Fatalf("while held: %v, want %v", got, want)
	}
	if got := statuses(t, b); got["invite"] != mail.StatusQueued {
		t.Fatalf("another clinic's mail: %v", got)
	}

	// The sender leaves held mail alone.
	s, _ := mail.NewSender(store, zerolog.Nop(), "", "Ward <no-reply@localhost>")
	if _, err := s.SendQueued(ctx, 100, now); err != nil {
		t.Fatal(err)
	}
	want["confirm"] = mail.StatusLogged
	if got := statuses(t, a); !maps.Equal(got, want) {
		t.Fatalf("after the sender ran: %v, want %v", got, want)
	}

	// Wrong, replaced and expired links confirm nothing.
	for _, bad := range []string{"", "nonsense", tok + "x"} {
		if err := mail.Confirm(ctx, a, bad, now); !errors.Is(err, mail.ErrLinkInvalid) {
			t.Fatalf("Confirm(%q) = %v", bad, err)
		}
	}
	if err := mail.Confirm(ctx, b, tok, now); !errors.Is(err, mail.ErrLinkInvalid) {
		t.Fatalf("A's link at B: %v", err)
	}
	if err := mail.Confirm(ctx, a, tok, now.Add(mail.ConfirmTTL+time.Second)); !errors.Is(err, mail.ErrLinkInvalid) {
		t.Fatalf("an expired link: %v", err)
	}
	renewed, err := mail.HoldUntilConfirmed(ctx, a, "ada@a.test", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.Confirm(ctx, a, tok, now); !errors.Is(err, mail.ErrLinkInvalid) {
		t.Fatalf("a replaced link: %v", err)
	}

	// Concurrent uses of the link: one confirms, the others are refused.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = mail.Confirm(ctx, a, renewed, now) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, mail.ErrLinkInvalid):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d uses of one link confirmed, want 1", ok)
	}
	want = map[string]string{"confirm": mail.StatusLogged, "reset-other": mail.StatusQueued, "invite": mail.StatusQueued, "not-account": mail.StatusQueued}
	if got := statuses(t, a); !maps.Equal(got, want) {
		t.Fatalf("after confirming: %v, want %v", got, want)
	}
	if _, err := mail.CurrentHold(ctx, a); !errors.Is(err, mail.ErrNotHeld) {
		t.Fatalf("the hold is still there: %v", err)
	}
	if err := mail.Queue(ctx, a, mail.Message{Key: "later", To: "nuru@a.test"}, now); err != nil {
		t.Fatal(err)
	}
	if got := statuses(t, a); got["later"] != mail.StatusQueued {
		t.Fatalf("mail after confirmation: %v", got)
	}
}

// Mail queued while the address is being confirmed is never left held:
// Queue looks at the hold before inserting, and Confirm may release the
// clinic's mail in between.
func TestNoMailStaysHeldAfterConfirmation(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for round := range 10 {
		tdb := store.ForTenant(fmt.Sprintf("clinic-%d", round))
		tok, err := mail.HoldUntilConfirmed(ctx, tdb, "ada@a.test", now)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				if err := mail.Queue(ctx, tdb, mail.Message{To: fmt.Sprintf("staff%d@a.test", i)}, now); err != nil {
					t.Error(err)
				}
			})
			if i == 10 {
				wg.Go(func() {
					if err := mail.Confirm(ctx, tdb, tok, now); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		for key, st := range statuses(t, tdb) {
			if st != mail.StatusQueued {
				t.Fatalf("round %d: %s is %s after the address was confirmed", round, key, st)
			}
		}
	}
}
