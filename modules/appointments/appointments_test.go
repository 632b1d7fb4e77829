package appointments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/modules/appointments"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	settingsmodule "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// appt is an appointment as the API shows it.
type appt struct {
	ID         string     `json:"id" bson:"_id"`
	PatientID  string     `json:"patientId"`
	ProviderID string     `json:"providerId"`
	RoomID     string     `json:"roomId"`
	Start      time.Time  `json:"start"`
	Minutes    int        `json:"minutes"`
	Status     string     `json:"status"`
	Version    int64      `json:"version"`
	Overbooked bool       `json:"overbooked"`
	ArrivedAt  *time.Time `json:"arrivedAt"`
	CancelBy   string     `json:"cancelledBy"`
}

// env is one clinic of the package's Ward, its admin signed in, with a
// doctor to book.
type env struct {
	s      *apptest.Server
	cl     *apptest.Clinic
	admin  *apptest.Client
	doctor *auth.User
}

func TestAppointments(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), patients.New(), settingsmodule.New(), appointments.New())
	for _, tc := range []struct {
		name string
		run  func(*testing.T, env)
	}{
		{"concurrent", testConcurrentBookings},
		{"resources", testPatientAndRoom},
		{"edges", testTouchingEdges},
		{"cancel", testCancelFreesTheSlot},
		{"reschedule", testReschedule},
		{"orphan", testOrphanClaim},
		{"status", testStatusFlow},
		{"providers", testProviders},
		{"roles", testRoles},
		{"validation", testValidation},
		{"day", testDayList},
		{"overlaps", testOverlaps},
		{"clinic-day", testClinicDay},
		{"own-status", testOwnStatus},
		{"timeline", testTimeline},
		{"service-minutes", testServiceMinutes},
		{"demo", testDemo},
		{"completed-early", testCompletedEarly},
		{"stray-claim", testStrayClaim},
		{"room-spelling", testRoomSpelling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := s.NewClinic(t, "appt-"+tc.name)
			c := s.Client(t)
			c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
			doc := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@"+tc.name+".test")
			tc.run(t, env{s: s, cl: cl, admin: c, doctor: doc})
		})
	}
}

var day = time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)

// at is 7 January 2030 at h:m UTC, as RFC 3339.
func at(h, m int) string {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).Format(time.RFC3339)
}

// patient stores a patient of the clinic (as the patients module keeps
// them: a record with an id, active) and returns its id.
func (e env) patient(t *testing.T) string {
	t.Helper()
	id := db.NewID()
	if err := e.cl.DB.Collection("patients").Insert(context.Background(), map[string]any{"_id": id, "active": true}); err != nil {
		t.Fatal(err)
	}
	return id
}

// call sends a JSON request as c and returns the status, the envelope and
// the conflict's id (of a 409).
func (e env) call(t *testing.T, c *apptest.Client, method, path, body string) (int, apptest.Envelope, string) {
	t.Helper()
	r, out := c.API(e.cl.Host, method, path, body)
	var conflict struct {
		Conflict struct{ ID string } `json:"conflict"`
	}
	_ = json.Unmarshal([]byte(r.Body), &conflict)
	return r.StatusCode, out, conflict.Conflict.ID
}

// book books as c and returns the status, the appointment (on success)
// and the id of the appointment in the way (on a conflict).
func (e env) book(t *testing.T, c *apptest.Client, body string) (int, appt, string) {
	t.Helper()
	st, out, conflict := e.call(t, c, http.MethodPost, "/api/appointments", body)
	var a appt
	if st == http.StatusCreated {
		a = apptest.Data[appt](t, out)
	}
	return st, a, conflict
}

func booking(patient, provider, start string, minutes int, extra string) string {
	return fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":%q,"minutes":%d%s}`, patient, provider, start, minutes, extra)
}

// mustBook books as the admin and fails unless it is created.
func (e env) mustBook(t *testing.T, body string) appt {
	t.Helper()
	st, a, _ := e.book(t, e.admin, body)
	if st != http.StatusCreated || a.ID == "" {
		t.Fatalf("booking %s: %d", body, st)
	}
	return a
}

