package settings

import (
	"context"
	"errors"
	"time"

	"github.com/wardclinic/ward/core/cache"
	"github.com/wardclinic/ward/core/db"
)

// clinics caches each clinic's settings by tenant id: settings read on
// every page are cached per clinic; Save forgets the clinic's entry. It is
// one value for the whole package, so that a change saved from anywhere is
// seen at once by Cached, Zone and IdleTimeout on this instance.
var clinics = cache.New[*Settings](maxCached)

// maxCached is how many clinics' settings are kept; when full the cache
// starts over.
const maxCached = 10000

// Cached returns the clinic's settings as recently read. Every signed-in
// request needs them (its idle timeout; the clinic's date and time formats
// on every page), so they are cached per clinic: a change saved on this
// instance is seen at once, one saved on another within cache.DefaultTTL.
// A clinic without settings has the defaults. The caller must not change
// what it gets: it is shared.
func Cached(ctx context.Context, tdb *db.Tenant) (*Settings, error) {
	now := time.Now()
	if s, ok := clinics.Get(tdb.ID(), now); ok {
		return s, nil
	}
	gen := clinics.Generation()
	s, err := Load(ctx, tdb)
	switch {
	case errors.Is(err, ErrNotFound):
		s = &Settings{DateFormat: DefaultDateFormat, IdleMinutes: DefaultIdleMinutes}
	case err != nil:
		return nil, err
	}
	clinics.Put(tdb.ID(), s, now.Add(cache.DefaultTTL), gen)
	return s, nil
}

// IdleTimeout is how long a signed-in person of the clinic may stay idle:
// the clinic's current setting, so a lowered timeout reaches sessions that
// are already open.
func IdleTimeout(ctx context.Context, tdb *db.Tenant) (time.Duration, error) {
	s, err := Cached(ctx, tdb)
	if err != nil {
		return 0, err
	}
	if s.IdleMinutes <= 0 {
		return DefaultIdleMinutes * time.Minute, nil
	}
	return time.Duration(s.IdleMinutes) * time.Minute, nil
}
