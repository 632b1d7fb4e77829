package kit

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/policies"
)

// ErrReferenceUsed is returned when the provider's reference was already
// recorded for another clinic.
var ErrReferenceUsed = errors.New("kit: this payment reference was already recorded for another clinic")

// Recorded is what recording a payment did.
type Recorded struct {
	Payment subscription.Payment
	// Duplicate: the reference had been recorded before; nothing was
	// extended again.
	Duplicate bool
	// Status is the clinic's subscription after the payment, at its time.
	Status subscription.Status
}

// RecordPayment records a payment for the clinic with id and extends its
// subscription: every way a clinic pays (the operator's record-payment
// command, a card payment's webhook, the operator console) goes through
// it. The plan decides the amount, the currency and the length; the new
// end is the plan's length from the old end while that is ahead, or from
// now (subscription.Renewal). The clinic becomes active on the plan at
// once on every instance (each re-reads the clinic's record within
// tenant.CacheTTL), and its history says from which state and by whom.
//
// Recording is idempotent per provider and reference — a retried webhook
// or a command run twice extends once — and correct when two payments for
// one clinic arrive at once (each extends the other's end). No step needs
// a transaction; a run cut short is completed by the next with the same
// reference:
//
//  1. the platform claims {provider, reference} (a unique insert); a
//     reference already claimed is a retry, unless its payment belongs
//     to another clinic (ErrReferenceUsed);
//  2. the payment is inserted with an id made from the provider and the
//     reference, naming the subscription revision it extends: the unique
//     index on {tenantId, extends} lets one payment extend each revision,
//     so a concurrent payment that read the same revision finishes the
//     winner's work and computes its own period again from the result;
//  3. the clinic's subscription is set to the payment's period, on
//     condition that its revision is still the one extended, and gets the
//     payment's id as its revision (so doing it twice changes nothing);
//  4. the history records the change, once per payment (a unique key).
func (p *Platform) RecordPayment(ctx context.Context, id string, np subscription.NewPayment) (*Recorded, error) {
	plan, err := np.Check(policies.SubscriptionPlans())
	if err != nil {
		return nil, err
	}
	now := p.s.Now()
	pid := subscription.PaymentID(np.Provider, np.Reference)
	claim := p.s.store.Platform("claim of a subscription payment's reference")
	err = claim.Claim(ctx, "subscription-payment", np.Provider+":"+np.Reference, now)
	retry := errors.Is(err, db.ErrClaimed)
	if err != nil && !retry {
		return nil, fmt.Errorf("kit: claim payment %s: %w", np.Reference, err)
	}
	tdb := p.s.store.ForTenant(id)
	payments := tdb.Collection(subscription.PaymentsCollection)
	if retry {
		if err := p.otherClinics(ctx, pid, id); err != nil {
			return nil, err
		}
	}
	for range 10 {
		var pay subscription.Payment
		err := payments.FindOne(ctx, db.ID(pid), &pay)
		if err == nil { // recorded before: finish what may be left to do
			return p.applyPayment(ctx, tdb, pay, true)
		}
		if !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		t, err := p.s.tenants.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		sub := t.Subscription
		from, end := subscription.Renewal(plan, sub.ExpiresAt, now)
		pay = subscription.Payment{ID: pid, Plan: plan.Key, Amount: plan.Price, Currency: plan.Currency,
			Method: np.Method, Provider: np.Provider, Reference: np.Reference, Source: np.Source, PaidAt: now,
			Extends: sub.Revision, From: from, PeriodEnd: end,
			Before: p.s.rules.At(sub.Plan, sub.ExpiresAt, now).State}
		err = payments.Insert(ctx, pay)
		if err == nil {
			return p.applyPayment(ctx, tdb, pay, false)
		}
		if !db.IsDuplicate(err) {
			return nil, fmt.Errorf("kit: record payment %s: %w", np.Reference, err)
		}
		// Either the same payment, recorded meanwhile (found at the top
		// of the loop), or another that extends the same revision: finish
		// that one, then start again from the period it bought.
		var other subscription.Payment
		if err := payments.FindOne(ctx, db.Eq("extends", sub.Revision), &other); err == nil && other.ID != pid {
			if _, err := p.applyPayment(ctx, tdb, other, true); err != nil {
				return nil, err
			}
		}
	}
	return nil, fmt.Errorf("kit: record payment %s: the clinic's subscription kept changing", np.Reference)
}

// wasApplied reports whether pay extended the clinic's subscription once
// (its history entry is written, or a later payment extends it), though the
// subscription has moved on since.
func (p *Platform) wasApplied(ctx context.Context, tdb *db.Tenant, pay subscription.Payment) (bool, error) {
	n, err := tdb.Collection(subscription.HistoryCollection).Count(ctx, db.Eq("key", "payment:"+pay.ID))
	if err != nil || n > 0 {
		return n > 0, err
	}
	n, err = tdb.Collection(subscription.PaymentsCollection).Count(ctx, db.Eq("extends", pay.ID))
	return n > 0, err
}