// wantTaken fails unless the booking is refused naming blocker.
func (e env) wantTaken(t *testing.T, what, body, blocker string) {
	t.Helper()
	st, _, in := e.book(t, e.admin, body)
	if st != http.StatusConflict || in != blocker {
		t.Fatalf("%s: %d naming %q, want 409 naming %s", what, st, in, blocker)
	}
}

func (e env) status(t *testing.T, id, status string, version int64, reason string) (int, appt) {
	t.Helper()
	st, out, _ := e.call(t, e.admin, http.MethodPost, "/api/appointments/"+id+"/status",
		fmt.Sprintf(`{"status":%q,"version":%d,"reason":%q}`, status, version, reason))
	var a appt
	if st == http.StatusOK {
		a = apptest.Data[appt](t, out)
	}
	return st, a
}

func (e env) claims(t *testing.T, id string) int64 {
	t.Helper()
	return apptest.Count(t, e.cl.DB.Collection("appointment_slots"), db.Eq("appointmentId", id))
}

func testConcurrentBookings(t *testing.T, e env) {
	const n = 20
	patients := make([]string, n)
	for i := range patients {
		patients[i] = e.patient(t)
	}
	status, blockers := make([]int, n), make([]string, n)
	apptest.AtOnce(n, func(i int) {
		status[i], _, blockers[i] = e.book(t, e.admin, booking(patients[i], e.doctor.ID, at(9, 0), 30, ""))
	})
	created, refused := 0, 0
	stored := apptest.Find[appt](t, e.cl.DB.Collection("appointments"), db.Filter{})
	if len(stored) != 1 {
		t.Fatalf("%d appointments stored, want 1", len(stored))
	}
	winner := stored[0].ID
	for i, st := range status {
		switch st {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			refused++
			if blockers[i] != winner {
				t.Errorf("booking %d refused naming %q, want %s", i, blockers[i], winner)
			}
		default:
			t.Errorf("booking %d: %d", i, st)
		}
	}
	if created != 1 || refused != n-1 {
		t.Fatalf("%d created, %d refused; want 1 and %d", created, refused, n-1)
	}
	if got := e.claims(t, winner); got != 6*2 {
		t.Fatalf("the appointment holds %d claims, want 12 (6 units of its provider and of its patient)", got)
	}
}

func testPatientAndRoom(t *testing.T, e env) {
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@res.test")
	p, q := e.patient(t), e.patient(t)
	first := e.mustBook(t, booking(p, e.doctor.ID, at(9, 0), 30, `,"roomId":"room-1"`))
	e.wantTaken(t, "the patient with another provider", booking(p, nurse.ID, at(9, 15), 30, ""), first.ID)
	e.wantTaken(t, "the room for another patient and provider", booking(q, nurse.ID, at(9, 25), 10, `,"roomId":"room-1"`), first.ID)
	e.mustBook(t, booking(q, nurse.ID, at(9, 0), 30, `,"roomId":"room-2"`))
	if n := apptest.Count(t, e.cl.DB.Collection("appointment_slots"), db.Filter{}); n != 6*3+6*3 {
		t.Fatalf("%d claims, want 36: refused bookings must leave none", n)
	}
}

func testTouchingEdges(t *testing.T, e env) {
	p, q := e.patient(t), e.patient(t)
	e.mustBook(t, booking(p, e.doctor.ID, at(9, 0), 30, ""))
	e.mustBook(t, booking(q, e.doctor.ID, at(9, 30), 30, ""))
	e.mustBook(t, booking(p, e.doctor.ID, at(10, 0), 5, ""))
	second := e.mustBook(t, booking(q, e.doctor.ID, at(8, 55), 5, ""))
	e.wantTaken(t, "one unit over", booking(e.patient(t), e.doctor.ID, at(8, 50), 10, ""), second.ID)
}

