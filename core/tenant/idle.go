package tenant

import (
	"context"
	"errors"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// CachedSettings returns the clinic's settings as recently read. Every
// signed-in request needs them (its idle timeout; the clinic's date and
// time formats on every page), so they are cached per clinic: a change
// saved on this instance is seen at once, one saved on another within
// CacheTTL. A clinic without settings has the defaults. The caller must
// not change what it gets: it is shared.
func CachedSettings(ctx context.Context, tdb *db.Tenant) (*Settings, error) {
	now := time.Now()
	if s, ok := clinicSettings.get(tdb.ID(), now); ok {
		return s, nil
	}
	gen := clinicSettings.generation()
	s, err := LoadSettings(ctx, tdb)
	switch {
	case errors.Is(err, ErrNotFound):
		s = &Settings{DateFormat: DefaultDateFormat, IdleMinutes: DefaultIdleMinutes}
	case err != nil:
		return nil, err
	}
	clinicSettings.put(tdb.ID(), s, now.Add(CacheTTL), gen)
	return s, nil
}

// IdleTimeout is how long a signed-in person of the clinic may stay idle:
// the clinic's current setting, so a lowered timeout reaches sessions that
// are already open.
func IdleTimeout(ctx context.Context, tdb *db.Tenant) (time.Duration, error) {
	s, err := CachedSettings(ctx, tdb)
	if err != nil {
		return 0, err
	}
	if s.IdleMinutes <= 0 {
		return DefaultIdleMinutes * time.Minute, nil
	}
	return time.Duration(s.IdleMinutes) * time.Minute, nil
}

// clinicSettings caches each clinic's settings by tenant id.
var clinicSettings = newCache[*Settings](maxCached)
