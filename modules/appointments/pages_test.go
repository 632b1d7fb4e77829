package appointments

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/modules/appointments/schedule"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/services"
	settingsmod "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// pg is one clinic of the pages' Ward: its admin signed in, a doctor.
type pg struct {
	s      *apptest.Server
	cl     *apptest.Clinic
	admin  *apptest.Client
	doctor *auth.User
	n      *int
}

func TestPages(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), patients.New(), services.New(), settingsmod.New(), New())
	for _, tc := range []struct {
		name string
		run  func(*testing.T, pg)
	}{
		{"day", testDayCalendar},
		{"htmx", testCalendarFragments},
		{"book", testBookingForm},
		{"conflict", testBookingConflict},
		{"receptionist", testBookingConflictNoOverbook},
		{"hours", testBookingOutsideHours},
		{"series", testBookingSeries},
		{"invalid", testBookingInvalid},
		{"queue", testQueue},
		{"status", testStatusButtons},
		{"reschedule", testReschedulePage},
		{"week", testWeekView},
		{"access", testPageAccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := s.NewClinic(t, apptest.Subdomain(t, "pg"))
			c := s.SignedIn(t, cl.Host, cl.Admin.Email)
			doc := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@"+cl.Subdomain+".test")
			tc.run(t, pg{s: s, cl: cl, admin: c, doctor: doc, n: new(int)})
		})
	}
}

// pgMonday is 7 January 2030, a Monday: the clinic (UTC) is open 09:00–17:00.
var pgMonday = time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)

// patient stores a patient as the patients module keeps them and returns
// its id.
func (e pg) patient(t *testing.T, first, last string) string {
	t.Helper()
	*e.n++
	id := db.NewID()
	doc := map[string]any{"_id": id, "active": true, "number": *e.n, "firstName": first, "lastName": last,
		"firstKey": strings.ToLower(first), "lastKey": strings.ToLower(last), "version": 1}
	if err := e.cl.DB.Collection("patients").Insert(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return id
}

// api books through the API as the admin and returns the appointment.
func (e pg) api(t *testing.T, patient, provider string, start time.Time, minutes int, extra string) Appointment {
	t.Helper()
	body := fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":%q,"minutes":%d%s}`, patient, provider, start.Format(time.RFC3339), minutes, extra)
	r, env := e.admin.API(e.cl.Host, http.MethodPost, "/api/appointments", body)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("booking %s: %d %s", body, r.StatusCode, r.Body)
	}
	return apptest.Data[Appointment](t, env)
}

// stored is every appointment of the clinic, by start.
func (e pg) stored(t *testing.T, filter db.Filter) []Appointment {
	t.Helper()
	return apptest.Find[Appointment](t, e.cl.DB.Collection(kind.Collection), filter, db.Asc("start"))
}

// form is a booking of a patient with the doctor on 7 January 2030.
func (e pg) form(patient, clock string, more ...string) url.Values {
	v := url.Values{"patientId": {patient}, "providerId": {e.doctor.ID}, "date": {"2030-01-07"}, "time": {clock}, "minutes": {"30"}}
	for i := 0; i+1 < len(more); i += 2 {
		v.Set(more[i], more[i+1])
	}
	return v
}

// post sends the booking form as c (its token from the form page).
func (e pg) post(c *apptest.Client, v url.Values) *apptest.Response {
	c.Get(e.cl.Host, "/appointments/new")
	return c.PostForm(e.cl.Host, "/appointments", v)
}

func pgText(t *testing.T, r *apptest.Response, sel string) string {
	t.Helper()
	return strings.Join(strings.Fields(r.Doc(t).Find(sel).Text()), " ")
}