func testCancelFreesTheSlot(t *testing.T, e env) {
	p := e.patient(t)
	a := e.mustBook(t, booking(p, e.doctor.ID, at(9, 0), 30, ""))
	e.wantTaken(t, "before the cancellation", booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""), a.ID)
	if st, _ := e.status(t, a.ID, "cancelled", a.Version, ""); st != http.StatusUnprocessableEntity {
		t.Fatalf("cancel without a reason: %d, want 422", st)
	}
	st, got := e.status(t, a.ID, "cancelled", a.Version, "Patient called")
	if st != http.StatusOK || got.Status != "cancelled" || got.Version != 2 || got.CancelBy != e.cl.Admin.ID {
		t.Fatalf("cancel: %d %+v", st, got)
	}
	if n := e.claims(t, a.ID); n != 0 {
		t.Fatalf("the cancelled appointment still holds %d claims", n)
	}
	e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@cancel.test")
	e.mustBook(t, booking(p, nurse.ID, at(9, 0), 30, "")) // the patient's time is free too
	if st, _ := e.status(t, a.ID, "arrived", 2, ""); st != http.StatusUnprocessableEntity {
		t.Fatalf("arrival after the cancellation: %d, want 422", st)
	}
}

func (e env) reschedule(t *testing.T, id, start string, minutes int, version int64) (int, appt, string) {
	t.Helper()
	st, out, in := e.call(t, e.admin, http.MethodPut, "/api/appointments/"+id, fmt.Sprintf(`{"start":%q,"minutes":%d,"version":%d}`, start, minutes, version))
	var a appt
	if st == http.StatusOK {
		a = apptest.Data[appt](t, out)
	}
	return st, a, in
}

func testReschedule(t *testing.T, e env) {
	a := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	b := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(10, 0), 30, ""))
	st, moved, _ := e.reschedule(t, a.ID, at(11, 0), 30, 1)
	if st != http.StatusOK || moved.Version != 2 || !moved.Start.Equal(day.Add(11*time.Hour)) {
		t.Fatalf("reschedule to a free time: %d %+v", st, moved)
	}
	e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, "")) // the old time is free
	if st, _, in := e.reschedule(t, a.ID, at(10, 15), 30, 2); st != http.StatusConflict || in != b.ID {
		t.Fatalf("reschedule onto a taken time: %d naming %q, want 409 naming %s", st, in, b.ID)
	}
	e.wantTaken(t, "the time kept after a refused reschedule", booking(e.patient(t), e.doctor.ID, at(11, 0), 30, ""), a.ID)
	if n := e.claims(t, a.ID); n != 12 {
		t.Fatalf("after the refused reschedule the appointment holds %d claims, want 12", n)
	}
	// Onto a time overlapping its own: the units it holds are kept.
	st, moved, _ = e.reschedule(t, a.ID, at(11, 15), 45, 2)
	if st != http.StatusOK || moved.Version != 3 || moved.Minutes != 45 {
		t.Fatalf("reschedule overlapping itself: %d %+v", st, moved)
	}
	if n := e.claims(t, a.ID); n != 18 {
		t.Fatalf("after the move the appointment holds %d claims, want 18", n)
	}
	e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(11, 0), 15, ""))
	if st, _, _ := e.reschedule(t, a.ID, at(14, 0), 30, 2); st != http.StatusConflict {
		t.Fatalf("reschedule from a stale version: %d, want 409", st)
	}
	if n := e.claims(t, a.ID); n != 18 {
		t.Fatalf("a stale reschedule changed the claims: %d", n)
	}
	if st, _, _ := e.reschedule(t, a.ID, at(14, 3), 30, 3); st != http.StatusUnprocessableEntity {
		t.Fatalf("reschedule off the five-minute steps: %d, want 422", st)
	}
	var history []struct{ Version int64 }
	history = apptest.Find[struct{ Version int64 }](t, e.cl.DB.Collection("appointment_revisions"), db.Eq("appointmentId", a.ID))
	if len(history) != 3 {
		t.Fatalf("%d revisions, want 3", len(history))
	}
}

