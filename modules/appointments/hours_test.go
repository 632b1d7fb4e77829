package appointments

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/appointments/schedule"
	"github.com/wardclinic/ward/modules/dashboard"
	settingsmod "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// hoursEnv is one clinic of the hours tests, its admin signed in, with a
// doctor.
type hoursEnv struct {
	s      *apptest.Server
	m      *Module
	cl     *apptest.Clinic
	admin  *apptest.Client
	doctor *auth.User
}

func TestHours(t *testing.T) {
	m := New()
	// The settings module declares settings:update, which changing the
	// clinic's opening hours needs.
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), settingsmod.New(), m)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, hoursEnv)
	}{
		{"defaults", testHoursDefaults},
		{"edit", testHoursEdit},
		{"conflict", testHoursConflict},
		{"provider", testHoursProvider},
		{"dst", testHoursDST},
		{"outside", testOutsideHours},
		{"next-free", testNextFree},
		{"free-page", testFreePage},
		{"roles", testHoursRoles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := s.NewClinic(t, "hours-"+tc.name)
			c := s.Client(t)
			c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
			doc := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@hours-"+tc.name+".test")
			tc.run(t, hoursEnv{s: s, m: m, cl: cl, admin: c, doctor: doc})
		})
	}
}

// hoursValues is the edit form's values: every weekday as given (Monday
// first; the rest empty), the exceptions, the version.
func hoursValues(version string, days []string, exceptions string) url.Values {
	v := url.Values{"version": {version}, "exceptions": {exceptions}}
	for i, d := range weekOrder {
		if i < len(days) {
			v.Set(dayKey(d), days[i])
		} else {
			v.Set(dayKey(d), "")
		}
	}
	return v
}

// save posts hours for owner as c and wants the redirect to the hours page.
func (e hoursEnv) save(t *testing.T, c *apptest.Client, owner string, form url.Values) {
	t.Helper()
	c.Get(e.cl.Host, "/appointments/hours/"+owner)
	r := c.PostForm(e.cl.Host, "/appointments/hours/"+owner, form)
	apptest.WantRedirect(t, "save "+owner, r, "/appointments/hours")
}

