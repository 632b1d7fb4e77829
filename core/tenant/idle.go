package tenant

import (
	"context"
	"errors"
	"sync"
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
	idleTimeouts.put(tdb.ID(), m, now, gen)
	return minutes(m), nil
}

func minutes(m int) time.Duration { return time.Duration(m) * time.Minute }

// idleTimeouts caches each clinic's idle timeout (in minutes) by tenant id.
var idleTimeouts = &idleCache{m: map[string]idleEntry{}}

type idleEntry struct {
	minutes int
	exp     time.Time
}

// idleCache is bounded like the tenant cache (when full it starts over)
// and, like it, does not keep a value read before an invalidation.
type idleCache struct {
	mu  sync.RWMutex
	m   map[string]idleEntry
	gen uint64
}

func (c *idleCache) get(tenantID string, now time.Time) (int, bool) {
	c.mu.RLock()
	e, ok := c.m[tenantID]
	c.mu.RUnlock()
	if !ok || now.After(e.exp) {
		return 0, false
	}
	return e.minutes, true
}

func (c *idleCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *idleCache) put(tenantID string, minutes int, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return // the settings changed while they were read: the value may be the old one
	}
	if len(c.m) >= maxCached {
		c.m = map[string]idleEntry{}
	}
	c.m[tenantID] = idleEntry{minutes: minutes, exp: now.Add(CacheTTL)}
}

func (c *idleCache) forget(tenantID string) {
	c.mu.Lock()
	c.gen++
	delete(c.m, tenantID)
	c.mu.Unlock()
}