func testOrphanClaim(t *testing.T, e env) {
	ctx, slots := context.Background(), e.cl.DB.Collection("appointment_slots")
	now := e.s.Clock.Now()
	claim := func(id string, start time.Time, at time.Time) {
		t.Helper()
		var docs []any
		for u := start.Unix() / 300; u < start.Unix()/300+6; u++ {
			docs = append(docs, map[string]any{"_id": db.NewID(), "resource": "provider:" + e.doctor.ID, "unit": u, "appointmentId": id, "at": at})
		}
		if err := slots.InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	// A booking that stopped after its claims, over a minute ago.
	claim("ghost-old", day.Add(9*time.Hour), now.Add(-2*time.Minute))
	a := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	if n := e.claims(t, "ghost-old"); n != 0 {
		t.Fatalf("the orphan still holds %d claims", n)
	}
	if n := e.claims(t, a.ID); n != 12 {
		t.Fatalf("the booking holds %d claims, want 12", n)
	}
	// One that may still be at work: its claims stand.
	claim("ghost-new", day.Add(10*time.Hour), now.Add(-30*time.Second))
	e.wantTaken(t, "a booking still at work", booking(e.patient(t), e.doctor.ID, at(10, 0), 30, ""), "ghost-new")
}

func testStatusFlow(t *testing.T, e env) {
	a := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	if a.Status != "booked" || a.Version != 1 {
		t.Fatalf("booked: %+v", a)
	}
	for _, tc := range []struct {
		status  string
		version int64
		want    int
	}{
		{"completed", 1, http.StatusUnprocessableEntity},
		{"in-consultation", 1, http.StatusUnprocessableEntity},
		{"seen", 1, http.StatusUnprocessableEntity},
		{"arrived", 1, http.StatusOK},
		{"arrived", 2, http.StatusUnprocessableEntity},
		{"no-show", 2, http.StatusUnprocessableEntity},
		{"in-consultation", 1, http.StatusConflict},
		{"in-consultation", 2, http.StatusOK},
		{"cancelled", 3, http.StatusUnprocessableEntity},
		{"completed", 3, http.StatusOK},
		{"cancelled", 4, http.StatusUnprocessableEntity},
	} {
		st, got := e.status(t, a.ID, tc.status, tc.version, "reason")
		if st != tc.want {
			t.Fatalf("%s from version %d: %d, want %d", tc.status, tc.version, st, tc.want)
		}
		if st == http.StatusOK && (got.Status != tc.status || got.Version != tc.version+1) {
			t.Fatalf("%s: %+v", tc.status, got)
		}
		if tc.status == "arrived" && st == http.StatusOK && (got.ArrivedAt == nil || !got.ArrivedAt.Equal(e.s.Clock.Now().Truncate(time.Millisecond))) {
			t.Fatalf("arrivedAt %v, want %v", got.ArrivedAt, e.s.Clock.Now())
		}
	}
	if st, _, _ := e.reschedule(t, a.ID, at(14, 0), 30, 4); st != http.StatusUnprocessableEntity {
		t.Fatalf("rescheduling a completed appointment: %d, want 422", st)
	}
	b := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(10, 0), 30, ""))
	if st, _ := e.status(t, b.ID, "no-show", 1, ""); st != http.StatusOK || e.claims(t, b.ID) != 0 {
		t.Fatalf("no-show: %d, claims %d", st, e.claims(t, b.ID))
	}
	entries := 0
	for _, en := range apptest.Find[struct{ Target string }](t, e.cl.DB.Collection("audit_log"), db.Filter{}) {
		if en.Target == "appointment:"+a.ID {
			entries++
		}
	}
	if entries != 4 {
		t.Fatalf("%d audit entries for the appointment, want 4 (booked, arrived, started, completed)", entries)
	}
}

