package rbac_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// One embedded database and one enforcer for the package: each test works in
// clinics of its own (tenant ids named after the test).
var (
	store *db.Store
	enf   *rbac.Enforcer
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ward-rbac-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		ctx := context.Background()
		s, err := db.Open(db.Options{DataDir: dir, Logger: zerolog.Nop()})
		if err != nil {
			panic(err)
		}
		defer s.Close(ctx)
		if err := s.WaitReachable(ctx); err != nil {
			panic(err)
		}
		for _, ixs := range [][]db.Index{rbac.Indexes, db.ClaimIndexes} {
			if err := s.EnsureIndexes(ctx, "test", ixs); err != nil {
				panic(err)
			}
		}
		store = s
		enf = rbac.NewEnforcer(s, 10)
		return m.Run()
	}()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// clinic seeds a new clinic with the default roles and returns its handle;
// name only makes the id readable (tests may run more than once: -count).
func clinic(t *testing.T, name string) *db.Tenant {
	t.Helper()
	tdb := store.ForTenant(name + "-" + db.NewID())
	if err := rbac.SeedDefaults(context.Background(), store, tdb, now); err != nil {
		t.Fatal(err)
	}
	return tdb
}

func addUser(t *testing.T, tdb *db.Tenant, roleKey string) {
	t.Helper()
	err := tdb.Collection("users").Insert(context.Background(), struct {
		Email   string `bson:"email"`
		RoleKey string `bson:"roleKey"`
	}{db.NewID() + "@example.com", roleKey})
	if err != nil {
		t.Fatal(err)
	}
}

func keys(rs []rbac.Role) string {
	var ks []string
	for _, r := range rs {
		ks = append(ks, r.Name)
	}
	return strings.Join(ks, ",")
}

func TestCleanRoleName(t *testing.T) {
	cases := []struct {
		in, want, msg string
	}{
		{"Lab technician", "Lab technician", ""},
		{"  Front   desk \t", "Front desk", ""},
		{"", "", "Enter a name for the role."},
		{"   ", "", "Enter a name for the role."},
		{strings.Repeat("é", 50), strings.Repeat("é", 50), ""},
		{strings.Repeat("x", 51), "", "Use at most 50 characters."},
		{"Front\r\ndesk", "Front desk", ""},
		{"پرستار\u200cها", "پرستار\u200cها", ""},
		{"Nurse\u202e", "", "Role name may not contain characters that change the direction of text."},
		{"Nur\u200bse", "", "Role name may not contain invisible characters."},
		{"a\u0000b", "", "Role name may not contain control characters."},
		{"bad\xff", "", "Role name may not contain characters that are not valid UTF-8 text."},
	}
	for _, c := range cases {
		got, msg := rbac.CleanRoleName(c.in)
		if got != c.want || msg != c.msg {
			t.Errorf("CleanRoleName(%q) = %q, %q; want %q, %q", c.in, got, msg, c.want, c.msg)
		}
	}
}

func TestListCreateAndNameUniqueness(t *testing.T) {
	ctx := context.Background()
	tdb := clinic(t, "list")
	for _, n := range []string{"Zeta", "alpha"} {
		r, err := rbac.CreateRole(ctx, tdb, n, now)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Key, "custom-") || r.Builtin || r.Name != n {
			t.Errorf("created %+v", r)
		}
	}
	rs, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		t.Fatal(err)
	}
	want := "Admin,Doctor,Nurse,Receptionist,Accountant,Medical Representative,alpha,Zeta"
	if got := keys(rs); got != want {
		t.Errorf("roles = %s, want %s", got, want)
	}

	// A zero-width joiner draws nothing between Latin letters: "Doc\u200dtor"
	// would look like Doctor.
	for _, n := range []string{"doctor", "ZETA", " Alpha ", "Doc\u200dtor", "Ze\u200cta"} {
		if _, err := rbac.CreateRole(ctx, tdb, n, now); !errors.Is(err, rbac.ErrRoleNameTaken) {
			t.Errorf("create %q: err = %v, want taken", n, err)
		}
	}
	if _, err := rbac.CreateRole(ctx, tdb, " ", now); !errors.Is(err, rbac.ErrRoleNameInvalid) {
		t.Errorf("blank name: err = %v", err)
	}
	// Another clinic's names are its own.
	other := clinic(t, "list-other")
	if _, err := rbac.CreateRole(ctx, other, "Zeta", now); err != nil {
		t.Errorf("other clinic: %v", err)
	}
	if _, err := rbac.RoleByKey(ctx, other, rs[6].Key); !errors.Is(err, rbac.ErrRoleNotFound) {
		t.Errorf("other clinic sees this clinic's role: %v", err)
	}
}