// zoned sets the clinic's time zone.
func (e hoursEnv) zoned(t *testing.T, zone string) *time.Location {
	t.Helper()
	ctx := context.Background()
	st, err := settings.Load(ctx, e.cl.DB)
	if err != nil {
		t.Fatal(err)
	}
	st.Timezone = zone
	if err := settings.Save(ctx, e.cl.DB, st, e.s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// appointment stores an appointment of the provider as the booking does
// (only what the search for free time reads).
func (e hoursEnv) appointment(t *testing.T, provider string, start time.Time, minutes int, status string) {
	t.Helper()
	a := Appointment{ProviderID: provider, PatientID: "p", Status: status,
		Span: Span{Start: start.UTC(), Minutes: minutes, End: start.UTC().Add(time.Duration(minutes) * time.Minute)}}
	a.ID = db.NewID()
	if err := e.cl.DB.Collection(kind.Collection).Insert(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
}

func testHoursDefaults(t *testing.T, e hoursEnv) {
	ctx := context.Background()
	h, err := e.m.hoursOf(ctx, e.cl.DB, clinicOwner)
	if err != nil {
		t.Fatal(err)
	}
	if weekText(h.Week) != weekText(defaultWeek()) || len(h.Exceptions) != 0 {
		t.Errorf("a new clinic's hours: %+v", h)
	}
	if own, err := e.m.hoursOf(ctx, e.cl.DB, e.doctor.ID); err != nil || weekText(own.Week) != weekText(h.Week) {
		t.Errorf("a provider without hours works the clinic's: %+v %v", own, err)
	}
	page := e.admin.Get(e.cl.Host, "/appointments/hours")
	apptest.WantStatus(t, "hours", page, http.StatusOK)
	doc := page.Doc(t)
	clinic := doc.Find("#clinic-hours").Text()
	for _, want := range []string{"Monday", "09:00–17:00", "Sunday", "closed"} {
		if !strings.Contains(clinic, want) {
			t.Errorf("the clinic's hours do not say %q: %s", want, clinic)
		}
	}
	if row := doc.Find("#provider-" + e.doctor.ID).Text(); !strings.Contains(row, "Dana Doctor") || !strings.Contains(row, "Same as the clinic") {
		t.Errorf("the doctor's row: %q", row)
	}
	if doc.Find(`a[href="/appointments/hours/clinic"]`).Length() != 1 || doc.Find(`a[href="/appointments/hours/`+e.doctor.ID+`"]`).Length() != 1 {
		t.Error("the admin is not offered to change the hours")
	}
	form := e.admin.Get(e.cl.Host, "/appointments/hours/clinic").Doc(t)
	if v, _ := form.Find("#f-mon").Attr("value"); v != "09:00-17:00" {
		t.Errorf("the form's Monday: %q", v)
	}
	if v, _ := form.Find("#f-sun").Attr("value"); v != "" {
		t.Errorf("the form's Sunday: %q", v)
	}
	if r := e.admin.Get(e.cl.Host, "/appointments/hours/"+db.NewID()); r.StatusCode != http.StatusNotFound {
		t.Errorf("hours of nobody: %d", r.StatusCode)
	}
	desk := e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@hours-defaults.test")
	if r := e.admin.Get(e.cl.Host, "/appointments/hours/"+desk.ID); r.StatusCode != http.StatusNotFound {
		t.Errorf("hours of a user who is not a provider: %d", r.StatusCode)
	}
}

func testHoursEdit(t *testing.T, e hoursEnv) {
	c, host := e.admin, e.cl.Host
	c.Get(host, "/appointments/hours/clinic")
	bad := c.PostForm(host, "/appointments/hours/clinic", hoursValues("0",
		[]string{"9-12", "09:00-12:00, 11:00-13:00", "09:00-17:00"}, "2026-12-25 closed Christmas\nsoon closed\n2026-12-25 09:00-10:00"))
	apptest.WantStatus(t, "invalid hours", bad, http.StatusUnprocessableEntity)
	doc := bad.Doc(t)
	for id, want := range map[string]string{"#e-mon": "hours and minutes", "#e-tue": "overlaps", "#e-exceptions": "Line 2"} {
		if got := doc.Find(id).Text(); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to say %q", id, got, want)
		}
	}
	if got := doc.Find("#e-exceptions").Text(); !strings.Contains(got, "Line 3: 2026-12-25 is already on line 1") {
		t.Errorf("a date twice: %q", got)
	}
	if doc.Find("#e-wed").Length() != 0 {
		t.Error("a valid day has a message")
	}
	if v, _ := doc.Find("#f-mon").Attr("value"); v != "9-12" {
		t.Errorf("what was typed is not kept: %q", v)
	}
	if n := apptest.Count(t, e.cl.DB.Collection("schedules"), db.Filter{}); n != 0 {
		t.Fatalf("invalid hours stored: %d", n)
	}

	e.save(t, c, "clinic", hoursValues("0", []string{"08:00-12:00, 13:00-18:00", "08:00-12:00, 13:00-18:00", "08:00-12:00", "08:00-12:00, 13:00-18:00", "08:00-16:00", "09:00-12:00"},
		"2026-12-25 closed Christmas\n2026-12-24 08:00-11:00 Christmas Eve"))
	h, err := e.m.hoursOf(context.Background(), e.cl.DB, clinicOwner)
	if err != nil {
		t.Fatal(err)
	}
	if got := schedule.FormatDay(h.Week[time.Monday]); got != "08:00-12:00, 13:00-18:00" {
		t.Errorf("Monday stored as %q", got)
	}
	if len(h.Week[time.Sunday]) != 0 || len(h.Exceptions) != 2 || h.Exceptions[0].Date != "2026-12-24" || !h.Exceptions[1].Closed || h.Exceptions[1].Note != "Christmas" {
		t.Errorf("stored: %+v", h)
	}
	page := c.Get(host, "/appointments/hours").Doc(t)
	if got := page.Find("#clinic-hours").Text(); !strings.Contains(got, "08:00–12:00, 13:00–18:00") || !strings.Contains(got, "Christmas") {
		t.Errorf("the page: %s", got)
	}
	entries := apptest.Find[audit.Entry](t, e.cl.DB.Collection(audit.Collection), db.Eq("action", actionSchedule))
	if len(entries) != 1 || entries[0].Target != "schedule:clinic" || !strings.Contains(entries[0].After, "Monday") || !strings.Contains(entries[0].After, "exceptions") {
		t.Errorf("audit: %+v", entries)
	}
	// Saving again from version 1 makes version 2; saving nothing new
	// writes nothing.
	form := c.Get(host, "/appointments/hours/clinic").Doc(t)
	if v, _ := form.Find(`input[name="version"]`).Attr("value"); v != "1" {
		t.Errorf("the form's version: %q", v)
	}
	if ex := form.Find("#f-exceptions").Text(); ex != "2026-12-24 08:00-11:00 Christmas Eve\n2026-12-25 closed Christmas" {
		t.Errorf("the form's exceptions: %q", ex)
	}
	same := hoursValues("1", []string{"08:00-12:00, 13:00-18:00", "08:00-12:00, 13:00-18:00", "08:00-12:00", "08:00-12:00, 13:00-18:00", "08:00-16:00", "09:00-12:00"},
		"2026-12-24 08:00-11:00 Christmas Eve\n2026-12-25 closed Christmas")
	e.save(t, c, "clinic", same)
	if n := apptest.Count(t, e.cl.DB.Collection(audit.Collection), db.Eq("action", actionSchedule)); n != 1 {
		t.Errorf("saving nothing new is audited: %d", n)
	}
	same.Set("sat", "")
	e.save(t, c, "clinic", same)
	s, err := scheduleOf(context.Background(), e.cl.DB, clinicOwner)
	if err != nil || s.Version != 2 || len(s.Week.Sat) != 0 {
		t.Errorf("after closing Saturdays: %+v %v", s, err)
	}
}

func testHoursConflict(t *testing.T, e hoursEnv) {
	c, host := e.admin, e.cl.Host
	other := e.s.SignedIn(t, host, e.cl.Admin.Email)
	e.save(t, other, "clinic", hoursValues("0", []string{"10:00-16:00"}, ""))
	// The admin's form was opened before: version 0.
	r := c.PostForm(host, "/appointments/hours/clinic", hoursValues("0", []string{"07:00-15:00", "07:00-15:00"}, "2026-05-01 closed"))
	apptest.WantStatus(t, "stale save", r, http.StatusConflict)
	doc := r.Doc(t)
	if !strings.Contains(apptest.FormError(t, r), "Someone else saved these hours") {
		t.Errorf("the conflict's message: %q", apptest.FormError(t, r))
	}
	if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != "1" {
		t.Errorf("the form is not at the latest version: %q", v)
	}
	if v, _ := doc.Find("#f-mon").Attr("value"); v != "10:00-16:00" {
		t.Errorf("the form does not show the latest hours: %q", v)
	}
	unsaved := doc.Find("#unsaved").Text()
	for _, want := range []string{"Monday", "07:00-15:00", "Tuesday", "2026-05-01 closed"} {
		if !strings.Contains(unsaved, want) {
			t.Errorf("what was typed is not listed (%q): %s", want, unsaved)
		}
	}
	h, _ := e.m.hoursOf(context.Background(), e.cl.DB, clinicOwner)
	if got := schedule.FormatDay(h.Week[time.Monday]); got != "10:00-16:00" {
		t.Errorf("the stale save overwrote: %q", got)
	}
	// Two first saves at once: one is stored, the other is a conflict.
	doc2 := e.s.NewUser(t, e.cl, "doctor", "Dev Doctor", "dev@hours-conflict.test")
	c.Get(host, "/appointments/hours/"+doc2.ID)
	status := make([]int, 2)
	apptest.AtOnce(2, func(i int) {
		r, err := c.TryPost(host, "/appointments/hours/"+doc2.ID, hoursValues("0", []string{"09:00-1" + string(rune('0'+i)) + ":00"}, ""))
		if err == nil {
			status[i] = r.StatusCode
		}
	})
	if !(status[0] == http.StatusSeeOther && status[1] == http.StatusConflict || status[1] == http.StatusSeeOther && status[0] == http.StatusConflict) {
		t.Errorf("two first saves: %v", status)
	}
	if n := apptest.Count(t, e.cl.DB.Collection("schedules"), db.Eq("owner", doc2.ID)); n != 1 {
		t.Errorf("%d schedules for one provider", n)
	}
}

func testHoursProvider(t *testing.T, e hoursEnv) {
	ctx := context.Background()
	form := e.admin.Get(e.cl.Host, "/appointments/hours/"+e.doctor.ID).Doc(t)
	if _, ticked := form.Find("#f-sameAsClinic").Attr("checked"); !ticked {
		t.Error("a provider without hours is not shown as working the clinic's")
	}
	if v, _ := form.Find("#f-tue").Attr("value"); v != "09:00-17:00" {
		t.Errorf("the clinic's Tuesday is not shown: %q", v)
	}
	// Own hours: mornings, not on Wednesdays; a day off.
	e.save(t, e.admin, e.doctor.ID, hoursValues("0", []string{"08:00-12:00", "08:00-12:00", "", "08:00-12:00", "08:00-12:00"}, "2026-03-13 closed Training"))
	own, err := e.m.hoursOf(ctx, e.cl.DB, e.doctor.ID)
	if err != nil || schedule.FormatDay(own.Week[time.Monday]) != "08:00-12:00" || len(own.Week[time.Wednesday]) != 0 || len(own.Exceptions) != 1 {
		t.Errorf("own hours: %+v %v", own, err)
	}
	open, err := e.m.openOn(ctx, e.cl.DB, e.doctor.ID, 2026, 3, 9, time.UTC)
	if want := []schedule.Range{{Start: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)}}; err != nil || !sameRanges(open, want) {
		t.Errorf("open on Monday: %v %v (the doctor's 08:00 is before the clinic opens)", open, err)
	}
	row := e.admin.Get(e.cl.Host, "/appointments/hours").Doc(t).Find("#provider-" + e.doctor.ID).Text()
	if !strings.Contains(row, "Mon 08:00–12:00") || strings.Contains(row, "Wed") || !strings.Contains(row, "1") {
		t.Errorf("the doctor's row: %q", row)
	}
	// Back to the clinic's week; the day off stays theirs.
	v := hoursValues("1", []string{"08:00-12:00"}, "2026-03-13 closed Training")
	v.Set("sameAsClinic", "1")
	e.save(t, e.admin, e.doctor.ID, v)
	own, err = e.m.hoursOf(ctx, e.cl.DB, e.doctor.ID)
	if err != nil || weekText(own.Week) != weekText(defaultWeek()) || len(own.Exceptions) != 1 || own.Exceptions[0].Note != "Training" {
		t.Errorf("same as the clinic: %+v %v", own, err)
	}
	if open, _ := e.m.openOn(ctx, e.cl.DB, e.doctor.ID, 2026, 3, 13, time.UTC); len(open) != 0 {
		t.Errorf("open on the day off: %v", open)
	}
}

// weekText is a week as one line of text, to compare.
func weekText(w schedule.Week) string {
	var b strings.Builder
	for d := range w {
		b.WriteString(schedule.FormatDay(w[d]) + "|")
	}
	return b.String()
}

func sameRanges(a, b []schedule.Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}

// A clinic in Berlin open at weekends: its 08:00 stays 08:00 across both
// changes of the clocks.
func testHoursDST(t *testing.T, e hoursEnv) {
	ctx := context.Background()
	berlin := e.zoned(t, "Europe/Berlin")
	e.save(t, e.admin, "clinic", hoursValues("0", []string{"", "", "", "", "", "08:00-12:00", "01:00-04:00, 08:00-12:00"}, ""))
	e.save(t, e.admin, e.doctor.ID, hoursValues("0", []string{"", "", "", "", "", "10:00-14:00", "00:00-24:00"}, ""))
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		mo   time.Month
		d    int
		want []schedule.Range
	}{
		{"the Saturday before spring", 3, 28, []schedule.Range{{Start: utc(3, 28, 9, 0), End: utc(3, 28, 11, 0)}}},
		{"the Sunday the clocks go forward", 3, 29, []schedule.Range{{Start: utc(3, 29, 0, 0), End: utc(3, 29, 2, 0)}, {Start: utc(3, 29, 6, 0), End: utc(3, 29, 10, 0)}}},
		{"the Saturday before autumn", 10, 24, []schedule.Range{{Start: utc(10, 24, 8, 0), End: utc(10, 24, 10, 0)}}},
		{"the Sunday the clocks go back", 10, 25, []schedule.Range{{Start: utc(10, 24, 23, 0), End: utc(10, 25, 3, 0)}, {Start: utc(10, 25, 7, 0), End: utc(10, 25, 11, 0)}}},
		{"a Monday: closed", 3, 30, nil},
	} {
		got, err := e.m.openOn(ctx, e.cl.DB, e.doctor.ID, 2026, tc.mo, tc.d, berlin)
		if err != nil || !sameRanges(got, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
	// The free slots of the spring Sunday, on the local clock.
	slots, err := e.m.nextFree(ctx, e.cl.DB, []string{e.doctor.ID}, 30, time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), berlin, 3)
	var local []string
	for _, s := range slots {
		local = append(local, s.Start.In(berlin).Format("15:04"))
	}
	if err != nil || strings.Join(local, " ") != "01:00 01:05 01:10" {
		t.Errorf("free on the spring Sunday: %v %v", local, err)
	}
	// 01:30 to 04:00 that night is an hour and a half: two hours do not fit.
	late, err := e.m.nextFree(ctx, e.cl.DB, []string{e.doctor.ID}, 120, time.Date(2026, 3, 29, 1, 30, 0, 0, berlin), berlin, 1)
	if err != nil || len(late) != 1 || late[0].Start.In(berlin).Format("15:04") != "08:00" {
		t.Errorf("two hours from 01:30: %v %v", late, err)
	}
}

func testOutsideHours(t *testing.T, e hoursEnv) {
	ctx := context.Background()
	e.save(t, e.admin, "clinic", hoursValues("0", []string{"09:00-12:30, 13:30-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-12:00"}, "2026-12-25 closed Christmas\n2026-12-28 closed"))
	e.save(t, e.admin, e.doctor.ID, hoursValues("0", []string{"09:00-17:00", "09:00-17:00", "", "09:00-17:00", "09:00-17:00", "09:00-12:00"}, "2026-04-01 closed Conference\n2026-04-02 closed"))
	at := func(mo time.Month, d, h, m, minutes int) *Appointment {
		start := time.Date(2026, mo, d, h, m, 0, 0, time.UTC)
		return &Appointment{ProviderID: e.doctor.ID, Span: Span{Start: start, Minutes: minutes, End: start.Add(time.Duration(minutes) * time.Minute)}}
	}
	for _, tc := range []struct {
		name string
		a    *Appointment
		want string
	}{
		{"inside", at(3, 9, 9, 0, 30), ""},
		{"touching the lunch break", at(3, 9, 12, 0, 30), ""},
		{"touching closing", at(3, 9, 16, 30, 30), ""},
		{"before opening", at(3, 9, 8, 45, 30), "outside working hours (09:00–12:30, 13:30–17:00)"},
		{"across the lunch break", at(3, 9, 12, 15, 30), "outside working hours (09:00–12:30, 13:30–17:00)"},
		{"after closing", at(3, 10, 16, 45, 30), "outside working hours (09:00–17:00)"},
		{"a Sunday", at(3, 8, 10, 0, 30), "the clinic is closed on Sundays"},
		{"the doctor's free Wednesday", at(3, 11, 10, 0, 30), "Dana Doctor does not work on Wednesdays"},
		{"Christmas", at(12, 25, 10, 0, 30), "the clinic is closed on 2026-12-25: Christmas"},
		{"a closed day without a note", at(12, 28, 10, 0, 30), "the clinic is closed on 2026-12-28"},
		{"the doctor's conference", at(4, 1, 10, 0, 30), "Dana Doctor does not work on 2026-04-01: Conference"},
		{"the doctor's day off", at(4, 2, 10, 0, 30), "Dana Doctor does not work on 2026-04-02"},
		{"Saturday morning", at(3, 14, 11, 30, 30), ""},
	} {
		got, err := e.m.outsideHours(ctx, e.cl.DB, tc.a, time.UTC)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
	// In the clinic's zone: 08:30 UTC is 09:30 in Berlin in March.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if got, err := e.m.outsideHours(ctx, e.cl.DB, at(3, 9, 8, 30, 30), berlin); err != nil || got != "" {
		t.Errorf("in Berlin: %q %v", got, err)
	}
}

func testNextFree(t *testing.T, e hoursEnv) {
	ctx := context.Background()
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@hours-next-free.test")
	monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	clock := func(h, m int) time.Time { return monday.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	e.appointment(t, e.doctor.ID, clock(9, 0), 30, StatusBooked)
	e.appointment(t, e.doctor.ID, clock(9, 30), 30, StatusCancelled) // frees its time
	e.appointment(t, e.doctor.ID, clock(10, 0), 15, StatusArrived)
	e.appointment(t, e.doctor.ID, clock(10, 10), 10, StatusRequested) // overlapping: overbooked or requested, it holds time
	e.appointment(t, e.doctor.ID, clock(10, 50), 20, StatusNoShow)
	e.appointment(t, nurse.ID, clock(9, 0), 60, StatusInConsultation)
	owl := e.s.NewUser(t, e.cl, "doctor", "Olu Owl", "olu@hours-next-free.test")
	e.appointment(t, owl.ID, monday.Add(-time.Hour), 720, StatusBooked) // from Sunday 23:00 to Monday 11:00
	hhmm := func(slots []FreeSlot) string {
		var out []string
		for _, s := range slots {
			who := map[string]string{e.doctor.ID: "d", nurse.ID: "n", owl.ID: "o"}[s.ProviderID]
			out = append(out, s.Start.UTC().Format("Mon 15:04")+" "+who)
		}
		return strings.Join(out, ", ")
	}
	got, err := e.m.nextFree(ctx, e.cl.DB, []string{e.doctor.ID}, 30, monday, time.UTC, 3)
	if want := "Mon 09:30 d, Mon 10:20 d, Mon 10:25 d"; err != nil || hhmm(got) != want {
		t.Errorf("the doctor: %q %v, want %q", hhmm(got), err, want)
	}
	got, _ = e.m.nextFree(ctx, e.cl.DB, []string{e.doctor.ID, nurse.ID}, 30, monday, time.UTC, 4)
	if want := "Mon 09:30 d, Mon 10:00 n, Mon 10:05 n, Mon 10:10 n"; hhmm(got) != want {
		t.Errorf("either: %q, want %q", hhmm(got), want)
	}
	got, _ = e.m.nextFree(ctx, e.cl.DB, []string{owl.ID}, 30, monday, time.UTC, 1)
	if want := "Mon 11:00 o"; hhmm(got) != want {
		t.Errorf("after a night's appointment: %q, want %q", hhmm(got), want)
	}
	// From Friday afternoon: the last half hour, then Monday (the weekend
	// is closed).
	friday := monday.AddDate(0, 0, 4)
	got, _ = e.m.nextFree(ctx, e.cl.DB, []string{nurse.ID}, 30, friday.Add(16*time.Hour+25*time.Minute), time.UTC, 4)
	if want := "Fri 16:25 n, Fri 16:30 n, Mon 09:00 n, Mon 09:05 n"; hhmm(got) != want {
		t.Errorf("over the weekend: %q, want %q", hhmm(got), want)
	}
	// A whole day off (the clinic's): the search goes past it.
	e.save(t, e.admin, "clinic", hoursValues("0", []string{"09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00"}, "2026-03-16 closed Holiday"))
	got, _ = e.m.nextFree(ctx, e.cl.DB, []string{nurse.ID}, 480, friday.Add(10*time.Hour), time.UTC, 1)
	if want := "Tue 09:00 n"; hhmm(got) != want {
		t.Errorf("a full day after a holiday: %q, want %q", hhmm(got), want)
	}
	// Nothing in 60 days.
	got, err = e.m.nextFree(ctx, e.cl.DB, []string{nurse.ID}, 600, monday, time.UTC, 1)
	if err != nil || len(got) != 0 {
		t.Errorf("longer than any day: %v %v", got, err)
	}
}

func testFreePage(t *testing.T, e hoursEnv) {
	c, host := e.admin, e.cl.Host
	berlin := e.zoned(t, "Europe/Berlin")
	monday := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	e.appointment(t, e.doctor.ID, monday, 20, StatusBooked)
	svc := db.NewID()
	if err := e.cl.DB.Collection("services").Insert(context.Background(), map[string]any{"_id": svc, "name": "Dressing", "minutes": 18, "active": true}); err != nil {
		t.Fatal(err)
	}
	r := c.Get(host, "/appointments/free?providerId="+e.doctor.ID+"&minutes=30&from=2026-03-09")
	apptest.WantStatus(t, "free page", r, http.StatusOK)
	links := r.Doc(t).Find("#slots a")
	if links.Length() != freeShown {
		t.Fatalf("%d slots shown, want %d", links.Length(), freeShown)
	}
	href, _ := links.First().Attr("href")
	want := "/appointments/new?" + url.Values{"minutes": {"30"}, "providerId": {e.doctor.ID}, "start": {"2026-03-09T09:20:00+01:00"}}.Encode()
	if href != want {
		t.Errorf("first slot links to %s, want %s", href, want)
	}
	if !strings.Contains(r.Body, "Monday") || !strings.Contains(links.First().Text(), "09:20") || !strings.Contains(links.First().Text(), "Dana Doctor") {
		t.Errorf("the first slot reads %q", links.First().Text())
	}
	// The API twin, with the service's length rounded up to five minutes.
	resp, out := c.API(host, http.MethodGet, "/api/appointments/free?serviceId="+svc+"&providerId="+e.doctor.ID+"&from=2026-03-09&max=2", "")
	apptest.WantStatus(t, "free api", resp, http.StatusOK)
	data := apptest.Data[struct {
		Slots   []FreeSlot `json:"slots"`
		Minutes int        `json:"minutes"`
	}](t, out)
	if data.Minutes != 20 || len(data.Slots) != 2 || data.Slots[0].ProviderID != e.doctor.ID || !data.Slots[0].Start.Equal(monday.Add(20*time.Minute)) {
		t.Errorf("api: %+v", data)
	}
	for _, q := range []string{"minutes=7", "minutes=0", "from=09.03.2026", "providerId=" + db.NewID(), "serviceId=nope", "max=500"} {
		resp, out := c.API(host, http.MethodGet, "/api/appointments/free?"+q, "")
		if resp.StatusCode != http.StatusUnprocessableEntity || len(out.Fields) != 1 {
			t.Errorf("api %s: %d %v", q, resp.StatusCode, out.Fields)
		}
	}
	bad := c.Get(host, "/appointments/free?minutes=7")
	apptest.WantStatus(t, "bad minutes", bad, http.StatusUnprocessableEntity)
	if bad.Doc(t).Find("#e-minutes").Text() == "" {
		t.Error("no message for the minutes")
	}
	// Without a search: today on, every provider.
	if r := c.Get(host, "/appointments/free"); r.StatusCode != http.StatusOK || r.Doc(t).Find("#slots a").Length() == 0 {
		t.Errorf("the page with no search: %d", r.StatusCode)
	}
}

// The front desk keeps the providers' hours but not the clinic's; a
// medical representative sees none of it.
func testHoursRoles(t *testing.T, e hoursEnv) {
	rita := e.s.NewUser(t, e.cl, "receptionist", "Rita Reception", "rita@hours-roles.test")
	mo := e.s.NewUser(t, e.cl, "medrep", "Mo Rep", "mo@hours-roles.test")
	desk := e.s.SignedIn(t, e.cl.Host, rita.Email)
	page := desk.Get(e.cl.Host, "/appointments/hours")
	apptest.WantStatus(t, "receptionist hours", page, http.StatusOK)
	if doc := page.Doc(t); doc.Find(`a[href="/appointments/hours/clinic"]`).Length() != 0 || doc.Find(`a[href="/appointments/hours/`+e.doctor.ID+`"]`).Length() != 1 {
		t.Error("the receptionist's links to change hours")
	}
	if r := desk.Get(e.cl.Host, "/appointments/hours/clinic"); r.StatusCode != http.StatusForbidden {
		t.Errorf("receptionist opens the clinic's form: %d", r.StatusCode)
	}
	desk.Get(e.cl.Host, "/appointments/hours")
	if r := desk.PostForm(e.cl.Host, "/appointments/hours/clinic", hoursValues("0", []string{"00:00-24:00"}, "")); r.StatusCode != http.StatusForbidden {
		t.Errorf("receptionist changes the clinic's hours: %d", r.StatusCode)
	}
	e.save(t, desk, e.doctor.ID, hoursValues("0", []string{"10:00-12:00"}, ""))
	if h, _ := e.m.hoursOf(context.Background(), e.cl.DB, e.doctor.ID); schedule.FormatDay(h.Week[time.Monday]) != "10:00-12:00" {
		t.Errorf("the receptionist's change: %+v", h.Week)
	}
	if r := desk.Get(e.cl.Host, "/appointments/free"); r.StatusCode != http.StatusOK {
		t.Errorf("receptionist free slots: %d", r.StatusCode)
	}
	rep := e.s.SignedIn(t, e.cl.Host, mo.Email)
	for _, path := range []string{"/appointments/hours", "/appointments/hours/clinic", "/appointments/hours/" + e.doctor.ID, "/appointments/free"} {
		if r := rep.Get(e.cl.Host, path); r.StatusCode != http.StatusForbidden {
			t.Errorf("medrep GET %s: %d", path, r.StatusCode)
		}
	}
	rep.Get(e.cl.Host, "/dashboard")
	if r := rep.PostForm(e.cl.Host, "/appointments/hours/"+e.doctor.ID, hoursValues("0", []string{"00:00-24:00"}, "")); r.StatusCode != http.StatusForbidden {
		t.Errorf("medrep changes hours: %d", r.StatusCode)
	}
	if resp, _ := rep.API(e.cl.Host, http.MethodGet, "/api/appointments/free", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("medrep free api: %d", resp.StatusCode)
	}
}
