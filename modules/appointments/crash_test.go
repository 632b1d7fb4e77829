package appointments

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/modules/dashboard"
	settingsmod "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// A booking that dies between claiming its time and storing its record
// leaves claims of nothing: the time is refused for the minute a booking
// may take, then taken over by the next booking, and the dead one's claims
// are gone.
func TestCrashBetweenClaimsAndRecord(t *testing.T) {
	m := New()
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), settingsmod.New(), m)
	cl, admin := s.NewSignedInClinic(t, "crash")
	doc := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@crash.test")
	patient := func() string {
		id := db.NewID()
		if err := cl.DB.Collection("patients").Insert(context.Background(), map[string]any{"_id": id, "active": true}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	book := func() *apptest.Response {
		r, _ := admin.API(cl.Host, http.MethodPost, "/api/appointments",
			fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":"2030-01-07T09:00:00Z","minutes":30}`, patient(), doc.ID))
		return r
	}
	m.afterClaims = func() { panic("the process dies") }
	if r := book(); r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("the dying booking: %d", r.StatusCode)
	}
	m.afterClaims = nil
	slots := cl.DB.Collection(slotsCollection)
	if n := apptest.Count(t, slots, db.Filter{}); n != 12 {
		t.Fatalf("%d claims left by the dead booking, want its 12", n)
	}
	if n := apptest.Count(t, cl.DB.Collection(kind.Collection), db.Filter{}); n != 0 {
		t.Fatalf("%d appointments stored", n)
	}
	if r := book(); r.StatusCode != http.StatusConflict {
		t.Fatalf("booking while the dead one might still be at work: %d, want 409", r.StatusCode)
	}
	s.Clock.Advance(orphanAge + time.Second)
	if r := book(); r.StatusCode != http.StatusCreated {
		t.Fatalf("booking after a minute: %d, want 201", r.StatusCode)
	}
	var stored []slot
	if err := slots.Find(context.Background(), db.Filter{}, &stored, db.FindOptions{Limit: 100}); err != nil {
		t.Fatal(err)
	}
	var a []Appointment
	if err := cl.DB.Collection(kind.Collection).Find(context.Background(), db.Filter{}, &a, db.FindOptions{Limit: 10}); err != nil || len(a) != 1 {
		t.Fatalf("appointments %v %v", a, err)
	}
	for _, sl := range stored {
		if sl.AppointmentID != a[0].ID {
			t.Fatalf("a claim of the dead booking is left: %+v", sl)
		}
	}
	if len(stored) != 12 {
		t.Fatalf("%d claims, want the new booking's 12", len(stored))
	}
}
