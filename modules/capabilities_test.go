package modules_test

import (
	"reflect"
	"testing"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/modules"
)

// capabilities are the interfaces the registry detects: each is one
// method, which names it.
var capabilities = []reflect.Type{
	reflect.TypeFor[app.Module](), reflect.TypeFor[kit.Provisioner](), reflect.TypeFor[kit.PlatformModule](),
	reflect.TypeFor[app.TemplateProvider](), reflect.TypeFor[app.RouteDeclarer](), reflect.TypeFor[app.IndexDeclarer](),
	reflect.TypeFor[app.PermissionDeclarer](), reflect.TypeFor[app.NavDeclarer](), reflect.TypeFor[app.AuditDeclarer](),
	reflect.TypeFor[app.TenantSeeder](), reflect.TypeFor[app.JobDeclarer](), reflect.TypeFor[app.PageDecorator](),
	reflect.TypeFor[app.MoneyKeeper](), reflect.TypeFor[app.TimelineSource](), reflect.TypeFor[app.Gatekeeper](),
}

// TestCapabilities checks, for every module, that a method named like a
// capability has the capability's signature. The registry detects
// capabilities by interface, so a method that misses it (another result
// type, a parameter too many) would be ignored without a word; this one
// check stands for a compile-time assertion in each module.
func TestCapabilities(t *testing.T) {
	for _, m := range modules.All() {
		for _, msg := range misfits(m) {
			t.Errorf("module %q: %s", m.Name(), msg)
		}
	}
	if got := misfits(misfit{}); len(got) != 1 {
		t.Errorf("a Nav method of another signature: %q, want one complaint", got)
	}
}

// misfits lists m's methods that have a capability's name and not its
// signature.
func misfits(m any) []string {
	var out []string
	typ := reflect.TypeOf(m)
	for _, capability := range capabilities {
		if capability.NumMethod() != 1 {
			out = append(out, capability.String()+" has more than one method: check each here")
			continue
		}
		name := capability.Method(0).Name
		if _, has := typ.MethodByName(name); has && !typ.Implements(capability) {
			out = append(out, name+" does not implement "+capability.String()+": see its signature in core/app or core/kit")
		}
	}
	return out
}

type misfit struct{}

func (misfit) Name() string  { return "misfit" }
func (misfit) Nav() []string { return nil }
