package appointments

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/ics"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/dashboard"
	settingsmodule "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// remEnv is one clinic of the reminder tests' Ward, its admin signed in,
// with a doctor to book.
type remEnv struct {
	s      *apptest.Server
	m      *Module
	cl     *apptest.Clinic
	admin  *apptest.Client
	doctor *auth.User
}

// The test clock's now, apptest.Epoch, is Monday 2 March 2026, 09:00 UTC:
// the times below fall in the default opening hours.
var (
	monday  = apptest.Epoch                     // 09:00
	tuesday = apptest.Epoch.Add(time.Hour * 24) // 09:00 the next day
)

func TestReminders(t *testing.T) {
	m := New()
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), settingsmodule.New(), m)
	newEnv := func(t *testing.T, name string) remEnv {
		cl := s.NewClinic(t, "rem-"+name)
		c := s.Client(t)
		c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
		doc := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@"+name+".test")
		return remEnv{s: s, m: m, cl: cl, admin: c, doctor: doc}
	}
	// The job walks every clinic: it runs alone, before the clinics of the
	// other tests exist.
	t.Run("job", func(t *testing.T) { testReminderJob(t, newEnv(t, "job")) })
	for _, tc := range []struct {
		name string
		run  func(*testing.T, remEnv)
	}{
		{"once", testReminderOnce},
		{"mail", testReminderMail},
		{"zone", testReminderZone},
		{"reschedule", testReminderReschedule},
		{"skipped", testReminderSkipped},
		{"settings", testReminderSettings},
		{"access", testReminderSettingsAccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newEnv(t, tc.name))
		})
	}
}

// apiAppt is an appointment as the API answers it.
type apiAppt struct {
	ID      string    `json:"id"`
	Start   time.Time `json:"start"`
	Version int64     `json:"version"`
	Status  string    `json:"status"`
}

// patient stores a patient as the patients module keeps them and returns
// its id.
func (e remEnv) patient(t *testing.T, first, last, email string) string {
	t.Helper()
	id := db.NewID()
	doc := map[string]any{"_id": id, "active": true, "firstName": first, "lastName": last, "number": 1}
	if email != "" {
		doc["email"] = email
	}
	if err := e.cl.DB.Collection("patients").Insert(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return id
}

// api sends a JSON request as the admin and returns the appointment it
// answers, failing unless the status is want.
func (e remEnv) api(t *testing.T, method, path, body string, want int) apiAppt {
	t.Helper()
	r, out := e.admin.API(e.cl.Host, method, path, body)
	if r.StatusCode != want {
		t.Fatalf("%s %s %s: %d, want %d: %s", method, path, body, r.StatusCode, want, r.Body)
	}
	return apptest.Data[apiAppt](t, out)
}

func (e remEnv) book(t *testing.T, patient string, start time.Time, minutes int) apiAppt {
	t.Helper()
	return e.api(t, http.MethodPost, "/api/appointments", fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":%q,"minutes":%d}`,
		patient, e.doctor.ID, start.Format(time.RFC3339), minutes), http.StatusCreated)
}

func (e remEnv) reschedule(t *testing.T, a apiAppt, start time.Time, minutes int) apiAppt {
	t.Helper()
	return e.api(t, http.MethodPut, "/api/appointments/"+a.ID, fmt.Sprintf(`{"start":%q,"minutes":%d,"version":%d}`,
		start.Format(time.RFC3339), minutes, a.Version), http.StatusOK)
}

func (e remEnv) setStatus(t *testing.T, a apiAppt, status string) apiAppt {
	t.Helper()
	return e.api(t, http.MethodPost, "/api/appointments/"+a.ID+"/status", fmt.Sprintf(`{"status":%q,"version":%d,"reason":"Called to cancel"}`,
		status, a.Version), http.StatusOK)
}

