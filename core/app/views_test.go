package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/signin"
)

// charts is a clinical module: its handlers report what they show, except
// the one that forgets.
type charts struct{}

func (charts) AuditActions() []audit.Action {
	return []audit.Action{{Code: "chart.list", Label: "Listed charts"}, {Code: "chart.view", Label: "Opened a chart"}}
}

var _ app.AuditDeclarer = charts{}

func (charts) Name() string { return "charts" }

func (charts) Permissions() []app.Permission {
	return []app.Permission{{Resource: "charts", Label: "Charts", Actions: []string{"read"}, Clinical: true}}
}

func (charts) Routes(r *app.Routes) {
	read := app.Allow("charts", "read")
	r.Clinic(http.MethodGet, "/charts", read, func(c *gin.Context) error {
		audit.Shown(c.Request.Context(), "chart.list", audit.Ref{ID: "c1", Label: "C-1"}, audit.Ref{ID: "c2"})
		c.String(http.StatusOK, "charts C-1, c2")
		return nil
	})
	r.Clinic(http.MethodGet, "/charts/forgetful", read, func(c *gin.Context) error {
		c.String(http.StatusOK, "chart c1") // shows a chart, reports nothing
		return nil
	})
	r.Clinic(http.MethodGet, "/charts/missing", read, func(c *gin.Context) error {
		audit.Shown(c.Request.Context(), "chart.view", audit.Ref{ID: "c9"})
		return web.NotFound("No such chart.") // an error page shows no chart
	})
}

// entries returns the clinic's audit entries whose action is one of actions.
func entries(t *testing.T, tdb *db.Tenant, actions ...string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for _, a := range actions {
		var es []audit.Entry
		if err := tdb.Collection(audit.Collection).Find(context.Background(), db.Eq("action", a), &es, db.FindOptions{}); err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
	}
	return out
}

func TestClinicalViewsAreAudited(t *testing.T) {
	var mu sync.Mutex
	var unreported []string
	s := apptest.Start(t, apptest.Options{
		UnreportedViews: true, // provoked below on purpose
		Setup: func(a *app.App) {
			a.OnUnreportedView(func(r app.Route) {
				mu.Lock()
				defer mu.Unlock()
				unreported = append(unreported, r.Method+" "+r.Path)
			})
		},
	}, signin.New(), charts{})
	cl := s.NewClinic(t, "sunrise")
	c := s.Client(t)
	c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)

	// A handler that reports: one entry naming what it showed.
	if r := c.Get(cl.Host, "/charts"); r.StatusCode != http.StatusOK || r.Body != "charts C-1, c2" {
		t.Fatalf("GET /charts: %d %q", r.StatusCode, r.Body)
	}
	es := entries(t, cl.DB, "chart.list")
	if len(es) != 1 {
		t.Fatalf("chart.list entries: %+v", es)
	}
	e := es[0]
	want := []audit.Ref{{ID: "c1", Label: "C-1"}, {ID: "c2"}}
	if !slices.Equal(e.Records, want) || e.Route != "GET /charts" || e.ActorID != cl.Admin.ID || e.ActorEmail != cl.Admin.Email ||
		e.IP == "" || e.RequestID == "" || !e.At.Equal(s.Clock.Now()) {
		t.Errorf("entry: %+v", e)
	}

	// An error page shows nothing: no entry, and no complaint.
	if r := c.Get(cl.Host, "/charts/missing"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /charts/missing: %d", r.StatusCode)
	}
	if es := entries(t, cl.DB, "chart.view"); len(es) != 0 {
		t.Errorf("an error page was audited as a view: %+v", es)
	}

	// The forgetful handler is caught: its view still leaves a trace that
	// names the route and the person, and the defect is reported.
	if r := c.Get(cl.Host, "/charts/forgetful"); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /charts/forgetful: %d", r.StatusCode)
	}
	es = entries(t, cl.DB, audit.UnreportedView)
	if len(es) != 1 || es[0].Route != "GET /charts/forgetful" || es[0].ActorID != cl.Admin.ID || len(es[0].Records) != 0 ||
		!strings.Contains(es[0].After, "unreported view of /charts/forgetful") {
		t.Errorf("unreported view entries: %+v", es)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(unreported, []string{"GET /charts/forgetful"}) {
		t.Errorf("unreported views observed: %v", unreported)
	}
}