func TestStaleNameClaimIsTakenOver(t *testing.T) {
	ctx := context.Background()
	tdb := clinic(t, "stale")
	// A create interrupted after its claim, long ago: the name is free.
	if err := tdb.Claim(ctx, "role-name", "ghost", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.CreateRole(ctx, tdb, "Ghost", now); err != nil {
		t.Fatalf("stale claim: %v", err)
	}
	// A claim made just now is a create in flight: the name is taken.
	if err := tdb.Claim(ctx, "role-name", "fresh", now); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.CreateRole(ctx, tdb, "Fresh", now); !errors.Is(err, rbac.ErrRoleNameTaken) {
		t.Fatalf("fresh claim: err = %v", err)
	}
}

func TestRenameRole(t *testing.T) {
	ctx := context.Background()
	tdb := clinic(t, "rename")
	if _, err := rbac.RenameRole(ctx, tdb, "admin", "Boss", now); !errors.Is(err, rbac.ErrAdminLocked) {
		t.Errorf("rename admin: %v", err)
	}
	if _, err := rbac.RenameRole(ctx, tdb, "nope", "X", now); !errors.Is(err, rbac.ErrRoleNotFound) {
		t.Errorf("rename unknown: %v", err)
	}
	old, err := rbac.RenameRole(ctx, tdb, "receptionist", "Front desk", now)
	if err != nil || old != "Receptionist" {
		t.Fatalf("rename receptionist: %q %v", old, err)
	}
	r, _ := rbac.RoleByKey(ctx, tdb, "receptionist")
	if r.Name != "Front desk" || !r.Builtin {
		t.Errorf("after rename: %+v", r)
	}
	if _, err := rbac.RenameRole(ctx, tdb, "nurse", "FRONT DESK", now); !errors.Is(err, rbac.ErrRoleNameTaken) {
		t.Errorf("rename to a taken name: %v", err)
	}
	// The old name is free again.
	c, err := rbac.CreateRole(ctx, tdb, "Receptionist", now)
	if err != nil {
		t.Fatalf("reuse the old name: %v", err)
	}
	// A custom role's rename frees its old name, and a change of case only
	// is allowed.
	if _, err := rbac.RenameRole(ctx, tdb, c.Key, "Reception", now); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.RenameRole(ctx, tdb, c.Key, "RECEPTION", now); err != nil {
		t.Errorf("change of case: %v", err)
	}
	if _, err := rbac.CreateRole(ctx, tdb, "receptionist", now); err != nil {
		t.Errorf("name freed by the rename: %v", err)
	}
	if _, err := rbac.RenameRole(ctx, tdb, c.Key, "", now); !errors.Is(err, rbac.ErrRoleNameInvalid) {
		t.Errorf("blank rename: %v", err)
	}
}

func TestDeleteRole(t *testing.T) {
	ctx := context.Background()
	tdb := clinic(t, "delete")
	e := enf
	if _, err := rbac.DeleteRole(ctx, tdb, e, "doctor"); !errors.Is(err, rbac.ErrBuiltinRole) {
		t.Errorf("delete built-in: %v", err)
	}
	if _, err := rbac.DeleteRole(ctx, tdb, e, "admin"); !errors.Is(err, rbac.ErrBuiltinRole) {
		t.Errorf("delete admin: %v", err)
	}
	r, err := rbac.CreateRole(ctx, tdb, "Cleaner", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SetGrant(ctx, store, tdb, r.Key, "inventory", "read", true); err != nil {
		t.Fatal(err)
	}
	addUser(t, tdb, r.Key)
	addUser(t, tdb, r.Key)
	_, err = rbac.DeleteRole(ctx, tdb, e, r.Key)
	var inUse *rbac.InUseError
	if !errors.Is(err, rbac.ErrRoleInUse) || !errors.As(err, &inUse) || inUse.Count != 2 {
		t.Fatalf("delete in use: %v", err)
	}
	if msg := inUse.Message(); msg != "2 staff members have this role: assign them another role first." {
		t.Errorf("message = %q", msg)
	}
	counts, err := rbac.UsersByRole(ctx, tdb)
	if err != nil || counts[r.Key] != 2 {
		t.Errorf("UsersByRole = %v, %v", counts, err)
	}
	if _, err := tdb.Collection("users").DeleteMany(ctx, db.Filter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.DeleteRole(ctx, tdb, e, r.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.RoleByKey(ctx, tdb, r.Key); !errors.Is(err, rbac.ErrRoleNotFound) {
		t.Errorf("role still there: %v", err)
	}
	gs, err := rbac.Grants(ctx, store, tdb.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(gs[r.Key]) != 0 {
		t.Errorf("grants left behind: %v", gs[r.Key])
	}
	if _, err := rbac.CreateRole(ctx, tdb, "cleaner", now); err != nil {
		t.Errorf("name of a deleted role: %v", err)
	}
}

func TestSetGrant(t *testing.T) {
	ctx := context.Background()
	a, b := clinic(t, "grant-a"), clinic(t, "grant-b")
	e := enf
	allowed := func(tdb *db.Tenant, role, res, act string) bool {
		t.Helper()
		ok, err := e.Allowed(ctx, tdb.ID(), db.NewID(), role, res, act) // a new version: reload
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if allowed(a, "doctor", "audit", "read") {
		t.Fatal("doctor reads the audit log by default")
	}
	changed, err := e.SetGrant(ctx, store, a, "doctor", "audit", "read", true)
	if err != nil || !changed {
		t.Fatalf("grant: %v %v", changed, err)
	}
	if !allowed(a, "doctor", "audit", "read") {
		t.Error("grant not in effect")
	}
	if allowed(b, "doctor", "audit", "read") {
		t.Error("grant reached another clinic")
	}
	if changed, err := e.SetGrant(ctx, store, a, "doctor", "audit", "read", true); err != nil || changed {
		t.Errorf("grant again: %v %v", changed, err)
	}
	if changed, err := e.SetGrant(ctx, store, a, "doctor", "audit", "read", false); err != nil || !changed {
		t.Errorf("revoke: %v %v", changed, err)
	}
	if allowed(a, "doctor", "audit", "read") {
		t.Error("revoke not in effect")
	}

	// The no-lock-out rule.
	for _, on := range []bool{false, true} {
		if _, err := e.SetGrant(ctx, store, a, "admin", "roles", "update", on); !errors.Is(err, rbac.ErrAdminLocked) {
			t.Errorf("admin on=%v: %v", on, err)
		}
	}
	if !allowed(a, "admin", "roles", "update") || !allowed(a, "admin", "roles", "read") {
		t.Error("admin lost the roles editor")
	}

	for _, g := range [][2]string{{"*", "read"}, {"patients", "*"}, {"", "read"}, {"a:b", "read"}} {
		if _, err := e.SetGrant(ctx, store, a, "doctor", g[0], g[1], true); !errors.Is(err, rbac.ErrInvalidGrant) {
			t.Errorf("grant %v: %v", g, err)
		}
	}
	if _, err := e.SetGrant(ctx, store, a, "nope", "audit", "read", true); !errors.Is(err, rbac.ErrRoleNotFound) {
		t.Errorf("unknown role: %v", err)
	}
	// A permission held through "*" is not revoked action by action.
	if err := e.Grant(a.ID(), "nurse", "stock", "*"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SetGrant(ctx, store, a, "nurse", "stock", "read", false); !errors.Is(err, rbac.ErrWildcardGrant) {
		t.Errorf("wildcard revoke: %v", err)
	}

	gs, err := rbac.Grants(ctx, store, a.ID())
	if err != nil {
		t.Fatal(err)
	}
	if !gs["admin"].Has("anything", "delete") || gs["admin"].Exact("anything", "delete") {
		t.Errorf("admin grants: %v", gs["admin"])
	}
	if !gs["doctor"].Exact("patients", "read") || gs["doctor"].Has("audit", "read") {
		t.Errorf("doctor grants: %v", gs["doctor"])
	}
	if l := gs["receptionist"].List(); len(l) != 9 || l[0].Resource != "appointments" || l[0].Action != "create" {
		t.Errorf("receptionist list: %v", l)
	}
}

func TestGrantSetHas(t *testing.T) {
	s := rbac.GrantSet{"patients:read": true, "stock:*": true, "*:read": true}
	cases := []struct {
		res, act string
		want     bool
	}{
		{"patients", "read", true},
		{"patients", "update", false},
		{"stock", "delete", true},
		{"billing", "read", true},
		{"billing", "create", false},
	}
	for _, c := range cases {
		if got := s.Has(c.res, c.act); got != c.want {
			t.Errorf("Has(%s, %s) = %v", c.res, c.act, got)
		}
	}
	if !(rbac.GrantSet{"*:*": true}).Has("x", "y") {
		t.Error("*:* does not cover everything")
	}
}

// The claim, not the check before it, decides between concurrent creates of
// one name (in any case): exactly one wins.
func TestConcurrentCreatesOfOneName(t *testing.T) {
	ctx := context.Background()
	tdb := clinic(t, "race")
	names := []string{"Pharmacist", "PHARMACIST", "pharmacist", "Pharmacist ", "pharmaCIST", "Pharmacist", "pharmacist", "PharmaciST"}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, n := range names {
		wg.Go(func() {
			<-start
			_, errs[i] = rbac.CreateRole(ctx, tdb, n, now)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, rbac.ErrRoleNameTaken):
			t.Errorf("unexpected error: %v", err)
		}
	}
	rs, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || len(rs) != 7 {
		t.Errorf("%d creates won, %d roles exist; want 1 and 7", won, len(rs))
	}
}