// run sends the clinic's reminders due at now.
func (e remEnv) run(t *testing.T, now time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := settings.Load(ctx, e.cl.DB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.remindClinic(ctx, e.cl.DB, *st, now); err != nil {
		t.Fatal(err)
	}
}

// wantReminders fails unless the clinic's outbox holds exactly the
// reminders of these appointments at their current starts, one each, and
// returns them by appointment (at its start).
func (e remEnv) wantReminders(t *testing.T, what string, as ...apiAppt) map[apiAppt]mail.Message {
	t.Helper()
	ms, err := mail.Outbox(context.Background(), e.cl.DB, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	byKey := map[string]mail.Message{}
	for _, m := range ms {
		got = append(got, m.Key)
		byKey[m.Key] = m
	}
	out := map[apiAppt]mail.Message{}
	for _, a := range as {
		k := fmt.Sprintf("reminder:%s:%d", a.ID, a.Start.Unix())
		want = append(want, k)
		out[a] = byKey[k]
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: outbox holds %v, want %v", what, got, want)
	}
	return out
}

// calendar reads a reminder's calendar attachment.
func calendar(t *testing.T, m mail.Message) ics.Event {
	t.Helper()
	if len(m.Attachments) != 1 || m.Attachments[0].Name != CalendarFile || !strings.HasPrefix(m.Attachments[0].ContentType, "text/calendar;") {
		t.Fatalf("attachments of %s: %+v", m.Key, m.Attachments)
	}
	cal, err := ics.Parse(m.Attachments[0].Data)
	if err != nil {
		t.Fatalf("calendar of %s: %v\n%s", m.Key, err, m.Attachments[0].Data)
	}
	if cal.Method != ics.MethodPublish || len(cal.Events) != 1 {
		t.Fatalf("calendar of %s: %+v", m.Key, cal)
	}
	return cal.Events[0]
}

// testReminderJob: the job, run on two instances at once and again, queues
// each due reminder once.
func testReminderJob(t *testing.T, e remEnv) {
	job := e.m.reminderJobs()[0]
	if job.Name != "appointment-reminders" || job.Every != 5*time.Minute || !job.Single {
		t.Fatalf("job: %+v", job)
	}
	a := e.book(t, e.patient(t, "Ann", "Ames", "ann@job.test"), tuesday, 5)                   // in exactly 24 h
	b := e.book(t, e.patient(t, "Ben", "Birch", "ben@job.test"), monday.Add(6*time.Hour), 30) // in 6 h
	c := e.book(t, e.patient(t, "Cy", "Cole", "cy@job.test"), tuesday.Add(5*time.Minute), 30) // in 24 h 5 min: not yet
	apptest.AtOnce(4, func(int) {
		if err := job.Run(context.Background()); err != nil {
			t.Error(err)
		}
	})
	e.wantReminders(t, "after four runs at once", b, a)
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.wantReminders(t, "after another run", b, a)
	if n := apptest.Count(t, e.cl.DB.Collection(db.ClaimsCollection), db.Eq("kind", reminderClaim)); n != 2 {
		t.Fatalf("%d appointments marked reminded, want 2", n)
	}
	e.run(t, monday.Add(5*time.Minute))
	e.wantReminders(t, "five minutes later", b, a, c)
}

// testReminderOnce: with the default lead of 24 hours, an appointment 23
// hours ahead is reminded, once however often the job runs; one 25 hours
// ahead waits until it is 24 hours ahead. Marking it reminded leaves the
// appointment as it was.
func testReminderOnce(t *testing.T, e remEnv) {
	now := monday.Add(time.Hour) // Monday 10:00
	soon := e.book(t, e.patient(t, "Ann", "Ames", "ann@once.test"), now.Add(23*time.Hour), 30)
	later := e.book(t, e.patient(t, "Ben", "Birch", "ben@once.test"), now.Add(25*time.Hour), 30)
	e.run(t, now)
	e.wantReminders(t, "first run", soon)
	apptest.AtOnce(3, func(int) {
		st, _ := settings.Load(context.Background(), e.cl.DB)
		if _, err := e.m.remindClinic(context.Background(), e.cl.DB, *st, now.Add(time.Minute)); err != nil {
			t.Error(err)
		}
	})
	e.wantReminders(t, "three runs at once a minute later", soon)
	e.run(t, now.Add(59*time.Minute))
	e.wantReminders(t, "an hour later less a minute", soon)
	e.run(t, now.Add(time.Hour))
	e.wantReminders(t, "an hour later: the other is 24 hours ahead", soon, later)
	e.run(t, now.Add(3*time.Hour))
	e.wantReminders(t, "later still", soon, later)

	stored := apptest.Find[Appointment](t, e.cl.DB.Collection(kind.Collection), db.ID(soon.ID))
	if len(stored) != 1 || stored[0].Version != 1 || !stored[0].UpdatedAt.Equal(stored[0].CreatedAt) {
		t.Fatalf("the reminded appointment changed: %+v", stored)
	}
	if n := apptest.Count(t, e.cl.DB.Collection(kind.Revisions), db.Eq(kind.Ref, soon.ID)); n != 1 {
		t.Fatalf("%d revisions of the reminded appointment, want 1", n)
	}
}

// testReminderMail: the reminder is addressed to the patient, says when,
// with whom and where, and carries the appointment as a calendar file.
func testReminderMail(t *testing.T, e remEnv) {
	a := e.book(t, e.patient(t, "Ann", "Ames", "ann@mail.test"), tuesday.Add(2*time.Hour), 45) // Tuesday 11:00–11:45 UTC
	e.run(t, monday.Add(3*time.Hour))
	m := e.wantReminders(t, "run", a)[a]
	if m.To != "ann@mail.test" || m.Status != mail.StatusQueued {
		t.Errorf("message to %q, %s", m.To, m.Status)
	}
	if want := "Reminder: your appointment at Clinic rem-mail on Tuesday 03 Mar 2026 at 11:00"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, want := range []string{"Dear Ann Ames,", "at Clinic rem-mail.", "When: Tuesday 03 Mar 2026, 11:00 to 11:45 (UTC time)", "With: Dana Doctor", CalendarFile} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	ev := calendar(t, m)
	if ev.UID != "appointment-"+a.ID+"@ward" || ev.Sequence != 0 {
		t.Errorf("UID %q sequence %d", ev.UID, ev.Sequence)
	}
	if want := time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC); !ev.Start.Equal(want) || !ev.End.Equal(want.Add(45*time.Minute)) {
		t.Errorf("event %v – %v", ev.Start, ev.End)
	}
	if !ev.Stamp.Equal(monday.Add(3*time.Hour)) || ev.Summary != "Appointment at Clinic rem-mail" || ev.Description != "With Dana Doctor." {
		t.Errorf("event: %+v", ev)
	}
	if !strings.Contains(string(m.Attachments[0].Data), "DTSTART:20260303T110000Z\r\n") {
		t.Errorf("calendar:\n%s", m.Attachments[0].Data)
	}
}

// testReminderZone: the text gives the time in the clinic's zone and
// clock; the calendar file in UTC.
func testReminderZone(t *testing.T, e remEnv) {
	ctx := context.Background()
	st, err := settings.Load(ctx, e.cl.DB)
	if err != nil {
		t.Fatal(err)
	}
	st.ClinicName, st.Timezone, st.TimeFormat, st.DateFormat = "Lakeside, Smith & Co", "America/New_York", settings.Clock12, "January 2, 2006"
	if err := settings.Save(ctx, e.cl.DB, st, monday); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 3, 14, 30, 0, 0, time.UTC) // 9:30 AM in New York (EST, UTC−5)
	a := e.book(t, e.patient(t, "Ann", "Ames", "ann@zone.test"), start, 30)
	e.run(t, start.Add(-20*time.Hour))
	m := e.wantReminders(t, "run", a)[a]
	if want := "Reminder: your appointment at Lakeside, Smith & Co on Tuesday March 3, 2026 at 9:30 AM"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if want := "When: Tuesday March 3, 2026, 9:30 AM to 10:00 AM (America/New_York time)"; !strings.Contains(m.Text, want) {
		t.Errorf("text lacks %q:\n%s", want, m.Text)
	}
	ev := calendar(t, m)
	if !ev.Start.Equal(start) || ev.Summary != "Appointment at Lakeside, Smith & Co" {
		t.Errorf("event: %+v", ev)
	}
	if data := string(m.Attachments[0].Data); !strings.Contains(data, "DTSTART:20260303T143000Z\r\n") || !strings.Contains(data, `SUMMARY:Appointment at Lakeside\, Smith & Co`) {
		t.Errorf("calendar:\n%s", data)
	}
}

