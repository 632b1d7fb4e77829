package rbac

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/policies"
)

// Enforcer answers "may this role do this here?" for every clinic. casbin's
// cost grows with the rules it holds, so each clinic gets its own small
// enforcer, loaded on first use from that clinic's rules only and kept in a
// bounded cache. Each entry remembers the clinic's policy version; when the
// version on the tenant record differs, the entry is reloaded — that is how
// an edit on one instance reaches every instance.
type Enforcer struct {
	adapter *Adapter // nil in an enforcer built in memory; see ready
	max     int

	mu      sync.Mutex
	entries map[string]*entry
	// loadMu serializes edits of rules (Grant, Revoke, RemoveRole). Loads
	// do not take it: the adapter keeps no state between calls, so
	// clinics load in parallel.
	loadMu sync.Mutex
}

type entry struct {
	e       *casbin.SyncedEnforcer
	version string
	used    time.Time
	// decisions remembers answers: casbin evaluates its matcher over every
	// rule of the clinic (tens of microseconds), a page asks the same few
	// questions again and again, and an entry is replaced when the clinic's
	// policy version changes — so a remembered answer is never stale.
	decisions sync.Map // "role\x00resource\x00action" → bool
}

// DefaultCacheSize is how many clinics' policies are kept loaded.
const DefaultCacheSize = 2000

// NewEnforcer returns the enforcer over store's rules. Nothing is read
// until a clinic's policy is first needed.
func NewEnforcer(store *db.Store, cacheSize int) *Enforcer {
	if cacheSize <= 0 {
		cacheSize = DefaultCacheSize
	}
	return &Enforcer{adapter: NewAdapter(store), max: cacheSize, entries: map[string]*entry{}}
}

// errNoRules: the enforcer was built in memory (benchmarks fill its cache
// directly) and cannot reach stored rules.
var errNoRules = errors.New("rbac: enforcer has no rules store")

// ready reports whether the enforcer can load and edit stored rules.
func (e *Enforcer) ready() error {
	if e.adapter == nil {
		return errNoRules
	}
	return nil
}

// Allowed reports whether role may do action on resource in the clinic whose
// current policy version is version.
func (e *Enforcer) Allowed(ctx context.Context, tenantID, version, roleKey, resource, action string) (bool, error) {
	ent, err := e.get(ctx, tenantID, version)
	if err != nil {
		return false, err
	}
	key := roleKey + "\x00" + resource + "\x00" + action
	if ok, hit := ent.decisions.Load(key); hit {
		return ok.(bool), nil
	}
	ok, err := ent.e.Enforce(RoleSubject(roleKey), tenantID, resource, action)
	if err != nil {
		return false, err
	}
	ent.decisions.Store(key, ok)
	return ok, nil
}

// Invalidate drops a clinic's cached policy (the editing instance calls it;
// others notice the new version).
func (e *Enforcer) Invalidate(tenantID string) {
	e.mu.Lock()
	delete(e.entries, tenantID)
	e.mu.Unlock()
}

func (e *Enforcer) get(ctx context.Context, tenantID, version string) (*entry, error) {
	now := time.Now()
	e.mu.Lock()
	if ent, ok := e.entries[tenantID]; ok && ent.version == version {
		ent.used = now
		e.mu.Unlock()
		return ent, nil
	}
	e.mu.Unlock()

	ce, err := e.load(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	ent := &entry{e: ce, version: version, used: now}
	e.mu.Lock()
	if len(e.entries) >= e.max {
		e.evictOldest()
	}
	e.entries[tenantID] = ent
	e.mu.Unlock()
	return ent, nil
}

// evictOldest drops the least recently used entry. Called with mu held; a
// scan is fine: it runs only when a clinic is loaded into a full cache.
func (e *Enforcer) evictOldest() {
	var oldest string
	var t time.Time
	for id, ent := range e.entries {
		if oldest == "" || ent.used.Before(t) {
			oldest, t = id, ent.used
		}
	}
	delete(e.entries, oldest)
}

// load builds a clinic's enforcer from its rules only.
func (e *Enforcer) load(ctx context.Context, tenantID string) (*casbin.SyncedEnforcer, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	ce, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, err
	}
	ce.EnableAutoSave(false)
	ce.SetAdapter(e.adapter)
	// Not yet shared, so loading without the enforcer's own lock is safe.
	if err := ce.LoadFilteredPolicyCtx(ctx, ClinicFilter{TenantID: tenantID}); err != nil {
		return nil, fmt.Errorf("rbac: loading policy of %s: %w", tenantID, err)
	}
	return ce, nil
}

// Grant adds a grant to a role in a clinic (idempotent). The caller then
// changes the clinic's policy version.
func (e *Enforcer) Grant(tenantID, roleKey, resource, action string) error {
	e.loadMu.Lock()
	defer e.loadMu.Unlock()
	if err := e.ready(); err != nil {
		return err
	}
	err := e.adapter.AddPolicy("p", "p", []string{RoleSubject(roleKey), tenantID, resource, action})
	if err != nil && !db.IsDuplicate(err) {
		return err
	}
	e.Invalidate(tenantID)
	return nil
}

// Revoke removes a grant from a role in a clinic.
func (e *Enforcer) Revoke(tenantID, roleKey, resource, action string) error {
	e.loadMu.Lock()
	defer e.loadMu.Unlock()
	if err := e.ready(); err != nil {
		return err
	}
	if err := e.adapter.RemovePolicy("p", "p", []string{RoleSubject(roleKey), tenantID, resource, action}); err != nil {
		return err
	}
	e.Invalidate(tenantID)
	return nil
}
