package cache

import (
	"testing"
	"time"
)

func TestTTL(t *testing.T) {
	t0 := time.Date(2026, 7, 23, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		run  func(c *TTL[string]) // after "a" is cached until t0+10s
		key  string
		at   time.Time
		want string // "": not cached
	}{
		{"cached", func(*TTL[string]) {}, "a", t0.Add(10 * time.Second), "A"},
		{"expired", func(*TTL[string]) {}, "a", t0.Add(11 * time.Second), ""},
		{"unknown key", func(*TTL[string]) {}, "b", t0, ""},
		{"forgotten", func(c *TTL[string]) { c.Forget("a") }, "a", t0, ""},
		{"another key forgotten", func(c *TTL[string]) { c.Forget("b") }, "a", t0, "A"},
		{"forgotten by value", func(c *TTL[string]) { c.ForgetIf(func(_, v string) bool { return v == "A" }) }, "a", t0, ""},
		{"cleared", func(c *TTL[string]) { c.Clear() }, "a", t0, ""},
		{"read before an invalidation", func(c *TTL[string]) {
			gen := c.Generation()
			c.Forget("x")
			c.Put("b", "B", t0.Add(time.Minute), gen)
		}, "b", t0, ""},
		{"read after it", func(c *TTL[string]) {
			c.Forget("x")
			c.Put("b", "B", t0.Add(time.Minute), c.Generation())
		}, "b", t0, "B"},
		{"full: starts over", func(c *TTL[string]) {
			c.Put("b", "B", t0.Add(time.Minute), c.Generation())
			c.Put("c", "C", t0.Add(time.Minute), c.Generation())
		}, "a", t0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New[string](2)
			c.Put("a", "A", t0.Add(10*time.Second), c.Generation())
			tc.run(c)
			got, ok := c.Get(tc.key, tc.at)
			if ok != (tc.want != "") || got != tc.want {
				t.Errorf("Get(%q) = %q, %v; want %q", tc.key, got, ok, tc.want)
			}
		})
	}
}