// testReminderReschedule: a reminded appointment moved to another time is
// reminded again, of the new time, under the same calendar id.
func testReminderReschedule(t *testing.T, e remEnv) {
	now := monday.Add(time.Hour)
	a := e.book(t, e.patient(t, "Ann", "Ames", "ann@res.test"), now.Add(23*time.Hour), 30)
	e.run(t, now)
	e.wantReminders(t, "first run", a)
	moved := e.reschedule(t, a, now.Add(22*time.Hour), 30)
	e.run(t, now.Add(time.Minute))
	ev := calendar(t, e.wantReminders(t, "after the reschedule", a, moved)[moved])
	if ev.UID != "appointment-"+a.ID+"@ward" || ev.Sequence != 1 || !ev.Start.Equal(moved.Start) || !ev.End.Equal(moved.Start.Add(30*time.Minute)) {
		t.Errorf("event of the new time: %+v", ev)
	}
	e.run(t, now.Add(2*time.Minute))
	e.wantReminders(t, "another run", a, moved)
	// Moved beyond the lead: reminded once it is near.
	far := e.reschedule(t, moved, now.Add(48*time.Hour), 30)
	e.run(t, now.Add(3*time.Minute))
	e.wantReminders(t, "moved two days on", a, moved)
	e.run(t, now.Add(24*time.Hour))
	e.wantReminders(t, "a day later", a, moved, far)
}