func testDayCalendar(t *testing.T, e pg) {
	amina, john := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith")
	first := e.api(t, amina, e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	over := e.api(t, john, e.doctor.ID, pgMonday.Add(9*time.Hour+15*time.Minute), 30, `,"overbook":true`)
	other := e.api(t, john, e.cl.Admin.ID, pgMonday.Add(11*time.Hour), 60, "")

	r := e.admin.Get(e.cl.Host, "/appointments?date=2030-01-07")
	apptest.WantStatus(t, "day", r, http.StatusOK)
	doc := r.Doc(t)
	col := func(id string) *goquery.Selection { return doc.Find(`.cal-col[data-column="` + id + `"]`) }
	if n := col(e.doctor.ID).Find(".cal-block").Length(); n != 2 {
		t.Fatalf("the doctor's column has %d blocks, want 2", n)
	}
	if n := col(e.cl.Admin.ID).Find(".cal-block").Length(); n != 1 {
		t.Fatalf("the admin's column has %d blocks, want 1", n)
	}
	b := col(e.doctor.ID).Find(`[data-appointment="` + first.ID + `"]`)
	if !strings.Contains(b.Text(), "Okafor, Amina") || !strings.Contains(b.Text(), "P-000001") || !strings.Contains(b.Text(), "Booked") {
		t.Errorf("the block shows %q, want the patient's name, number and status", strings.Join(strings.Fields(b.Text()), " "))
	}
	// 09:00 is row 1 of a window from 09:00; 30 minutes are 6 rows; the
	// overlapping one is in the second of two lanes.
	for id, want := range map[string]string{first.ID: "r1 s6 lanes2 lane1", over.ID: "r4 s6 lanes2 lane2", other.ID: "r25 s12"} {
		cls, _ := doc.Find(`[data-appointment="` + id + `"]`).Attr("class")
		if !strings.Contains(cls, want) {
			t.Errorf("block %s has classes %q, want %q", id, cls, want)
		}
		if overlapping := strings.Contains(cls, "overlapping"); overlapping != (id != other.ID) {
			t.Errorf("block %s overlapping = %v", id, overlapping)
		}
	}
	if got := pgText(t, r, `[data-appointment="`+over.ID+`"] .badge.danger`); got != "overlapping" {
		t.Errorf("the overbooked block says %q", got)
	}
	// Free time books: the quarter hours of 09:00–17:00, none shaded.
	cells := col(e.doctor.ID).Find("a.cal-free")
	if cells.Length() != 32 || col(e.doctor.ID).Find(".cal-free.closed").Length() != 0 {
		t.Errorf("%d free cells (%d shaded), want 32 open quarter hours", cells.Length(), col(e.doctor.ID).Find(".cal-free.closed").Length())
	}
	if href, _ := cells.Eq(4).Attr("href"); href != "/appointments/new?providerId="+e.doctor.ID+"&start=2030-01-07T10:00" {
		t.Errorf("10:00 books at %q", href)
	}
	// Sunday: closed; the 08:00–18:00 window, all shaded.
	sun := e.admin.Get(e.cl.Host, "/appointments?date=2030-01-06").Doc(t)
	if n, shaded := sun.Find(`.cal-col[data-column="`+e.doctor.ID+`"] .cal-free`).Length(), sun.Find(`.cal-col[data-column="`+e.doctor.ID+`"] .cal-free.closed`).Length(); n != 40 || shaded != 40 {
		t.Errorf("Sunday: %d cells, %d shaded; want 40 shaded", n, shaded)
	}
	// One provider (a phone).
	one := e.admin.Get(e.cl.Host, "/appointments?date=2030-01-07&providerId="+e.doctor.ID).Doc(t)
	if n := one.Find(".cal-col").Length(); n != 1 {
		t.Errorf("one provider asked, %d columns shown", n)
	}
	// The first view is in the audit log (written once it answered: the
	// requests since on the same client come after), naming what it showed.
	var views []audit.Entry
	if err := e.cl.DB.Collection(audit.Collection).Find(context.Background(), db.Eq("action", actionList), &views,
		db.FindOptions{Sort: []db.Order{db.Desc("at")}}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range views {
		if v.Route == "GET /appointments" {
			for _, r := range v.Records {
				seen[r.ID] = true
			}
		}
	}
	if !seen[first.ID] || !seen[over.ID] || !seen[other.ID] {
		t.Errorf("the day's audit entry shows %v, want the three appointments", seen)
	}
	// Prev, next, today.
	for sel, want := range map[string]string{`a[rel=prev]`: "date=2030-01-06", `a[rel=next]`: "date=2030-01-08"} {
		if h, _ := doc.Find(sel).Attr("hx-get"); !strings.Contains(h, want) {
			t.Errorf("%s: hx-get %q, want %s", sel, h, want)
		}
	}
	// An online request is shown apart, with a Confirm link.
	req := e.api(t, amina, e.doctor.ID, pgMonday.Add(14*time.Hour), 30, "")
	if _, err := e.cl.DB.Collection(kind.Collection).Update(context.Background(), db.ID(req.ID), db.Set("status", StatusRequested)); err != nil {
		t.Fatal(err)
	}
	r = e.admin.Get(e.cl.Host, "/appointments?date=2030-01-07")
	if href, _ := r.Doc(t).Find(".cal-requests a").Attr("href"); href != "/appointments/"+req.ID+"/confirm" {
		t.Errorf("the request's confirm link is %q", href)
	}
	if cls, _ := r.Doc(t).Find(`[data-appointment="` + req.ID + `"]`).Attr("class"); !strings.Contains(cls, "requested") {
		t.Errorf("the requested block has classes %q", cls)
	}
	if r := e.admin.Get(e.cl.Host, "/appointments?date=7-1-2030"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad date: %d", r.StatusCode)
	}
}

func testCalendarFragments(t *testing.T, e pg) {
	e.api(t, e.patient(t, "Amina", "Okafor"), e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	r := e.admin.Get(e.cl.Host, "/appointments?date=2030-01-07", "HX-Request", "true", "HX-Target", "calendar")
	apptest.WantStatus(t, "fragment", r, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="calendar"`) || strings.Contains(r.Body, "<html") {
		t.Errorf("the calendar fragment is not the calendar alone: %.200s", r.Body)
	}
	if !strings.Contains(r.Body, "Okafor, Amina") {
		t.Error("the fragment does not show the appointment")
	}
	w := e.admin.Get(e.cl.Host, "/appointments/week?providerId="+e.doctor.ID+"&date=2030-01-09", "HX-Request", "true", "HX-Target", "calendar")
	if !strings.HasPrefix(strings.TrimSpace(w.Body), `<div id="calendar"`) {
		t.Errorf("the week fragment: %.200s", w.Body)
	}
	q := e.admin.Get(e.cl.Host, "/appointments/queue", "HX-Request", "true", "HX-Target", "queue")
	if !strings.HasPrefix(strings.TrimSpace(q.Body), `<div id="queue"`) {
		t.Errorf("the queue fragment: %.200s", q.Body)
	}
}

func testBookingForm(t *testing.T, e pg) {
	amina := e.patient(t, "Amina", "Okafor")
	// From a click on free time: prefilled.
	r := e.admin.Get(e.cl.Host, "/appointments/new?providerId="+e.doctor.ID+"&start=2030-01-07T10:15")
	apptest.WantStatus(t, "form", r, http.StatusOK)
	doc := r.Doc(t)
	if d, _ := doc.Find("#f-date").Attr("value"); d != "2030-01-07" {
		t.Errorf("date prefilled %q", d)
	}
	if tm, _ := doc.Find("#f-time").Attr("value"); tm != "10:15" {
		t.Errorf("time prefilled %q", tm)
	}
	if p, _ := doc.Find("#f-providerId option[selected]").Attr("value"); p != e.doctor.ID {
		t.Errorf("provider preselected %q", p)
	}
	// A service: the minutes left empty take its 20.
	svc := db.NewID()
	if err := e.cl.DB.Collection("services").Insert(context.Background(), map[string]any{"_id": svc, "name": "Consultation", "nameKey": "consultation",
		"code": "CONS", "minutes": 20, "active": true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pgText(t, e.admin.Get(e.cl.Host, "/appointments/new"), "#f-serviceId"), "Consultation (20 min)") {
		t.Error("the form does not offer the service")
	}
	res := e.post(e.admin, e.form(amina, "10:15", "minutes", "", "serviceId", svc, "roomId", "Room 2", "reason", "Check-up"))
	apptest.WantStatus(t, "booking", res, http.StatusSeeOther)
	got := e.stored(t, db.Eq("patientId", amina))
	if len(got) != 1 {
		t.Fatalf("%d appointments stored", len(got))
	}
	a := got[0]
	if !a.Start.Equal(pgMonday.Add(10*time.Hour+15*time.Minute)) || a.Minutes != 20 || a.ServiceID != svc || a.RoomID != "Room 2" || a.Reason != "Check-up" || a.Status != StatusBooked {
		t.Errorf("stored %+v", a)
	}
	apptest.WantRedirect(t, "booking", res, "/appointments/"+a.ID)
	e.admin.WantFlash(e.cl.Host, res, "Appointment booked.")
	// The appointment page.
	show := e.admin.Get(e.cl.Host, "/appointments/"+a.ID)
	if h := pgText(t, show, "h1"); h != "Okafor, Amina" {
		t.Errorf("appointment page h1 %q", h)
	}
	if !strings.Contains(pgText(t, show, "#history"), "booked for") {
		t.Errorf("history: %q", pgText(t, show, "#history"))
	}
	// Without scripts, the patient number typed is enough.
	res = e.post(e.admin, url.Values{"q": {"P-000001"}, "providerId": {e.doctor.ID}, "date": {"2030-01-07"}, "time": {"13:00"}, "minutes": {"15"}})
	apptest.WantStatus(t, "booking by number", res, http.StatusSeeOther)
	if n := len(e.stored(t, db.Eq("patientId", amina))); n != 2 {
		t.Errorf("booking by patient number: %d appointments", n)
	}
}

func testBookingConflict(t *testing.T, e pg) {
	amina, john := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith")
	blocker := e.api(t, amina, e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	r := e.post(e.admin, e.form(john, "09:15"))
	apptest.WantStatus(t, "conflict", r, http.StatusConflict)
	msg := pgText(t, r, "#conflicts")
	for _, want := range []string{"Okafor, Amina", "Dana Doctor", "09:00", "30 min"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the conflict says %q, want it to name %q", msg, want)
		}
	}
	if href, _ := r.Doc(t).Find("#conflicts a").Attr("href"); href != "/appointments/"+blocker.ID {
		t.Errorf("the blocker's link %q", href)
	}
	if n := len(e.stored(t, db.Eq("patientId", john))); n != 0 {
		t.Fatalf("the conflict stored %d appointments", n)
	}
	// The form keeps what was typed; the admin may book over it, on a
	// second, deliberate click.
	doc := r.Doc(t)
	if v, _ := doc.Find("#f-patientId").Attr("value"); v != john {
		t.Errorf("patient kept as %q", v)
	}
	if doc.Find("#book-overlapping").Length() != 1 {
		t.Fatal("no Book anyway (overlapping) for the admin")
	}
	res := e.post(e.admin, e.form(john, "09:15", "overbook", "1"))
	apptest.WantStatus(t, "overbook", res, http.StatusSeeOther)
	got := e.stored(t, db.Eq("patientId", john))
	if len(got) != 1 || !got[0].Overbooked {
		t.Fatalf("overbooked: %+v", got)
	}
	day := e.admin.Get(e.cl.Host, "/appointments?date=2030-01-07").Doc(t)
	if day.Find(".cal-block.overlapping").Length() != 2 {
		t.Error("the day does not mark both appointments overlapping")
	}
}

func testBookingConflictNoOverbook(t *testing.T, e pg) {
	amina, john := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith")
	e.api(t, amina, e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	rec := e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@"+e.cl.Subdomain+".test")
	c := e.s.SignedIn(t, e.cl.Host, rec.Email)
	r := e.post(c, e.form(john, "09:00"))
	apptest.WantStatus(t, "conflict", r, http.StatusConflict)
	if r.Doc(t).Find("#book-overlapping").Length() != 0 {
		t.Error("a receptionist is offered to overbook")
	}
	if r := e.post(c, e.form(john, "09:00", "overbook", "1")); r.StatusCode != http.StatusForbidden {
		t.Errorf("a receptionist overbooking: %d, want 403", r.StatusCode)
	}
	if n := len(e.stored(t, db.Eq("patientId", john))); n != 0 {
		t.Errorf("%d appointments stored", n)
	}
}

func testBookingOutsideHours(t *testing.T, e pg) {
	amina := e.patient(t, "Amina", "Okafor")
	r := e.post(e.admin, e.form(amina, "07:00"))
	apptest.WantStatus(t, "outside hours", r, http.StatusOK)
	if msg := pgText(t, r, "#outside-hours"); !strings.Contains(msg, "working hours") {
		t.Errorf("the warning says %q", msg)
	}
	if r.Doc(t).Find(`#book-anyway-hours[name=confirm][value="1"]`).Length() != 1 {
		t.Fatal("no deliberate Book anyway")
	}
	if n := len(e.stored(t, db.Eq("patientId", amina))); n != 0 {
		t.Fatalf("the warning booked %d", n)
	}
	res := e.post(e.admin, e.form(amina, "07:00", "confirm", "1"))
	apptest.WantStatus(t, "book anyway", res, http.StatusSeeOther)
	if n := len(e.stored(t, db.Eq("patientId", amina))); n != 1 {
		t.Fatalf("book anyway stored %d", n)
	}
	// Sunday: closed.
	r = e.post(e.admin, e.form(amina, "10:00", "date", "2030-01-06"))
	if msg := pgText(t, r, "#outside-hours"); !strings.Contains(msg, "closed") {
		t.Errorf("Sunday warning %q", msg)
	}
}

func testBookingSeries(t *testing.T, e pg) {
	amina, john := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith")
	e.api(t, amina, e.doctor.ID, pgMonday.AddDate(0, 0, 7).Add(9*time.Hour), 30, "")
	e.api(t, amina, e.doctor.ID, pgMonday.AddDate(0, 0, 21).Add(9*time.Hour+15*time.Minute), 15, "")
	r := e.post(e.admin, e.form(john, "09:00", "every", "1", "times", "5"))
	apptest.WantStatus(t, "series", r, http.StatusConflict)
	items := r.Doc(t).Find("#conflicts li")
	if items.Length() != 2 {
		t.Fatalf("%d collisions listed, want 2: %s", items.Length(), pgText(t, r, "#conflicts"))
	}
	for i, want := range []string{"2030-01-14", "2030-01-28"} {
		if dt, _ := items.Eq(i).Find("time").Attr("datetime"); !strings.HasPrefix(dt, want) {
			t.Errorf("collision %d on %q, want %s", i, dt, want)
		}
	}
	if n := len(e.stored(t, db.Eq("patientId", john))); n != 0 {
		t.Fatalf("a colliding series stored %d", n)
	}
	// Booked over on purpose: only the colliding ones are overbooked.
	ken := e.patient(t, "Ken", "Mwangi")
	res := e.post(e.admin, e.form(ken, "09:00", "every", "1", "times", "3", "overbook", "1"))
	apptest.WantStatus(t, "series overbooked", res, http.StatusSeeOther)
	if got := e.stored(t, db.Eq("patientId", ken)); len(got) != 3 || got[0].Overbooked || !got[1].Overbooked || got[2].Overbooked {
		t.Fatalf("series overbooked: %+v", got)
	}
	res = e.post(e.admin, e.form(john, "11:00", "every", "2", "times", "3"))
	apptest.WantStatus(t, "series", res, http.StatusSeeOther)
	e.admin.WantFlash(e.cl.Host, res, "3 appointments booked.")
	got := e.stored(t, db.Eq("patientId", john))
	if len(got) != 3 || got[2].Start.Format(time.DateOnly) != "2030-02-04" {
		t.Fatalf("series stored %+v", got)
	}
}

func testBookingInvalid(t *testing.T, e pg) {
	r := e.post(e.admin, url.Values{"providerId": {"nobody"}, "date": {"2030-01-07"}, "time": {"09:03"}})
	apptest.WantStatus(t, "invalid", r, http.StatusUnprocessableEntity)
	for _, id := range []string{"#e-patientId", "#e-providerId", "#e-time", "#e-minutes"} {
		if r.Doc(t).Find(id).Length() != 1 {
			t.Errorf("no message %s", id)
		}
	}
	if apptest.FormError(t, r) == "" {
		t.Error("no summary of the errors")
	}
}

func testQueue(t *testing.T, e pg) {
	today := apptest.Epoch.Truncate(24 * time.Hour) // the test clock's day, 09:00
	amina, john, ken := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith"), e.patient(t, "Ken", "Mwangi")
	waiting := e.api(t, amina, e.doctor.ID, today.Add(9*time.Hour), 30, "")
	late := e.api(t, john, e.doctor.ID, today.Add(8*time.Hour+30*time.Minute), 15, "")
	due := e.api(t, ken, e.doctor.ID, today.Add(11*time.Hour), 30, "")
	arrived := apptest.Epoch.Add(-17 * time.Minute)
	if _, err := e.cl.DB.Collection(kind.Collection).Update(context.Background(), db.ID(waiting.ID),
		db.Set("status", StatusArrived).Set("arrivedAt", arrived)); err != nil {
		t.Fatal(err)
	}
	r := e.admin.Get(e.cl.Host, "/appointments/queue")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	doc := r.Doc(t)
	w := doc.Find(`[aria-labelledby=q-arrived] [data-appointment="` + waiting.ID + `"]`)
	if got := strings.Join(strings.Fields(w.Text()), " "); !strings.Contains(got, "Arrived 08:43 · waiting 17 min") {
		t.Errorf("the waiting patient shows %q", got)
	}
	dueList := doc.Find(`[aria-labelledby=q-due] [data-appointment]`)
	if dueList.Length() != 2 || dueList.Eq(0).AttrOr("data-appointment", "") != late.ID || dueList.Eq(1).AttrOr("data-appointment", "") != due.ID {
		t.Fatalf("expected, by start: %d entries", dueList.Length())
	}
	if got := pgText(t, r, `[data-appointment="`+late.ID+`"] .badge.danger`); got != "30 min late" {
		t.Errorf("the late patient shows %q", got)
	}
	if hx, _ := doc.Find("#queue").Attr("hx-trigger"); hx != "every 30s" {
		t.Errorf("the queue refreshes on %q", hx)
	}
	// A button: start the consultation; htmx gets the queue back.
	form := url.Values{"status": {StatusInConsultation}, "version": {"1"}, "back": {"queue"}}
	res := e.admin.PostForm(e.cl.Host, "/appointments/"+waiting.ID+"/status", form, "HX-Request", "true", "HX-Target", "queue")
	apptest.WantStatus(t, "start", res, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(res.Body), `<div id="queue"`) || !strings.Contains(res.Body, "Consultation started.") {
		t.Fatalf("the queue after the button: %.300s", res.Body)
	}
	if res.Doc(t).Find(`[aria-labelledby=q-in] [data-appointment="`+waiting.ID+`"]`).Length() != 1 {
		t.Error("the patient is not in consultation")
	}
	// The same button clicked again elsewhere, a moment late: the queue
	// stays, saying nothing changed.
	res = e.admin.PostForm(e.cl.Host, "/appointments/"+waiting.ID+"/status", form, "HX-Request", "true", "HX-Target", "queue")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(res.Body), `<div id="queue"`) || !strings.Contains(res.Body, "Nothing changed") {
		t.Fatalf("a late second click: %d %.300s", res.StatusCode, res.Body)
	}
	// Without htmx, back to the queue page with the message.
	nf := url.Values{"status": {StatusArrived}, "version": {"1"}, "back": {"queue"}}
	e.admin.WantFlash(e.cl.Host, e.admin.PostForm(e.cl.Host, "/appointments/"+due.ID+"/status", nf), "Arrival recorded.")
}

func testStatusButtons(t *testing.T, e pg) {
	a := e.api(t, e.patient(t, "Amina", "Okafor"), e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	b := e.api(t, e.patient(t, "John", "Smith"), e.doctor.ID, pgMonday.Add(10*time.Hour), 30, "")
	show := e.admin.Get(e.cl.Host, "/appointments/"+a.ID)
	// The page names the patient: "who saw this patient?" finds it.
	if n := apptest.Count(t, e.cl.DB.Collection(audit.Collection), db.And(db.Eq("action", "patient.list"),
		db.Eq("target", "patient:"+a.PatientID), db.Eq("route", "GET /appointments/:id"))); n != 1 {
		t.Errorf("%d audit entries name the patient of the appointment's page, want 1", n)
	}
	for _, move := range []string{StatusArrived, StatusNoShow, StatusCancelled} {
		if show.Doc(t).Find(`[data-move="`+move+`"]`).Length() != 1 {
			t.Errorf("no %s button", move)
		}
	}
	post := func(id string, v url.Values) *apptest.Response {
		return e.admin.PostForm(e.cl.Host, "/appointments/"+id+"/status", v)
	}
	e.admin.WantFlash(e.cl.Host, post(a.ID, url.Values{"status": {StatusArrived}, "version": {"1"}}), "Arrival recorded.")
	if r := post(a.ID, url.Values{"status": {StatusInConsultation}, "version": {"1"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("a stale version: %d", r.StatusCode)
	}
	e.admin.WantFlash(e.cl.Host, post(a.ID, url.Values{"status": {StatusInConsultation}, "version": {"2"}}), "Consultation started.")
	e.admin.WantFlash(e.cl.Host, post(a.ID, url.Values{"status": {StatusCompleted}, "version": {"3"}}), "Appointment completed.")
	r := post(b.ID, url.Values{"status": {StatusCancelled}, "version": {"1"}})
	apptest.WantStatus(t, "cancel without a reason", r, http.StatusUnprocessableEntity)
	if r.Doc(t).Find("#e-reason").Length() != 1 {
		t.Error("no message at the reason")
	}
	if r := post(b.ID, url.Values{"status": {StatusCompleted}, "version": {"1"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("booked → completed: %d", r.StatusCode)
	}
	e.admin.WantFlash(e.cl.Host, post(b.ID, url.Values{"status": {StatusCancelled}, "version": {"1"}, "reason": {"Patient called"}}), "Appointment cancelled.")
	h := pgText(t, e.admin.Get(e.cl.Host, "/appointments/"+b.ID), "#history")
	if !strings.Contains(h, "Cancelled: Patient called") || !strings.Contains(h, "Ada Admin") {
		t.Errorf("history %q", h)
	}
	h = pgText(t, e.admin.Get(e.cl.Host, "/appointments/"+a.ID), "#history")
	for _, want := range []string{"Completed", "In consultation", "Arrived", "booked for"} {
		if !strings.Contains(h, want) {
			t.Errorf("history %q lacks %q", h, want)
		}
	}
	// The doctor moves their own appointments along, not others'.
	c := e.s.SignedIn(t, e.cl.Host, e.doctor.Email)
	own := e.api(t, e.patient(t, "Ken", "Mwangi"), e.doctor.ID, pgMonday.Add(12*time.Hour), 30, "")
	other := e.api(t, e.patient(t, "Lea", "Moss"), e.cl.Admin.ID, pgMonday.Add(12*time.Hour), 30, "")
	c.Get(e.cl.Host, "/appointments/"+own.ID)
	if r := c.PostForm(e.cl.Host, "/appointments/"+own.ID+"/status", url.Values{"status": {StatusArrived}, "version": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the doctor's own: %d", r.StatusCode)
	}
	if r := c.PostForm(e.cl.Host, "/appointments/"+other.ID+"/status", url.Values{"status": {StatusArrived}, "version": {"1"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("another's: %d", r.StatusCode)
	}
}

func testReschedulePage(t *testing.T, e pg) {
	amina, john := e.patient(t, "Amina", "Okafor"), e.patient(t, "John", "Smith")
	a := e.api(t, amina, e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	e.api(t, john, e.doctor.ID, pgMonday.Add(11*time.Hour), 30, "")
	e.admin.Get(e.cl.Host, "/appointments/"+a.ID)
	move := func(clock string, more ...string) *apptest.Response {
		v := url.Values{"date": {"2030-01-07"}, "time": {clock}, "minutes": {"45"}, "version": {"1"}}
		for i := 0; i+1 < len(more); i += 2 {
			v.Set(more[i], more[i+1])
		}
		return e.admin.PostForm(e.cl.Host, "/appointments/"+a.ID+"/reschedule", v)
	}
	r := move("10:30")
	apptest.WantStatus(t, "into another", r, http.StatusConflict)
	if msg := pgText(t, r, "#conflicts"); !strings.Contains(msg, "Smith, John") {
		t.Errorf("the conflict says %q", msg)
	}
	if r.Doc(t).Find("#reschedule-overlapping").Length() != 1 {
		t.Error("no Move anyway for the admin")
	}
	if got := e.stored(t, db.Eq(db.IDField, a.ID)); !got[0].Start.Equal(a.Start) || got[0].Version != 1 {
		t.Fatalf("a refused move changed it: %+v", got[0])
	}
	if r := move("10:02"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("off the step: %d", r.StatusCode)
	}
	// Outside the clinic's hours (09:00–17:00 by default): a warning,
	// nothing moved, until "Move anyway".
	r = move("18:00")
	apptest.WantStatus(t, "outside working hours", r, http.StatusOK)
	if r.Doc(t).Find("#outside-hours").Length() != 1 || r.Doc(t).Find("#reschedule-anyway").Length() != 1 {
		t.Fatal("no warning of the hours")
	}
	if got := e.stored(t, db.Eq(db.IDField, a.ID)); got[0].Version != 1 {
		t.Fatalf("the warning moved it: %+v", got[0])
	}
	res := move("13:00")
	e.admin.WantFlash(e.cl.Host, res, "Appointment moved to Mon 7 Jan 2030 13:00.")
	got := e.stored(t, db.Eq(db.IDField, a.ID))[0]
	if !got.Start.Equal(pgMonday.Add(13*time.Hour)) || got.Minutes != 45 || got.Version != 2 {
		t.Errorf("moved: %+v", got)
	}
	// Its old time is free again: another booking takes it.
	if r := e.post(e.admin, e.form(john, "09:00")); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the freed time: %d", r.StatusCode)
	}
	if r := move("15:00"); r.StatusCode != http.StatusConflict {
		t.Errorf("a stale version: %d", r.StatusCode)
	}
	r = move("18:00", "version", "2", "confirm", "1")
	e.admin.WantFlash(e.cl.Host, r, "Appointment moved to Mon 7 Jan 2030 18:00.")
}

func testWeekView(t *testing.T, e pg) {
	a := e.api(t, e.patient(t, "Amina", "Okafor"), e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	sun := e.api(t, e.patient(t, "John", "Smith"), e.doctor.ID, pgMonday.AddDate(0, 0, 6).Add(10*time.Hour), 30, "")
	e.api(t, e.patient(t, "Ken", "Mwangi"), e.cl.Admin.ID, pgMonday.Add(9*time.Hour), 30, "") // another provider's
	r := e.admin.Get(e.cl.Host, "/appointments/week?providerId="+e.doctor.ID+"&date=2030-01-09")
	apptest.WantStatus(t, "week", r, http.StatusOK)
	doc := r.Doc(t)
	cols := doc.Find(".cal-col")
	if cols.Length() != 7 || cols.First().AttrOr("data-column", "") != "2030-01-07" || cols.Last().AttrOr("data-column", "") != "2030-01-13" {
		t.Fatalf("%d columns from %q", cols.Length(), cols.First().AttrOr("data-column", ""))
	}
	if cols.First().Find(`[data-appointment="`+a.ID+`"]`).Length() != 1 || cols.Last().Find(`[data-appointment="`+sun.ID+`"]`).Length() != 1 {
		t.Error("the appointments are not on their days")
	}
	if n := doc.Find(".cal-block").Length(); n != 2 {
		t.Errorf("%d blocks, want the doctor's 2", n)
	}
	// Saturday and Sunday are closed: shaded.
	if cols.Eq(5).Find(".cal-free.closed").Length() == 0 || cols.First().Find(".cal-free.closed").Length() != 0 {
		t.Error("shading: Saturday should be shaded, Monday open")
	}
	if h, _ := doc.Find("a[rel=prev]").Attr("hx-get"); !strings.Contains(h, "date=2029-12-31") {
		t.Errorf("previous week %q", h)
	}
	if h := pgText(t, r, "h1"); h != "Dana Doctor" {
		t.Errorf("h1 %q", h)
	}
}

func testPageAccess(t *testing.T, e pg) {
	a := e.api(t, e.patient(t, "Amina", "Okafor"), e.doctor.ID, pgMonday.Add(9*time.Hour), 30, "")
	pages := []string{"/appointments", "/appointments/week", "/appointments/queue", "/appointments/" + a.ID}
	for _, tc := range []struct {
		role       string
		read, book bool
	}{
		{"medrep", false, false},
		{"doctor", true, false},
		{"receptionist", true, true},
	} {
		u := e.s.NewUser(t, e.cl, tc.role, tc.role, tc.role+"@"+e.cl.Subdomain+".test")
		c := e.s.SignedIn(t, e.cl.Host, u.Email)
		want := func(ok bool) int {
			if ok {
				return http.StatusOK
			}
			return http.StatusForbidden
		}
		for _, p := range pages {
			if r := c.Get(e.cl.Host, p); r.StatusCode != want(tc.read) {
				t.Errorf("%s GET %s: %d", tc.role, p, r.StatusCode)
			}
		}
		if r := c.Get(e.cl.Host, "/appointments/new"); r.StatusCode != want(tc.book) {
			t.Errorf("%s GET the form: %d", tc.role, r.StatusCode)
		}
		if r := c.PostForm(e.cl.Host, "/appointments", e.form(a.PatientID, "12:00")); (r.StatusCode == http.StatusForbidden) == tc.book {
			t.Errorf("%s books: %d", tc.role, r.StatusCode)
		}
		if r := c.PostForm(e.cl.Host, "/appointments/"+a.ID+"/reschedule", url.Values{"date": {"2030-01-07"}, "time": {"12:00"}, "minutes": {"30"}, "version": {"1"}}); tc.role != "receptionist" && r.StatusCode != http.StatusForbidden {
			t.Errorf("%s reschedules: %d", tc.role, r.StatusCode)
		}
	}
	// Another clinic's appointment is not found.
	other := e.s.NewClinic(t, apptest.Subdomain(t, "pgx"))
	c := e.s.SignedIn(t, other.Host, other.Admin.Email)
	if r := c.Get(other.Host, "/appointments/"+a.ID); r.StatusCode != http.StatusNotFound {
		t.Errorf("another clinic's appointment: %d", r.StatusCode)
	}
}

// Overlapping appointments share out the column in lanes; only those that
// hold their time mark each other overlapping; the window covers the open
// hours and every appointment, in quarter hours.
func TestCalendarLayout(t *testing.T) {
	t.Parallel()
	at := func(h, m int) time.Time {
		return pgMonday.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	block := func(id string, h, m, minutes int, status string) CalBlock {
		return CalBlock{ID: id, Start: at(h, m), End: at(h, m+minutes), Minutes: minutes, Status: status}
	}
	open := [][]schedule.Range{{{Start: at(9, 0), End: at(17, 0)}}}
	w := gridWindow(time.UTC, open, []*Appointment{{Span: Span{Start: at(8, 50), Minutes: 20}}, {Span: Span{Start: at(17, 5), Minutes: 5}}})
	if w != (window{From: 8*60 + 45, To: 17*60 + 15}) || w.Rows() != 102 {
		t.Errorf("window %+v (%d rows), want 08:45–17:15", w, w.Rows())
	}
	if w := gridWindow(time.UTC, [][]schedule.Range{nil}, nil); w != fallbackOpen {
		t.Errorf("a closed day draws %+v, want 08:00–18:00", w)
	}
	w = window{From: 9 * 60, To: 17 * 60}
	bs := []CalBlock{
		block("c", 9, 40, 30, StatusBooked),    // overlaps b only
		block("a", 9, 0, 30, StatusBooked),     // overlaps b
		block("b", 9, 15, 30, StatusBooked),    // overlaps a and c
		block("d", 11, 0, 30, StatusBooked),    // alone
		block("e", 11, 15, 15, StatusNoShow),   // beside d, its time let go
		block("f", 16, 45, 60, StatusArrived),  // past the window's end
		block("g", 13, 0, 30, StatusCompleted), // alone
	}
	layBlocks(bs, w, time.UTC)
	want := map[string]struct {
		row, span, lane, lanes int
		overlapping            bool
	}{
		"a": {1, 6, 0, 2, true}, "b": {4, 6, 1, 2, true}, "c": {9, 6, 0, 2, true},
		"d": {25, 6, 0, 2, false}, "e": {28, 3, 1, 2, false}, "g": {49, 6, 0, 1, false}, "f": {94, 3, 0, 1, false},
	}
	for _, b := range bs {
		w := want[b.ID]
		if b.Row != w.row || b.Span != w.span || b.Lane != w.lane || b.Lanes != w.lanes || b.Overlapping != w.overlapping {
			t.Errorf("%s: row %d span %d lane %d of %d overlapping %v; want %+v", b.ID, b.Row, b.Span, b.Lane, b.Lanes, b.Overlapping, w)
		}
	}
	if bs[0].ID != "a" || !strings.Contains(bs[0].Classes(), "r1 s6 lanes2 lane1") {
		t.Errorf("first block %s classes %q", bs[0].ID, bs[0].Classes())
	}
}
