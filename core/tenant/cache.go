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

// cache keeps values by key for a short time (clinics by subdomain, idle
// timeouts by clinic). It is bounded: when full it starts over, which costs
// one lookup per key.
type cache[V any] struct {
	mu  sync.RWMutex
	m   map[string]cached[V]
	gen uint64 // changes on every invalidation; see put
	max int
}

type cached[V any] struct {
	v   V
	exp time.Time
}

func newCache[V any](max int) *cache[V] {
	return &cache[V]{m: map[string]cached[V]{}, max: max}
}

func (c *cache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || now.After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// generation is read before a database lookup and passed to put.
func (c *cache[V]) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put caches a value read at generation gen until exp. If any invalidation
// happened since, the value read may be the old one: it is not cached.
func (c *cache[V]) put(key string, v V, exp time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= c.max {
		c.m = map[string]cached[V]{}
	}
	c.m[key] = cached[V]{v: v, exp: exp}
}

// forget drops key (and keeps a lookup in flight from caching).
func (c *cache[V]) forget(key string) { c.forgetIf(func(k string, _ V) bool { return k == key }) }

// forgetIf drops every entry that match reports.
func (c *cache[V]) forgetIf(match func(key string, v V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
}

func (c *cache[V]) clear() {
	c.mu.Lock()
	c.gen++
	c.m = map[string]cached[V]{}
	c.mu.Unlock()
}
