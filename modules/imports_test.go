// Package modules_test guards the tenancy rule that modules never get a raw
// driver collection (DESIGN.md, "Tenancy rules"): no package under modules/
// may import any of the MongoDB driver's packages (bson included: modules
// write typed queries with core/db, and struct tags need no import), use
// anything from them through core, or take a database handle of their own:
// (*db.Store).Platform crosses tenants, and (*db.Store).ForTenant picks a
// tenant other than the request's. Nor may a module change the tenant
// registry (a clinic's status, name, subscription) or hold the platform
// services (kit.Platform) or build Ward (kit.Build) — except the platform
// modules, declared in platformModules.
//
// The check type-checks each module package from source against the
// compiler's export data of its dependencies, so it sees uses that no import
// line shows: a method value, a promoted method, a type reached through core.
package modules_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	wardModule = "github.com/wardclinic/ward"
	modulesDir = wardModule + "/modules"
	dbPkg      = wardModule + "/core/db"
	kitPkg     = wardModule + "/core/kit"
	tenantPkg  = wardModule + "/core/tenant"
)

// forbiddenRoots are the driver's packages below which everything is
// off-limits to modules: the whole driver (its v2 included, which lives
// below the same path). Filters and updates are core/db's typed queries;
// documents are marshalled by core/db.
var forbiddenRoots = []string{
	"go.mongodb.org/mongo-driver",
}

// forbiddenMethods are methods a module may not call, by receiver type:
// those of *db.Store that hand out a database handle — every tenant's
// (Platform) or any one tenant's (ForTenant): a module gets its clinic's
// handle from the request — and the tenant registry's writes.
var forbiddenMethods = []struct {
	pkg, typ string
	names    []string
	platform bool // platform modules may call them
}{
	{dbPkg, "Store", []string{"Platform", "ForTenant"}, false},
	{tenantPkg, "Registry", []string{"Insert", "SetStatus", "SetName", "SetExpiry", "SetSubscription", "EmailConfirmed", "NewPolicyVersion", "Purge", "InvalidateCache"}, true},
}

// forbiddenTypes are types no module may hold: the cross-tenant handle, and
// the platform services and Ward itself (platform modules may hold
// kit.Platform).
var forbiddenTypes = []struct {
	pkg, name string
	platform  bool
}{
	{dbPkg, "Platform", false},
	{kitPkg, "Platform", true},
	{kitPkg, "Ward", false},
	{kitPkg, "Build", false},
}

// platformModules work across clinics: onboarding creates clinics, which
// are not the request's (a sign-up page belongs to the platform), with the
// platform services (kit.Platform); subscriptions records the payments a
// card payment provider reports on the platform host (a webhook belongs to
// no clinic's request).
var platformModules = map[string]bool{
	modulesDir + "/onboarding":    true,
	modulesDir + "/subscriptions": true,
}

func forbiddenPath(path string) bool {
	for _, root := range forbiddenRoots {
		if path == root || strings.HasPrefix(path, root+"/") {
			return true
		}
	}
	return false
}

// listedPackage is what `go list -json` says about a package.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Export     string
	ImportMap  map[string]string
	DepOnly    bool
	Error      *struct{ Err string }
}

// universe is every package the checks may import, with its export data.
type universe struct {
	fset     *token.FileSet
	pkgs     map[string]*listedPackage
	importer types.Importer
}

