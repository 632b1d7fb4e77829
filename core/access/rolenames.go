package access

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/cache"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/tenant"
)

// roleNames caches each clinic's role names (role key → name): every page
// names the signed-in person's role, and a page must not cost a database
// round trip for it. Entries are keyed by the clinic and its policy
// version, which every change to its roles renews (see modules/roles): a
// renamed role shows its new name on the next page of this instance, and
// on another once its cached clinic record expires (tenant.CacheTTL).
var roleNames = cache.New[map[string]string](maxCachedClinics)

// maxCachedClinics bounds the cache; past it, it starts over.
const maxCachedClinics = 10000

// roleName is the name clinic t gives the role with key ("" when it cannot
// be read: the page then names no role rather than failing). A key the
// cached names lack (a role created since) reads them again.
func roleName(ctx context.Context, t *tenant.Tenant, key string) string {
	ck := t.ID + "/" + t.PolicyVersion
	now := time.Now()
	if names, ok := roleNames.Get(ck, now); ok {
		if name, ok := names[key]; ok {
			return name
		}
	}
	gen := roleNames.Generation()
	roles, err := rbac.ListRoles(ctx, tenant.DB(ctx))
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Str("role", key).Msg("roles unreadable: the page names no role")
		return ""
	}
	names := make(map[string]string, len(roles))
	for _, r := range roles {
		names[r.Key] = r.Name
	}
	roleNames.Put(ck, names, now.Add(cache.DefaultTTL), gen)
	return names[key]
}
