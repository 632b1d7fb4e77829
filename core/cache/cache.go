// Package cache keeps values by key for a short time: what every request
// reads and another process may change (a clinic's record, its settings).
package cache

import (
	"sync"
	"time"
)

// DefaultTTL is how long Ward caches what another process may change: a
// change made elsewhere (an operator command, another instance) is seen
// within it.
const DefaultTTL = 15 * time.Second

// TTL keeps values by key until they expire (clinics by subdomain, settings
// by clinic). It is bounded: when full it starts over, which costs one
// lookup per key. Its methods are safe for concurrent use.
type TTL[V any] struct {
	mu  sync.RWMutex
	m   map[string]entry[V]
	gen uint64 // changes on every invalidation; see Put
	max int
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// New returns an empty cache holding at most max entries.
func New[V any](max int) *TTL[V] {
	return &TTL[V]{m: map[string]entry[V]{}, max: max}
}

// Get returns the value cached for key, if it has not expired at now.
func (c *TTL[V]) Get(key string, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || now.After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Generation is read before a database lookup and passed to Put.
func (c *TTL[V]) Generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// Put caches a value read at generation gen until exp. If any invalidation
// happened since, the value read may be the old one: it is not cached.
func (c *TTL[V]) Put(key string, v V, exp time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= c.max {
		c.m = map[string]entry[V]{}
	}
	c.m[key] = entry[V]{v: v, exp: exp}
}

// Forget drops key (and keeps a lookup in flight from caching).
func (c *TTL[V]) Forget(key string) { c.ForgetIf(func(k string, _ V) bool { return k == key }) }

// ForgetIf drops every entry that match reports (and keeps every lookup in
// flight from caching).
func (c *TTL[V]) ForgetIf(match func(key string, v V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
}

// Clear drops every entry.
func (c *TTL[V]) Clear() {
	c.mu.Lock()
	c.gen++
	c.m = map[string]entry[V]{}
	c.mu.Unlock()
}