// load lists patterns and all their dependencies with export data, from the
// repository's root.
func load(t *testing.T, patterns ...string) *universe {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside the ward module")
	}
	args := append([]string{"list", "-e", "-deps", "-export",
		"-json=ImportPath,Dir,GoFiles,CgoFiles,Export,ImportMap,DepOnly,Error"}, patterns...)
	cmd := exec.Command(goTool, args...)
	cmd.Dir = filepath.Dir(gomod)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}

	u := &universe{fset: token.NewFileSet(), pkgs: map[string]*listedPackage{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(listedPackage)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		u.pkgs[p.ImportPath] = p
	}
	u.importer = importer.ForCompiler(u.fset, "gc", func(path string) (io.ReadCloser, error) {
		p := u.pkgs[path]
		if p == nil || p.Export == "" {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(p.Export)
	})
	return u
}

// importerFor resolves a package's import paths (vendoring, ImportMap) before
// loading export data.
func (u *universe) importerFor(p *listedPackage) types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if mapped, ok := p.ImportMap[path]; ok {
			path = mapped
		}
		return u.importer.Import(path)
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// check type-checks one package's files and returns every forbidden use, as
// "file:line:col: what" lines, sorted and without repeats.
func check(fset *token.FileSet, path string, files []*ast.File, imp types.Importer) ([]string, error) {
	allowed := platformModules[path]
	conf := types.Config{Importer: imp, Sizes: types.SizesFor("gc", runtime.GOARCH)}
	info := &types.Info{
		Uses:       map[*ast.Ident]types.Object{},
		Types:      map[ast.Expr]types.TypeAndValue{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	if _, err := conf.Check(path, fset, files, info); err != nil {
		return nil, fmt.Errorf("type-checking %s: %w", path, err)
	}

	type finding struct {
		pos token.Position
		msg string
	}
	seen := map[finding]bool{}
	var findings []finding
	report := func(pos token.Pos, format string, args ...any) {
		f := finding{fset.Position(pos), fmt.Sprintf(format, args...)}
		if !seen[f] {
			seen[f] = true
			findings = append(findings, f)
		}
	}

	for _, f := range files {
		for _, spec := range f.Imports {
			if p, _ := strconv.Unquote(spec.Path.Value); forbiddenPath(p) {
				report(spec.Pos(), "imports %s", p)
			}
		}
	}
	for id, obj := range info.Uses {
		if pn, ok := obj.(*types.PkgName); ok {
			if forbiddenPath(pn.Imported().Path()) {
				report(id.Pos(), "uses package %s", pn.Imported().Path())
			}
			continue
		}
		if why := forbiddenObject(obj, allowed); why != "" {
			report(id.Pos(), "uses %s", why)
		}
	}
	for sel, s := range info.Selections {
		if why := forbiddenObject(s.Obj(), allowed); why != "" {
			report(sel.Sel.Pos(), "selects %s", why)
		}
		if tn := forbiddenIn(s.Recv(), allowed); tn != nil {
			report(sel.Pos(), "selects on a value of type %s", s.Recv())
		}
	}
	for expr, tv := range info.Types {
		if tv.Type == nil {
			continue
		}
		if tn := forbiddenIn(tv.Type, allowed); tn != nil {
			report(expr.Pos(), "has an expression of type %s (from %s)", tv.Type, tn.Pkg().Path())
		}
	}
	slices.SortFunc(findings, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.pos.Filename, b.pos.Filename), cmp.Compare(a.pos.Offset, b.pos.Offset), cmp.Compare(a.msg, b.msg))
	})
	found := make([]string, len(findings))
	for i, f := range findings {
		found[i] = fmt.Sprintf("%s: %s", f.pos, f.msg)
	}
	return found, nil
}

// forbiddenObject explains why obj may not be used by a module, or returns "".
// platform: the module is a platform module.
func forbiddenObject(obj types.Object, platform bool) string {
	if obj == nil || obj.Pkg() == nil {
		return ""
	}
	if forbiddenPath(obj.Pkg().Path()) {
		return fmt.Sprintf("%s.%s", obj.Pkg().Path(), obj.Name())
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return ""
	}
	recv := fn.Signature().Recv()
	if recv == nil {
		for _, f := range forbiddenTypes {
			if obj.Pkg().Path() == f.pkg && fn.Name() == f.name && !(f.platform && platform) {
				return fmt.Sprintf("%s.%s", f.pkg, f.name)
			}
		}
		return ""
	}
	for _, m := range forbiddenMethods {
		if obj.Pkg().Path() == m.pkg && slices.Contains(m.names, fn.Name()) && !(m.platform && platform) && isNamed(recv.Type(), m.pkg, m.typ) {
			return fmt.Sprintf("(*%s.%s).%s", m.pkg, m.typ, fn.Name())
		}
	}
	return ""
}

// isNamed reports whether t is pkg.name or a pointer to it.
func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// forbiddenIn returns a forbidden named type that t is built from: a driver
// type, or one of forbiddenTypes, possibly behind pointers,
// slices, maps, channels, function signatures, struct literals or type
// arguments. It does not look inside named types' definitions: *db.Collection
// wraps an engine, and that is the point of it.
func forbiddenIn(t types.Type, platform bool) *types.TypeName {
	if tn := typeName(t); tn != nil && bad(tn, platform) {
		return tn
	}
	for _, part := range parts(t) {
		if tn := forbiddenIn(part, platform); tn != nil {
			return tn
		}
	}
	return nil
}

