// Package settings keeps a clinic's own preferences: its name, time zone,
// currency, date and time formats and idle timeout, one document per
// clinic. Settings read on every page are cached per clinic (Cached); Save
// forgets the clinic's entry.
package settings

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

// Collection holds one settings document per clinic.
const Collection = "settings"

// Indexes make the settings document unique per clinic.
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{db.TenantField}, Unique: true},
}

// ErrNotFound is returned by Load for a clinic without settings.
var ErrNotFound = errors.New("settings: not found")

// Settings are a clinic's own preferences.
type Settings struct {
	ID          string    `bson:"_id"`
	TenantID    string    `bson:"tenantId"`
	ClinicName  string    `bson:"clinicName"`
	Timezone    string    `bson:"timezone"`   // IANA name
	Currency    string    `bson:"currency"`   // ISO 4217 code
	DateFormat  string    `bson:"dateFormat"` // Go layout
	TimeFormat  string    `bson:"timeFormat"` // "24h" (also when empty) or "12h"
	IdleMinutes int       `bson:"idleMinutes"`
	CreatedAt   time.Time `bson:"createdAt"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

// Defaults for new clinics.
const (
	DefaultDateFormat  = web.DefaultDateLayout
	DefaultIdleMinutes = 30
)

// Create writes a new clinic's settings; an existing document is kept, so
// provisioning can be retried.
func Create(ctx context.Context, tdb *db.Tenant, s Settings, now time.Time) error {
	s.ID = db.NewID()
	if s.DateFormat == "" {
		s.DateFormat = DefaultDateFormat
	}
	if s.IdleMinutes == 0 {
		s.IdleMinutes = DefaultIdleMinutes
	}
	s.CreatedAt, s.UpdatedAt = now, now
	err := tdb.Collection(Collection).Insert(ctx, s)
	clinics.Forget(tdb.ID()) // the defaults a read before it kept
	if err != nil && !db.IsDuplicate(err) {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// Load returns the clinic's settings, read now (Cached for those of a
// request).
func Load(ctx context.Context, tdb *db.Tenant) (*Settings, error) {
	var s Settings
	err := tdb.Collection(Collection).FindOne(ctx, db.Filter{}, &s)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &s, err
}

// Location is the clinic's time zone: UTC when it has none, or one this
// machine does not know.
func (s *Settings) Location() *time.Location {
	if s == nil || s.Timezone == "" {
		return time.UTC
	}
	if loc, ok := zones.Load(s.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(s.Timezone) // from the zone database built in (zones.go)
	if err != nil {
		return time.UTC
	}
	zones.Store(s.Timezone, loc)
	return loc
}

// zones caches loaded time zones by name.
var zones sync.Map

// Zone is the clinic's time zone (see Settings.Location): dates a person
// types or reads — today, a date of birth, a day in a filter — are the
// clinic's, not the server's. If the settings cannot be read, it is logged
// and UTC is used.
func Zone(ctx context.Context, tdb *db.Tenant) *time.Location {
	s, err := Cached(ctx, tdb)
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Msg("clinic settings unreadable: using UTC")
		return time.UTC
	}
	return s.Location()
}

// Save writes a clinic's changed settings (the first time, for a clinic
// that had only the defaults, it creates them).
func Save(ctx context.Context, tdb *db.Tenant, s *Settings, now time.Time) error {
	s.UpdatedAt = now
	n, err := tdb.Collection(Collection).Update(ctx, db.Filter{}, db.Set("clinicName", s.ClinicName).
		Set("timezone", s.Timezone).Set("currency", s.Currency).Set("dateFormat", s.DateFormat).Set("timeFormat", s.TimeFormat).
		Set("idleMinutes", s.IdleMinutes).Set("updatedAt", now))
	clinics.Forget(tdb.ID()) // after the write: a read between the two is not kept
	if err == nil && n == 0 {
		err = Create(ctx, tdb, *s, now)
	}
	return err
}

// The clocks a clinic can choose (TimeFormat).
const (
	Clock24 = "24h"
	Clock12 = "12h"
)

// Formats is how the clinic writes dates, times and amounts, for pages,
// mail and calendar files alike.
func (s *Settings) Formats() web.Formats {
	return web.Formats{DateLayout: s.DateFormat, Clock12: s.TwelveHour(), Zone: s.Location(), Currency: s.Currency}
}

// TwelveHour reports whether the clinic reads times on a 12-hour clock.
func (s *Settings) TwelveHour() bool { return s.TimeFormat == Clock12 }

// TimeFormats are the clocks a clinic can choose.
var TimeFormats = []struct{ Value, Example string }{
	{Clock24, "14:30"},
	{Clock12, "2:30 PM"},
}

// DateFormats are the date formats a clinic can choose (Go layouts).
var DateFormats = []struct{ Layout, Example string }{
	{"02 Jan 2006", "23 Jul 2026"},
	{"2006-01-02", "2026-07-23"},
	{"02/01/2006", "23/07/2026"},
	{"01/02/2006", "07/23/2026"},
	{"Jan 2, 2006", "Jul 23, 2026"},
}
