// Package mail keeps outgoing mail in an outbox collection; a sender job
// delivers it through SMTP_URL, or — with no SMTP configured — the message is
// logged and stays in the outbox for the operator to read. A new clinic's
// mail is held until its admin confirms their address (hold.go).
package mail

import (
	"context"
	"errors"
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
	StatusHeld   = "held" // waits until the clinic's address is confirmed (hold.go); never sent as held
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
	{Collection: HoldsCollection, Keys: []string{db.TenantField}, Unique: true},
}

// Message is one email.
type Message struct {
	ID        string    `bson:"_id"`
	TenantID  string    `bson:"tenantId"`
	Key       string    `bson:"key"` // unique per clinic: "invite:<userId>"
	To        string    `bson:"to"`
	Subject   string    `bson:"subject"`
	Text      string    `bson:"text"`
	Status    string    `bson:"status"`
	Account   bool      `bson:"account,omitempty"` // about the recipient's own account (a confirmation, a reset): see hold.go
	Attempts  int       `bson:"attempts"`
	CreatedAt time.Time `bson:"createdAt"`
	SentAt    time.Time `bson:"sentAt,omitempty"`

	// Attachments go with the text (an appointment's calendar entry).
	Attachments []Attachment `bson:"attachments,omitempty"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string `bson:"name"`        // the file name the recipient sees: "appointment.ics"
	ContentType string `bson:"contentType"` // "text/calendar; charset=utf-8; method=PUBLISH"; empty: application/octet-stream
	Data        []byte `bson:"data"`
}

// Queue puts m in the clinic's outbox, held while the clinic's mail is held
// (hold.go). A message with the same Key already queued is left as it is.
func Queue(ctx context.Context, tdb *db.Tenant, m Message, now time.Time) error {
	if m.Key == "" {
		m.Key = db.NewID()
	}
	status, err := statusFor(ctx, tdb, m)
	if err != nil {
		return fmt.Errorf("mail: queue %s: %w", m.Key, err)
	}
	m.ID = db.NewID()
	m.Status = status
	m.CreatedAt = now
	err = tdb.Collection(Collection).Insert(ctx, m)
	if db.IsDuplicate(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: queue %s: %w", m.Key, err)
	}
	if status == StatusHeld {
		// The address may have been confirmed between the look and the
		// insert, after Confirm released the clinic's mail: then release
		// this one too.
		if _, err := CurrentHold(ctx, tdb); errors.Is(err, ErrNotHeld) {
			status = StatusQueued
			if _, err := tdb.Collection(Collection).Update(ctx, db.ID(m.ID), db.Set("status", status)); err != nil {
				return fmt.Errorf("mail: queue %s: %w", m.Key, err)
			}
		} else if err != nil {
			return fmt.Errorf("mail: queue %s: %w", m.Key, err)
		}
	}
	logging.FromContext(ctx).Info().Str("mail_key", m.Key).Str("subject", m.Subject).Str("status", status).Msg("mail queued")
	return nil
}

// Outbox lists a clinic's messages, newest first.
func Outbox(ctx context.Context, tdb *db.Tenant, limit int64) ([]Message, error) {
	var ms []Message
	err := tdb.Collection(Collection).Find(ctx, db.Filter{}, &ms, db.FindOptions{Sort: []db.Order{db.Desc("createdAt")}, Limit: limit})
	return ms, err
}