// typeName is the name of a named type or an alias, or nil.
func typeName(t types.Type) *types.TypeName {
	switch t := t.(type) {
	case *types.Alias:
		return t.Obj()
	case *types.Named:
		return t.Obj()
	}
	return nil
}

// parts returns the types t is made of, one level down: an alias's type, a
// named type's type arguments, the elements of composite types, the
// parameters and results of a signature, the fields of a struct, the
// methods and embedded types of an interface.
func parts(t types.Type) []types.Type {
	switch t := t.(type) {
	case *types.Alias:
		return []types.Type{types.Unalias(t)}
	case *types.Named:
		return slices.Collect(t.TypeArgs().Types())
	case *types.Map:
		return []types.Type{t.Key(), t.Elem()}
	case interface{ Elem() types.Type }: // pointer, slice, array, channel
		return []types.Type{t.Elem()}
	case *types.Tuple:
		return varTypes(t.Variables())
	case *types.Signature:
		return []types.Type{t.Params(), t.Results()}
	case *types.Struct:
		return varTypes(t.Fields())
	case *types.Interface:
		out := slices.Collect(t.EmbeddedTypes())
		for m := range t.ExplicitMethods() {
			out = append(out, m.Type())
		}
		return out
	}
	return nil
}

func varTypes(vs iter.Seq[*types.Var]) []types.Type {
	var out []types.Type
	for v := range vs {
		out = append(out, v.Type())
	}
	return out
}

func bad(tn *types.TypeName, platform bool) bool {
	if tn.Pkg() == nil {
		return false
	}
	if forbiddenPath(tn.Pkg().Path()) {
		return true
	}
	for _, f := range forbiddenTypes {
		if tn.Pkg().Path() == f.pkg && tn.Name() == f.name && !(f.platform && platform) {
			return true
		}
	}
	return false
}

// selfCheckPatterns are listed beside ./modules/... so that the self-check's
// sources can import them.
var selfCheckPatterns = []string{
	"go.mongodb.org/mongo-driver/mongo",
	"go.mongodb.org/mongo-driver/mongo/options",
	"go.mongodb.org/mongo-driver/bson",
	dbPkg,
	kitPkg,
	tenantPkg,
}

