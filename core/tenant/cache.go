package tenant

import (
	"sync"
	"time"
)

// CacheTTL is how long a clinic's record is cached: a change made by
// another process (an operator command, another instance) is seen within it.
const CacheTTL = defaultTTL

const (
	defaultTTL     = 15 * time.Second // a changed tenant is seen by other instances within this
	defaultMissTTL = 5 * time.Second  // unknown subdomains are remembered briefly: requests for made-up names do not each reach the database
	maxCached      = 10000
)

type entry struct {
	t   *Tenant // nil: no such tenant
	exp time.Time
}

// cache keeps tenants by subdomain for a short time. It is bounded: when full
// it starts over, which costs one lookup per clinic.
type cache struct {
	mu      sync.RWMutex
	m       map[string]entry
	gen     uint64 // changes on every invalidation; see put
	ttl     time.Duration
	missTTL time.Duration
	max     int
}

func newCache(ttl, missTTL time.Duration, max int) *cache {
	return &cache{m: map[string]entry{}, ttl: ttl, missTTL: missTTL, max: max}
}

func (c *cache) get(sub string, now time.Time) (entry, bool) {
	c.mu.RLock()
	e, ok := c.m[sub]
	c.mu.RUnlock()
	if !ok || now.After(e.exp) {
		return entry{}, false
	}
	return e, true
}

// generation is read before a database lookup and passed to put.
func (c *cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put caches a lookup made at generation gen. If any invalidation happened
// since, the record read may be the old one: it is not cached.
func (c *cache) put(sub string, t *Tenant, now time.Time, gen uint64) {
	ttl := c.ttl
	if t == nil {
		ttl = c.missTTL
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= c.max {
		c.m = map[string]entry{}
	}
	c.m[sub] = entry{t: t, exp: now.Add(ttl)}
}

func (c *cache) invalidate(sub string) {
	c.mu.Lock()
	c.gen++
	delete(c.m, sub)
	c.mu.Unlock()
}

func (c *cache) invalidateID(id string) {
	c.mu.Lock()
	c.gen++
	for k, e := range c.m {
		if e.t != nil && e.t.ID == id {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

func (c *cache) clear() {
	c.mu.Lock()
	c.gen++
	c.m = map[string]entry{}
	c.mu.Unlock()
}