// testReminderSkipped: no reminder for a cancelled appointment, one that
// has begun, or a patient without an email address.
func testReminderSkipped(t *testing.T, e remEnv) {
	now := monday.Add(time.Hour)
	cancelled := e.book(t, e.patient(t, "Ann", "Ames", "ann@skip.test"), now.Add(23*time.Hour), 30)
	e.setStatus(t, cancelled, StatusCancelled)
	arrived := e.book(t, e.patient(t, "Ben", "Birch", "ben@skip.test"), now.Add(2*time.Hour), 30)
	e.setStatus(t, arrived, StatusArrived)
	cy := e.patient(t, "Cy", "Cole", "")
	noMail := e.book(t, cy, now.Add(3*time.Hour), 30)
	e.book(t, e.patient(t, "Di", "Dale", "di@skip.test"), now.Add(30*time.Minute), 30) // begins as the job runs
	e.run(t, now.Add(30*time.Minute))
	e.wantReminders(t, "run", []apiAppt{}...)
	if n := apptest.Count(t, e.cl.DB.Collection(db.ClaimsCollection), db.Eq("kind", reminderClaim)); n != 0 {
		t.Fatalf("%d appointments marked reminded, want 0", n)
	}
	// The patient's address, once known, is used.
	if _, err := e.cl.DB.Collection("patients").Update(context.Background(), db.ID(cy), db.Set("email", "cy@skip.test")); err != nil {
		t.Fatal(err)
	}
	e.run(t, now.Add(31*time.Minute))
	e.wantReminders(t, "the address added", noMail)
}

