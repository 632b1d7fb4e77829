package audit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// chartView is an action a module declares.
const chartView = "chart.view"

func catalogue(t *testing.T) *audit.Catalogue {
	t.Helper()
	c, err := audit.NewCatalogue(
		audit.Declaration{By: "core", Actions: audit.CoreActions()},
		audit.Declaration{By: "charts", Actions: []audit.Action{{Code: chartView, Label: "Opened a chart", Says: "opened the chart of", Plural: "charts", Link: "/charts/"}, {Code: "chart.list", Label: "Listed charts"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve answers one request, from 10.0.0.7, on a real gin engine: the
// first step plays core's part, giving the request its id and binding it
// to b (nil: not bound), then h runs.
func serve(t *testing.T, b *audit.Binding, h gin.HandlerFunc) {
	t.Helper()
	e := gin.New()
	if err := e.SetTrustedProxies(nil); err != nil {
		t.Fatal(err)
	}
	e.POST("/x", func(c *gin.Context) {
		ctx := logging.WithRequest(c.Request.Context(), "req-1", zerolog.Nop())
		if b != nil {
			ctx = audit.Bind(ctx, *b)
		}
		c.Request = c.Request.WithContext(ctx)
	}, h)
	r := httptest.NewRequest(http.MethodPost, "/x", nil)
	r.RemoteAddr = "10.0.0.7:4242"
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
}

// logOf returns the clinic's entries of action.
func logOf(t *testing.T, tdb *db.Tenant, action string) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), tdb, audit.Filter{Action: action}, &web.Pager{Page: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestRecordTakesTheRequestsClinicActorAddressAndTime(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	a, b := s.ForTenant("A"), s.ForTenant("B")
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	bound := &audit.Binding{Clinic: a, ActorID: "u1", ActorEmail: "ada@sunrise.test", Clock: clk, Actions: catalogue(t)}

	serve(t, bound, func(c *gin.Context) {
		if err := audit.For(c).Record(audit.UserUpdate, "user:u2", audit.Change("nurse", "doctor")); err != nil {
			t.Error(err)
		}
	})
	clk.Advance(time.Minute)
	serve(t, bound, func(c *gin.Context) {
		// A sign-in is recorded by the person it is for.
		if err := audit.For(c).As("", "mallory@example.com").Record(audit.SignInFailure, "", audit.Note("no such person")); err != nil {
			t.Error(err)
		}
	})

	es := logOf(t, a, audit.UserUpdate)
	if len(es) != 1 {
		t.Fatalf("user.update entries: %+v", es)
	}
	want := audit.Entry{ID: es[0].ID, TenantID: "A", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), ActorID: "u1", ActorEmail: "ada@sunrise.test",
		Action: audit.UserUpdate, Target: "user:u2", Before: "nurse", After: "doctor", IP: "10.0.0.7", RequestID: "req-1"}
	got := es[0]
	if got.ID == "" || !got.At.Equal(want.At) {
		t.Errorf("entry id %q at %v", got.ID, got.At)
	}
	got.At = want.At
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entry\n got %+v\nwant %+v", got, want)
	}
	es = logOf(t, a, audit.SignInFailure)
	if len(es) != 1 || es[0].ActorID != "" || es[0].ActorEmail != "mallory@example.com" || es[0].After != "no such person" ||
		es[0].Before != "" || !es[0].At.Equal(clk.Now()) || es[0].IP != "10.0.0.7" {
		t.Errorf("sign-in failure entries: %+v", es)
	}
	if es := logOf(t, b, ""); len(es) != 0 {
		t.Errorf("another clinic's log got entries: %+v", es)
	}
}

func TestRecordRefuses(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	a := s.ForTenant("A")
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cases := []struct {
		name    string
		binding *audit.Binding
		action  string
		want    error
	}{
		{"a request core did not bind", nil, audit.SignOut, audit.ErrNotBound},
		{"an action nobody declared", &audit.Binding{Clinic: a, ActorID: "u1", Clock: clk, Actions: catalogue(t)}, "chart.print", audit.ErrUndeclared},
	}
	for _, tc := range cases {
		var err error
		serve(t, tc.binding, func(c *gin.Context) { err = audit.For(c).Record(tc.action, "chart:c1") })
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if es := logOf(t, a, tc.action); len(es) != 0 {
			t.Errorf("%s: recorded %+v", tc.name, es)
		}
	}
}