func testProviders(t *testing.T, e env) {
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@prov.test")
	e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@prov.test")
	gone := e.s.NewUser(t, e.cl, "doctor", "Gil Gone", "gil@prov.test")
	if err := auth.SetStatus(context.Background(), e.cl.DB, gone.ID, auth.UserInactive, e.s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, out, _ := e.call(t, e.admin, http.MethodGet, "/api/providers", "")
	got := apptest.Data[struct {
		Providers []struct{ ID, Name, Role string }
	}](t, out).Providers
	want := map[string]string{e.cl.Admin.ID: "Admin", e.doctor.ID: "Doctor", nurse.ID: "Nurse"}
	if len(got) != len(want) {
		t.Fatalf("providers %+v, want the admin, the doctor and the nurse", got)
	}
	for _, p := range got {
		if want[p.ID] != p.Role || p.Name == "" {
			t.Fatalf("provider %+v", p)
		}
	}
	if st, _, _ := e.book(t, e.admin, booking(e.patient(t), gone.ID, at(9, 0), 30, "")); st != http.StatusUnprocessableEntity {
		t.Fatalf("booking an inactive doctor: %d, want 422", st)
	}
}

func testRoles(t *testing.T, e env) {
	p := e.patient(t)
	a := e.mustBook(t, booking(p, e.doctor.ID, at(9, 0), 30, ""))
	for _, tc := range []struct {
		role                         string
		read, create, update, cancel bool
	}{
		{"doctor", true, false, false, false},
		{"nurse", true, false, false, false},
		{"receptionist", true, true, true, true},
		{"accountant", true, false, false, false},
		{"medrep", false, false, false, false},
	} {
		u := e.s.NewUser(t, e.cl, tc.role, tc.role, tc.role+"@roles.test")
		c := e.s.SignedIn(t, e.cl.Host, u.Email)
		code := func(ok bool, yes int) int {
			if ok {
				return yes
			}
			return http.StatusForbidden
		}
		for _, path := range []string{"/api/appointments", "/api/appointments/" + a.ID, "/api/providers"} {
			if st, _, _ := e.call(t, c, http.MethodGet, path, ""); st != code(tc.read, http.StatusOK) {
				t.Errorf("%s GET %s: %d", tc.role, path, st)
			}
		}
		if st, _, _ := e.book(t, c, booking(e.patient(t), e.doctor.ID, at(12, 0), 5, "")); st != code(tc.create, http.StatusCreated) {
			t.Errorf("%s books: %d", tc.role, st)
		}
		// A refused cancel is a 403, an allowed one of a stale version a 409:
		// nothing changes either way.
		st, _, _ := e.call(t, c, http.MethodPost, "/api/appointments/"+a.ID+"/status", `{"status":"cancelled","version":99,"reason":"r"}`)
		if want := map[bool]int{true: http.StatusConflict, false: http.StatusForbidden}[tc.cancel]; st != want {
			t.Errorf("%s cancels: %d, want %d", tc.role, st, want)
		}
		if st, _, _ := e.call(t, c, http.MethodPut, "/api/appointments/"+a.ID, `{"start":"2030-01-07T15:00:00Z","minutes":30,"version":99}`); st != code(tc.update, http.StatusConflict) {
			t.Errorf("%s reschedules: %d", tc.role, st)
		}
		if tc.create {
			if st, _, _ := e.book(t, c, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, `,"overbook":true`)); st != http.StatusForbidden {
				t.Errorf("%s overbooks: %d, want 403", tc.role, st)
			}
		}
	}
	// The admin may overbook: no claims, marked, audited.
	st, over, _ := e.book(t, e.admin, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, `,"overbook":true`))
	if st != http.StatusCreated || !over.Overbooked || e.claims(t, over.ID) != 0 {
		t.Fatalf("overbooking: %d %+v", st, over)
	}
	found := false
	for _, en := range apptest.Find[struct{ Action, Target string }](t, e.cl.DB.Collection("audit_log"), db.Filter{}) {
		found = found || en.Action == "appointment.overbook" && en.Target == "appointment:"+over.ID
	}
	if !found {
		t.Fatal("the overbooking is not in the audit log")
	}
}