func TestModulesDoNotReachTheDriver(t *testing.T) {
	u := load(t, append([]string{"./modules/..."}, selfCheckPatterns...)...)

	t.Run("self-check", func(t *testing.T) {
		cases := []struct {
			name string
			path string // the package checked; "": example.com/fake
			src  string
			want []string // substrings that must appear among the findings; none: clean
			not  []string // substrings that must not
		}{
			{
				name: "direct import",
				src: `package fake
import "go.mongodb.org/mongo-driver/mongo"
var Err = mongo.ErrNoDocuments`,
				want: []string{"imports go.mongodb.org/mongo-driver/mongo", "uses package go.mongodb.org/mongo-driver/mongo", "mongo.ErrNoDocuments"},
			},
			{
				name: "blank import of a subpackage",
				src: `package fake
import _ "go.mongodb.org/mongo-driver/mongo/options"`,
				want: []string{"imports go.mongodb.org/mongo-driver/mongo/options"},
			},
			{
				name: "bson for a filter",
				src: `package fake
import "go.mongodb.org/mongo-driver/bson"
var F = bson.D{{Key: "name", Value: "x"}}`,
				want: []string{"imports go.mongodb.org/mongo-driver/bson", "uses package go.mongodb.org/mongo-driver/bson"},
			},
			{
				name: "a tenant's handle picked by the module",
				src: `package fake
import "github.com/wardclinic/ward/core/db"
func Other(s *db.Store, id string) *db.Collection { return s.ForTenant(id).Collection("patients") }`,
				want: []string{"uses (*" + dbPkg + ".Store).ForTenant"},
			},
			{
				name: "a platform module may hold the platform services, not the store",
				path: modulesDir + "/onboarding",
				src: `package fake
import (
	"context"
	"time"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
)
func New(p *kit.Platform, id string) *db.Tenant { return p.Clinic(id) }
func Off(ctx context.Context, p *kit.Platform, id string) { _, _ = p.Tenants().SetStatus(ctx, id, "suspended", time.Now()) }
func All(s *db.Store) *db.Collection { return s.Platform("x").Collection("patients") }`,
				want: []string{"uses (*" + dbPkg + ".Store).Platform"},
				not:  []string{"kit.Platform", "SetStatus"},
			},
			{
				name: "the platform services and registry writes, in a clinic module",
				src: `package fake
import (
	"context"
	"time"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/tenant"
)
func Off(ctx context.Context, p *kit.Platform, id string) { _, _ = p.Tenants().SetStatus(ctx, id, "suspended", time.Now()) }
func Rename(ctx context.Context, r *tenant.Registry, id string) { _, _ = r.SetName(ctx, id, "x", time.Now()) }
var build = kit.Build`,
				want: []string{"type *" + kitPkg + ".Platform", "(*" + tenantPkg + ".Registry).SetStatus", "(*" + tenantPkg + ".Registry).SetName", kitPkg + ".Build"},
			},
			{
				name: "Platform handle",
				src: `package fake
import "github.com/wardclinic/ward/core/db"
func All(s *db.Store) *db.Collection { return s.Platform("just this once").Collection("patients") }`,
				want: []string{"uses (*" + dbPkg + ".Store).Platform", "type *" + dbPkg + ".Platform"},
			},
			{
				name: "method expression",
				src: `package fake
import "github.com/wardclinic/ward/core/db"
var get = (*db.Store).ForTenant`,
				want: []string{"(*" + dbPkg + ".Store).ForTenant"},
			},
			{
				name: "promoted through an embedded store",
				src: `package fake
import "github.com/wardclinic/ward/core/db"
type wrapper struct{ *db.Store }
func All(w wrapper) { _ = w.Platform("x") }`,
				want: []string{"(*" + dbPkg + ".Store).Platform"},
			},
			{
				name: "clean module code",
				src: `package fake
import (
	"context"
	"github.com/wardclinic/ward/core/db"
)
type patient struct {
	ID   string ` + "`bson:\"_id\"`" + `
	Name string ` + "`bson:\"name\"`" + `
}
func Count(ctx context.Context, tdb *db.Tenant) (int64, error) {
	c := tdb.Collection("patients")
	var ps []patient
	if err := c.Find(ctx, db.Prefix("name", "zo"), &ps, db.FindOptions{Sort: []db.Order{db.Asc("name")}}); err != nil {
		return 0, err
	}
	return c.Count(ctx, db.And(db.Eq("name", db.NewID()), db.Gt("n", 1)))
}`,
			},
		}
		for _, c := range cases {
			f, err := parser.ParseFile(u.fset, "fake.go", c.src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			path := cmp.Or(c.path, "example.com/fake")
			found, err := check(u.fset, path, []*ast.File{f}, u.importer)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			all := strings.Join(found, "\n")
			t.Logf("%s: %d findings", c.name, len(found))
			if len(c.want) == 0 && len(found) > 0 {
				t.Errorf("%s: clean code flagged:\n%s", c.name, all)
			}
			if len(c.want) > 0 && len(found) == 0 {
				t.Errorf("%s: violation not caught", c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("%s: findings do not mention %q:\n%s", c.name, w, all)
				}
			}
			for _, w := range c.not {
				if strings.Contains(all, w) {
					t.Errorf("%s: findings mention %q:\n%s", c.name, w, all)
				}
			}
		}
	})

	var checked []string
	for path, p := range u.pkgs {
		if p.DepOnly || !strings.HasPrefix(path, modulesDir+"/") {
			continue
		}
		if p.Error != nil {
			t.Errorf("%s: %s", path, p.Error.Err)
			continue
		}
		if len(p.CgoFiles) > 0 {
			t.Errorf("%s: cgo files are not checked; modules should not use cgo", path)
			continue
		}
		if len(p.GoFiles) == 0 {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(u.fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		found, err := check(u.fset, path, files, u.importerFor(p))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, line := range found {
			t.Errorf("%s must not reach the database driver or cross tenants: %s", path, line)
		}
		checked = append(checked, path)
	}
	if len(checked) == 0 {
		t.Fatal("no module package was checked")
	}
	slices.Sort(checked)
	t.Logf("checked %s", strings.Join(checked, ", "))
}
