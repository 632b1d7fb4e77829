// Package mail keeps outgoing mail in an outbox collection; a sender job
// delivers it through SMTP_URL, or — with no SMTP configured — the message is
// logged and stays in the outbox for the operator to read.
package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
)

// Collection is the outbox.
const Collection = "mail_outbox"

// Statuses of a queued message.
const (
	StatusQueued = "queued"
	StatusSent   = "sent"
	StatusFailed = "failed"
)

// Indexes of the outbox: Key makes queueing the same message twice (a
// retried request) harmless; the clinic's outbox is listed newest first.
// The sender reads every clinic's queued mail, oldest first: a platform
// index serves that.
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{db.TenantField, "key"}, Unique: true},
	{Collection: Collection, Keys: []string{db.TenantField, "status"}},
	{Collection: Collection, Keys: []string{db.TenantField, "-createdAt"}},
	{Collection: Collection, Keys: []string{"status", "createdAt"}, Platform: true},
}

// Message is one email.
type Message struct {
	ID        string    `bson:"_id"`
	TenantID  string    `bson:"tenantId"`
	Key       string    `bson:"key"` // unique per clinic: "welcome:<userId>"
	To        string    `bson:"to"`
	Subject   string    `bson:"subject"`
	Text      string    `bson:"text"`
	Status    string    `bson:"status"`
	Attempts  int       `bson:"attempts"`
	CreatedAt time.Time `bson:"createdAt"`
	SentAt    time.Time `bson:"sentAt,omitempty"`
}

// Queue puts m in the clinic's outbox. A message with the same Key already
// queued is left as it is.
func Queue(ctx context.Context, tdb *db.Tenant, m Message, now time.Time) error {
	if m.Key == "" {
		m.Key = db.NewID()
	}
	m.ID = db.NewID()
	m.Status = StatusQueued
	m.CreatedAt = now
	err := tdb.Collection(Collection).Insert(ctx, m)
	if db.IsDuplicate(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: queue %s: %w", m.Key, err)
	}
	logging.FromContext(ctx).Info().Str("mail_key", m.Key).Str("subject", m.Subject).Msg("mail queued")
	return nil
}

// Outbox lists a clinic's messages, newest first.
func Outbox(ctx context.Context, tdb *db.Tenant, limit int64) ([]Message, error) {
	var ms []Message
	err := tdb.Collection(Collection).Find(ctx, db.Filter{}, &ms, db.FindOptions{Sort: []db.Order{db.Desc("createdAt")}, Limit: limit})
	return ms, err
}