// testReminderSettings: the clinic switches reminders off and on and sets
// the lead; each change is audited.
func testReminderSettings(t *testing.T, e remEnv) {
	r := e.admin.Get(e.cl.Host, remindersPath)
	apptest.WantStatus(t, "settings page", r, http.StatusOK)
	doc := r.Doc(t)
	if _, on := doc.Find("#f-on").Attr("checked"); !on || doc.Find("#f-hours").AttrOr("value", "") != "24" {
		t.Fatalf("defaults not shown: on=%v hours=%q", on, doc.Find("#f-hours").AttrOr("value", ""))
	}
	if doc.Find(`label[for="f-on"]`).Length() != 1 || doc.Find(`label[for="f-hours"]`).Length() != 1 {
		t.Error("a field has no label")
	}

	r = e.admin.PostForm(e.cl.Host, remindersPath, url.Values{"hours": {"24"}})
	apptest.WantRedirect(t, "switch off", r, remindersPath)
	e.admin.WantFlash(e.cl.Host, r, "Reminder settings saved.")
	now := monday.Add(time.Hour)
	a := e.book(t, e.patient(t, "Ann", "Ames", "ann@set.test"), now.Add(23*time.Hour), 30)
	e.run(t, now)
	e.wantReminders(t, "switched off", []apiAppt{}...)

	for _, bad := range []string{"0", "169", "", "two", "1.5"} {
		r = e.admin.PostForm(e.cl.Host, remindersPath, url.Values{"on": {"1"}, "hours": {bad}})
		apptest.WantStatus(t, "hours "+bad, r, http.StatusUnprocessableEntity)
		if msg := r.Doc(t).Find("#e-hours").Text(); !strings.Contains(msg, "from 1 to 168") {
			t.Errorf("hours %q: error %q", bad, msg)
		}
	}
	if s, _ := reminderSettings(context.Background(), e.cl.DB); s.On {
		t.Fatal("a refused form switched reminders on")
	}

	r = e.admin.PostForm(e.cl.Host, remindersPath, url.Values{"on": {"1"}, "hours": {"48"}})
	apptest.WantRedirect(t, "switch on, 48 hours", r, remindersPath)
	b := e.book(t, e.patient(t, "Ben", "Birch", "ben@set.test"), now.Add(47*time.Hour), 30)
	e.run(t, now)
	e.wantReminders(t, "48 hours before", a, b)
	r = e.admin.Get(e.cl.Host, remindersPath)
	if v := r.Doc(t).Find("#f-hours").AttrOr("value", ""); v != "48" {
		t.Errorf("hours shown %q, want 48", v)
	}

	type entry struct{ Action, Target, Before, After string }
	entries := apptest.Find[entry](t, e.cl.DB.Collection(audit.Collection), db.Eq("action", actionReminderSettings))
	want := []entry{
		{actionReminderSettings, "reminders", "reminders on, 24 hours before", "reminders off"},
		{actionReminderSettings, "reminders", "reminders off", "reminders on, 48 hours before"},
	}
	if len(entries) != 2 || !slices.Contains(entries, want[0]) || !slices.Contains(entries, want[1]) {
		t.Fatalf("audit entries: %+v, want %+v", entries, want)
	}
	// Saving the same settings again changes nothing and records nothing.
	e.admin.PostForm(e.cl.Host, remindersPath, url.Values{"on": {"1"}, "hours": {"48"}})
	if n := apptest.Count(t, e.cl.DB.Collection(audit.Collection), db.Eq("action", actionReminderSettings)); n != 2 {
		t.Fatalf("%d entries after saving the same settings, want 2", n)
	}
}

// testReminderSettingsAccess: the settings are for those who may change
// the clinic's settings.
func testReminderSettingsAccess(t *testing.T, e remEnv) {
	e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@access.test")
	c := e.s.SignedIn(t, e.cl.Host, "rita@access.test")
	apptest.WantStatus(t, "page", c.Get(e.cl.Host, remindersPath), http.StatusForbidden)
	apptest.WantStatus(t, "form", c.PostForm(e.cl.Host, remindersPath, url.Values{"hours": {"2"}}), http.StatusForbidden)
	if s, err := reminderSettings(context.Background(), e.cl.DB); err != nil || !s.On || s.Hours != 24 {
		t.Fatalf("settings after a refused change: %+v %v", s, err)
	}
}
