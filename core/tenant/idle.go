package tenant

import (
	"context"
	"errors"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// IdleTimeout is how long a signed-in person of the clinic may stay idle:
// the clinic's current setting, so a lowered timeout reaches sessions that
// are already open. Every signed-in request asks, so the setting is cached
// per clinic: a change saved on this instance is seen at once, one saved on
// another within CacheTTL.
func IdleTimeout(ctx context.Context, tdb *db.Tenant) (time.Duration, error) {
	now := time.Now()
	if m, ok := idleTimeouts.get(tdb.ID(), now); ok {
		return minutes(m), nil
	}
	gen := idleTimeouts.generation()
	m := DefaultIdleMinutes
	s, err := LoadSettings(ctx, tdb)
	switch {
	case err == nil && s.IdleMinutes > 0:
		m = s.IdleMinutes
	case err != nil && !errors.Is(err, ErrNotFound):
		return 0, err
	}
	idleTimeouts.put(tdb.ID(), m, now.Add(CacheTTL), gen)
	return minutes(m), nil
}

func minutes(m int) time.Duration { return time.Duration(m) * time.Minute }

// idleTimeouts caches each clinic's idle timeout (in minutes) by tenant id.
var idleTimeouts = newCache[int](maxCached)
