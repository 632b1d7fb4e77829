package subscription

import (
	"context"
	"strconv"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// HistoryCollection holds the changes of each clinic's subscription: its
// trial or paid period ending (grace), its suspension, a payment making it
// active again. Tenant-owned, like the payments.
const HistoryCollection = "subscription_history"

// HistoryIndexes: Key is unique per clinic, so every change is recorded
// once however many instances (or runs of the monitor) see it; the page
// lists the history newest first.
var HistoryIndexes = []db.Index{
	{Collection: HistoryCollection, Keys: []string{db.TenantField, "key"}, Unique: true},
	{Collection: HistoryCollection, Keys: []string{db.TenantField, "-at"}},
}

// Event is one change of a clinic's subscription.
type Event struct {
	ID string `bson:"_id"`
	// Key says which change it is, once per clinic: "lapsed:<end unix>",
	// "suspended:<end unix>", "payment:<payment id>".
	Key  string `bson:"key"`
	From State  `bson:"from"`
	To   State  `bson:"to"`
	// At is when the change took effect (the end of the period, of the
	// grace, the payment); RecordedAt when it was written down.
	At         time.Time `bson:"at"`
	RecordedAt time.Time `bson:"recordedAt"`
	Source     string    `bson:"source"` // "subscription monitor", "Ward's operator", "stripe"
	Note       string    `bson:"note,omitempty"`
}

// Record writes e down unless an event with its key already is; it
// reports whether this call wrote it (the unique index decides, so of
// concurrent callers exactly one does).
func Record(ctx context.Context, tdb *db.Tenant, e Event) (bool, error) {
	e.ID = db.NewID()
	err := tdb.Collection(HistoryCollection).Insert(ctx, e)
	if db.IsDuplicate(err) {
		return false, nil
	}
	return err == nil, err
}

// Events is the clinic's latest subscription changes, newest first.
func Events(ctx context.Context, tdb *db.Tenant, limit int64) ([]Event, error) {
	var es []Event
	err := tdb.Collection(HistoryCollection).Find(ctx, db.Filter{}, &es,
		db.FindOptions{Sort: []db.Order{db.Desc("at")}, Limit: limit})
	return es, err
}

// Transitions are the changes the clinic in status st has gone through
// that the clock alone makes — its period ending, its grace ending — as
// events to record (From, To, At and Key set): none while it is in its
// trial or paid; grace's one when lapsed; both once suspended (a clinic
// that no one looked at during its grace went through it all the same).
func (r Rules) Transitions(st Status) []Event {
	if !st.Lapsed() || st.ExpiresAt.IsZero() {
		return nil
	}
	before := Active
	if st.Plan == r.TrialPlan {
		before = Trial
	}
	unix := st.ExpiresAt.Unix()
	es := []Event{{Key: key("lapsed", unix), From: before, To: Grace, At: st.ExpiresAt}}
	if st.State == Suspended {
		es = append(es, Event{Key: key("suspended", unix), From: Grace, To: Suspended, At: st.GraceEnds})
	}
	return es
}

func key(kind string, unix int64) string { return kind + ":" + itoa(unix) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