func testValidation(t *testing.T, e env) {
	p := e.patient(t)
	rec := e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@val.test")
	for _, tc := range []struct {
		body, field string
	}{
		{booking(p, e.doctor.ID, at(9, 3), 30, ""), "start"},
		{booking(p, e.doctor.ID, "2030-01-07T09:00:30Z", 30, ""), "start"},
		{booking(p, e.doctor.ID, "7 January 2030 9:00", 30, ""), "start"},
		{booking(p, e.doctor.ID, "", 30, ""), "start"},
		{booking(p, e.doctor.ID, at(9, 0), 7, ""), "minutes"},
		{booking(p, e.doctor.ID, at(9, 0), 0, ""), "minutes"},
		{booking(p, e.doctor.ID, at(9, 0), 725, ""), "minutes"},
		{booking("nobody", e.doctor.ID, at(9, 0), 30, ""), "patientId"},
		{booking(p, rec.ID, at(9, 0), 30, ""), "providerId"},
		{booking(p, "nobody", at(9, 0), 30, ""), "providerId"},
		{booking(p, e.doctor.ID, at(9, 0), 30, `,"serviceId":"nothing"`), "serviceId"},
	} {
		st, out, _ := e.call(t, e.admin, http.MethodPost, "/api/appointments", tc.body)
		if st != http.StatusUnprocessableEntity || out.Fields[tc.field] == "" {
			t.Errorf("%s: %d %v, want 422 on %s", tc.body, st, out.Fields, tc.field)
		}
	}
	if st, _, _ := e.call(t, e.admin, http.MethodPost, "/api/appointments", `{"patient":"x"}`); st != http.StatusBadRequest {
		t.Errorf("unknown field: %d, want 400", st)
	}
	if n := apptest.Count(t, e.cl.DB.Collection("appointment_slots"), db.Filter{}); n != 0 {
		t.Fatalf("refused bookings left %d claims", n)
	}
	e.mustBook(t, booking(p, e.doctor.ID, "2030-01-07T10:00:00+01:00", 720, ""))
}

func testDayList(t *testing.T, e env) {
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@day.test")
	p := e.patient(t)
	late := e.mustBook(t, booking(p, e.doctor.ID, at(15, 0), 30, ""))
	early := e.mustBook(t, booking(e.patient(t), nurse.ID, at(8, 0), 30, ""))
	e.mustBook(t, booking(p, e.doctor.ID, at(24, 0), 30, "")) // the next day
	list := func(q string) []string {
		t.Helper()
		st, out, _ := e.call(t, e.admin, http.MethodGet, "/api/appointments?"+q, "")
		if st != http.StatusOK {
			t.Fatalf("list %s: %d", q, st)
		}
		var ids []string
		for _, a := range apptest.Data[struct{ Appointments []appt }](t, out).Appointments {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := list("date=2030-01-07"); fmt.Sprint(got) != fmt.Sprint([]string{early.ID, late.ID}) {
		t.Fatalf("the day: %v, want %v", got, []string{early.ID, late.ID})
	}
	if got := list("date=2030-01-07&providerId=" + e.doctor.ID); fmt.Sprint(got) != fmt.Sprint([]string{late.ID}) {
		t.Fatalf("the doctor's day: %v", got)
	}
	if got := list("date=2030-01-07&patientId=" + p); fmt.Sprint(got) != fmt.Sprint([]string{late.ID}) {
		t.Fatalf("the patient's day: %v", got)
	}
	if got := list("patientId=" + p); len(got) != 2 || got[0] != late.ID {
		t.Fatalf("every appointment of the patient: %v", got)
	}
	if got := list("date=2030-01-07&patientId=" + p + "&providerId=" + nurse.ID); len(got) != 0 {
		t.Fatalf("the patient with the nurse: %v", got)
	}
	if st, _, _ := e.call(t, e.admin, http.MethodGet, "/api/appointments?date=7.1.2030", ""); st != http.StatusUnprocessableEntity {
		t.Fatalf("a bad day: %d", st)
	}
	if st, _, _ := e.call(t, e.admin, http.MethodGet, "/api/appointments/nothing", ""); st != http.StatusNotFound {
		t.Fatalf("an unknown id: %d", st)
	}
}
