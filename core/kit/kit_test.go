package kit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// probe answers with what the services say of the request, and seeds a
// marker in every new clinic.
type probe struct{ s *kit.Services }

func (p *probe) Name() string                    { return "probe" }
func (p *probe) Provision(s *kit.Services) error { p.s = s; return nil }
func (p *probe) AuditActions() []audit.Action {
	return []audit.Action{{Code: "probe.look", Label: "Looked"}}
}
func (p *probe) Permissions() []app.Permission {
	return []app.Permission{{Resource: "probe", Label: "Probe", Actions: []string{"read"}}}
}
func (p *probe) Indexes() []db.Index {
	return []db.Index{{Collection: "probes", Keys: []string{db.TenantField}}}
}
func (p *probe) SeedTenant(ctx context.Context, tdb *db.Tenant, now time.Time) error {
	return tdb.Collection("probes").Insert(ctx, map[string]any{"_id": db.NewID(), "at": now})
}
func (p *probe) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/probe", app.Allow("probe", "read"), func(c *gin.Context) error {
		ok, err := p.s.Can(c, "probe", "read")
		if err != nil {
			return err
		}
		if err := audit.For(c).Record("probe.look", "probe:1"); err != nil {
			return err
		}
		n, err := p.s.Clinic(c).Collection("probes").Count(c.Request.Context(), db.Filter{})
		if err != nil {
			return err
		}
		web.OK(c, http.StatusOK, gin.H{"user": p.s.User(c).Email, "clinic": p.s.Tenant(c).Subdomain,
			"link": p.s.Link(c, "/x"), "can": ok, "seeded": n})
		return nil
	})
}

func TestServicesAreBoundToTheRequest(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), &probe{})
	cl := s.NewClinic(t, "sunrise")
	c := s.Client(t)
	c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)

	r := c.Get(cl.Host, "/probe")
	apptest.WantStatus(t, "probe", r, http.StatusOK)
	var got struct {
		Data struct {
			User, Clinic, Link string
			Can                bool
			Seeded             int64
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	d := got.Data
	if d.User != cl.Admin.Email || d.Clinic != "sunrise" || !d.Can || d.Seeded != 1 {
		t.Errorf("services said %+v", d)
	}
	if want := "http://sunrise.localhost:" + s.Port + "/x"; d.Link != want {
		t.Errorf("link = %q, want %q (from PUBLIC_URL)", d.Link, want)
	}
	if n := apptest.Count(t, cl.DB.Collection(audit.Collection), db.Eq("action", "probe.look")); n != 1 {
		t.Errorf("%d probe.look entries, want 1", n)
	}
}

// dupAction declares a core action's code again.
type dupAction struct{}

func (dupAction) Name() string { return "dup" }
func (dupAction) AuditActions() []audit.Action {
	return []audit.Action{{Code: audit.SignOut, Label: "Left"}}
}

func TestBuildRefusesAnActionDeclaredTwice(t *testing.T) {
	cfg, err := config.Load(func(k string) string { return map[string]string{"DATA_DIR": t.TempDir()}[k] })
	if err != nil {
		t.Fatal(err)
	}
	_, err = kit.Build(kit.Options{Config: cfg, Store: dbtest.Open(t), Templates: templates.FS, Static: static.FS}, dupAction{})
	if err == nil || !strings.Contains(err.Error(), "signout") {
		t.Fatalf("Build = %v, want a refusal naming the action", err)
	}
}