// rebase computes a recorded payment's period again from the clinic's
// subscription as it is now (cur), and stores it: the payment now extends
// cur's revision. If another payment extends that revision already, that
// one is applied first and the caller looks again.
func (p *Platform) rebase(ctx context.Context, tdb *db.Tenant, pay subscription.Payment, cur tenant.Subscription) (subscription.Payment, error) {
	plan, ok := policies.SubscriptionPlans().Find(pay.Plan)
	if !ok {
		return pay, fmt.Errorf("kit: payment %s: no plan %q", pay.Reference, pay.Plan)
	}
	payments := tdb.Collection(subscription.PaymentsCollection)
	from, end := subscription.Renewal(plan, cur.ExpiresAt, p.s.Now())
	_, err := payments.Update(ctx, db.And(db.ID(pay.ID), db.Eq("extends", pay.Extends)),
		db.Set("extends", cur.Revision).Set("from", from).Set("periodEnd", end))
	if db.IsDuplicate(err) {
		var other subscription.Payment
		if err := payments.FindOne(ctx, db.Eq("extends", cur.Revision), &other); err == nil && other.ID != pay.ID {
			if _, err := p.applyPayment(ctx, tdb, other, true); err != nil {
				return pay, err
			}
		}
	} else if err != nil {
		return pay, fmt.Errorf("kit: rebase payment %s: %w", pay.Reference, err)
	}
	err = payments.FindOne(ctx, db.ID(pay.ID), &pay) // as stored now, by this call or another
	return pay, err
}

// otherClinics returns ErrReferenceUsed when the payment with id was
// recorded for a clinic other than tenantID.
func (p *Platform) otherClinics(ctx context.Context, paymentID, tenantID string) error {
	var owner struct {
		Tenant string `bson:"tenantId"`
	}
	all := p.s.store.Platform("is a payment reference another clinic's").Collection(subscription.PaymentsCollection)
	err := all.FindOne(ctx, db.ID(paymentID), &owner)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil // claimed by a run cut short: this one completes it
	case err != nil:
		return err
	case owner.Tenant != tenantID:
		return ErrReferenceUsed
	}
	return nil
}

// applyPayment sets the clinic's subscription to the period pay bought,
// unless it already has — computing the period again if the subscription
// was changed by hand since the payment was computed — and records the
// change in the clinic's history once it is applied. duplicate says the payment was found recorded; the
// result's Duplicate is false if this call extended the period after all.
func (p *Platform) applyPayment(ctx context.Context, tdb *db.Tenant, pay subscription.Payment, duplicate bool) (*Recorded, error) {
	id := tdb.ID()
	applied := false
	for range 5 {
		t, err := p.s.tenants.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if t.Subscription.Revision == pay.ID {
			applied = true
			break
		}
		if t.Subscription.Revision != pay.Extends {
			done, err := p.wasApplied(ctx, tdb, pay)
			if err != nil || done {
				applied = done // applied, and later payments or changes came after it
				if err != nil {
					return nil, err
				}
				break
			}
			// Overtaken before it was applied: the subscription changed (an
			// operator's new end date) after the payment was computed. It
			// still buys its period, from the subscription as it is now.
			if pay, err = p.rebase(ctx, tdb, pay, t.Subscription); err != nil {
				return nil, err
			}
			continue
		}
		sub := tenant.Subscription{Plan: pay.Plan, Status: "active", ExpiresAt: pay.PeriodEnd, Revision: pay.ID}
		ok, err := p.s.tenants.SetSubscription(ctx, id, pay.Extends, sub, p.s.Now())
		if err != nil {
			return nil, fmt.Errorf("kit: apply payment %s: %w", pay.Reference, err)
		}
		if ok {
			duplicate, applied = false, true // a run cut short, completed now: this call extended
			break
		}
	}
	if !applied {
		return nil, fmt.Errorf("kit: apply payment %s: the clinic's subscription kept changing; record it again", pay.Reference)
	}
	_, err := subscription.Record(ctx, tdb, subscription.Event{Key: "payment:" + pay.ID, From: pay.Before,
		To: subscription.Active, At: pay.PaidAt, RecordedAt: p.s.Now(), Source: pay.Source,
		Note: pay.Method + " " + pay.Reference})
	if err != nil {
		return nil, fmt.Errorf("kit: history of payment %s: %w", pay.Reference, err)
	}
	t, err := p.s.tenants.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	st := p.s.rules.At(t.Subscription.Plan, t.Subscription.ExpiresAt, p.s.Now())
	return &Recorded{Payment: pay, Duplicate: duplicate, Status: st}, nil
}
