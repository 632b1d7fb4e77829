package subscription

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// PaymentsCollection holds the payments each clinic made for its Ward
// subscription. It is tenant-owned (every payment carries the clinic's
// tenantId), so the clinic's admins read their own history through the
// clinic's handle; it is written only by platform code (the operator's
// command, the payment provider), never by a clinic's request. It is not
// "payments": that name is left to the payments patients make to a clinic.
const PaymentsCollection = "subscription_payments"

// PaymentIndexes serve the history, newest first.
var PaymentIndexes = []db.Index{
	{Collection: PaymentsCollection, Keys: []string{db.TenantField, "-paidAt"}},
}

// Payment is one payment for a clinic's subscription.
type Payment struct {
	ID     string `bson:"_id"`
	Plan   string `bson:"plan"`
	Amount int64  `bson:"amount"` // minor units of Currency
	// Currency is the plan's (an ISO 4217 code), not the clinic's.
	Currency  string    `bson:"currency"`
	Method    string    `bson:"method"`    // "bank transfer", "card"
	Reference string    `bson:"reference"` // the transfer's reference, the provider's id
	PaidAt    time.Time `bson:"paidAt"`
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
