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
// unless it already has (or the subscription was changed by hand since the
// payment was computed, which then stands), and records the change in the
// clinic's history. duplicate says the payment was found recorded; the
// result's Duplicate is false if this call extended the period after all.
func (p *Platform) applyPayment(ctx context.Context, tdb *db.Tenant, pay subscription.Payment, duplicate bool) (*Recorded, error) {
	id := tdb.ID()
	sub := tenant.Subscription{Plan: pay.Plan, Status: "active", ExpiresAt: pay.PeriodEnd, Revision: pay.ID}
	for range 3 {
		t, err := p.s.tenants.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if t.Subscription.Revision != pay.Extends {
			break // applied, or overtaken by an operator's change
		}
		ok, err := p.s.tenants.SetSubscription(ctx, id, pay.Extends, sub, p.s.Now())
		if err != nil {
			return nil, fmt.Errorf("kit: apply payment %s: %w", pay.Reference, err)
		}
		if ok {
			duplicate = false // a run cut short, completed now: this call extended
			break
		}
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
