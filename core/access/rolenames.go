package access

import (
	"context"
	"sync"
	"time"

	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/tenant"
)

// roleNames caches each clinic's role names, by tenant id: every page names
// the signed-in person's role, and a page must not cost a database round
// trip for it. A renamed role shows its new name within tenant.CacheTTL.
var roleNames = &nameCache{clinics: map[string]cachedNames{}}

// maxCachedClinics bounds the cache; past it, it starts again empty.
const maxCachedClinics = 10000

type cachedNames struct {
	names map[string]string // role key → name
	until time.Time
}

type nameCache struct {
	mu      sync.Mutex
	clinics map[string]cachedNames
}

// roleName is the name the request's clinic gives the role with key ("" when
// it cannot be read: the page then names no role rather than failing).
func roleName(ctx context.Context, key string) string {
	tdb := tenant.DB(ctx)
	now := time.Now()
	roleNames.mu.Lock()
	c, ok := roleNames.clinics[tdb.ID()]
	roleNames.mu.Unlock()
	if ok && now.Before(c.until) {
		if name, ok := c.names[key]; ok {
			return name
		}
	}
	roles, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Str("role", key).Msg("roles unreadable: the page names no role")
		return ""
	}
	c = cachedNames{names: make(map[string]string, len(roles)), until: now.Add(tenant.CacheTTL)}
	for _, r := range roles {
		c.names[r.Key] = r.Name
	}
	roleNames.mu.Lock()
	if len(roleNames.clinics) >= maxCachedClinics {
		clear(roleNames.clinics)
	}
	roleNames.clinics[tdb.ID()] = c
	roleNames.mu.Unlock()
	return c.names[key]
}
