package subscription

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/policies"
)

// PaymentsCollection holds the payments each clinic made for its Ward
// subscription. It is tenant-owned (every payment carries the clinic's
// tenantId), so the clinic's admins read their own history through the
// clinic's handle; it is written only by platform code (the operator's
// command, the payment provider), never by a clinic's request. It is not
// "payments": that name is left to the payments patients make to a clinic.
const PaymentsCollection = "subscription_payments"

// PaymentIndexes serve the history, newest first, and make each revision
// of a clinic's subscription extended by one payment only: two payments
// taken at once cannot both add their period to the same end date and
// leave the clinic one period short.
var PaymentIndexes = []db.Index{
	{Collection: PaymentsCollection, Keys: []string{db.TenantField, "-paidAt"}},
	{Collection: PaymentsCollection, Keys: []string{db.TenantField, "extends"}, Unique: true},
}

// Providers of payments: how the money came.
const (
	// Manual: a bank transfer (or any payment outside Ward) that an
	// operator recorded.
	Manual = "manual"
	// Stripe: a card payment through Stripe Checkout.
	Stripe = "stripe"
)

// Payment is one payment for a clinic's subscription.
type Payment struct {
	ID     string `bson:"_id"`
	Plan   string `bson:"plan"`
	Amount int64  `bson:"amount"` // minor units of Currency
	// Currency is the plan's (an ISO 4217 code), not the clinic's.
	Currency  string    `bson:"currency"`
	Method    string    `bson:"method"`    // "Bank transfer", "Card": for people
	Provider  string    `bson:"provider"`  // Manual, Stripe
	Reference string    `bson:"reference"` // the transfer's reference, the provider's id
	Source    string    `bson:"source"`    // who recorded it: "Ward's operator"
	PaidAt    time.Time `bson:"paidAt"`
	// Extends is the subscription revision the payment was computed from
	// (core/tenant's Subscription.Revision), From the end date it had, and
	// Before the state it was in then.
	Extends string    `bson:"extends"`
	From    time.Time `bson:"from"`
	Before  State     `bson:"before"`
	// PeriodEnd is the clinic's new expiresAt, as the payment set it.
	PeriodEnd time.Time `bson:"periodEnd"`
}

// MaxHistory is how many payments the history shows.
const MaxHistory = 50

// History is the clinic's latest payments, newest first.
func History(ctx context.Context, tdb *db.Tenant) ([]Payment, error) {
	var ps []Payment
	err := tdb.Collection(PaymentsCollection).Find(ctx, db.Filter{}, &ps,
		db.FindOptions{Sort: []db.Order{db.Desc("paidAt")}, Limit: MaxHistory})
	return ps, err
}

// NewPayment is a payment to record: what was bought and the provider's
// reference for it. The amount and currency are the plan's.
type NewPayment struct {
	Plan      string
	Reference string
	Provider  string // Manual, Stripe
	Method    string // for people: "Bank transfer"
	Source    string // who records it
}

// MaxReference is the longest reference a payment may carry.
const MaxReference = 100

// Errors of a payment that cannot be recorded.
var (
	ErrNoPlan    = errors.New("subscription: no such plan for sale")
	ErrReference = errors.New("subscription: a payment needs a reference of printable characters, at most 100")
)

// Check returns the plan paid for, or why the payment cannot be recorded:
// a plan that is not for sale (the trial), an empty or unprintable
// reference.
func (n NewPayment) Check(plans policies.Plans) (policies.Plan, error) {
	p, ok := plans.Find(n.Plan)
	if !ok || p.Trial {
		return policies.Plan{}, fmt.Errorf("%w: %q", ErrNoPlan, n.Plan)
	}
	ref := n.Reference
	if ref == "" || len(ref) > MaxReference || strings.TrimSpace(ref) != ref ||
		strings.IndexFunc(ref, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return policies.Plan{}, ErrReference
	}
	if n.Provider == "" {
		return policies.Plan{}, errors.New("subscription: a payment needs its provider")
	}
	return p, nil
}

// PaymentID is the id of the payment with the provider's reference: the
// same payment, recorded twice, has the same id.
func PaymentID(provider, reference string) string {
	h := sha256.Sum256([]byte(provider + "\x00" + reference))
	return "pay-" + hex.EncodeToString(h[:12])
}

// Renewal is the period a payment for plan buys for a clinic whose period
// ends at expiresAt, paid at now: it runs from the old end while that is
// still ahead (nothing paid for is lost), or from now once it has passed
// (the lapsed days are not charged), for the plan's length (policies.Plan.End:
// calendar months, ending on a short month's last day).
func Renewal(plan policies.Plan, expiresAt, now time.Time) (from, end time.Time) {
	from = now
	if expiresAt.After(now) {
		from = expiresAt
	}
	return from, plan.End(from)
}
