package appointments

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/appointments/schedule"
)

// Working hours: the clinic's opening hours and each provider's working
// hours, one versioned document per clinic and owner in "schedules". The
// owner is "clinic" or a provider's user id. A clinic without saved hours
// is open Monday to Friday, 09:00–17:00; a provider without their own
// hours works the clinic's.

// clinicOwner is the owner of the clinic's opening hours.
const clinicOwner = "clinic"

// actionSchedule is the audit action of a change of working hours.
const actionSchedule = "schedule.update"

// freeDays is how far ahead the search for a free slot looks.
const freeDays = 60

// freeStep is the step of the start times offered as free.
const freeStep = 5 * time.Minute

var scheduleKind = records.Kind{Collection: "schedules", Revisions: "schedule_revisions", Ref: "scheduleId"}

// Schedule is the stored working hours of one owner.
type Schedule struct {
	records.Meta `bson:",inline"`
	Owner        string `bson:"owner" json:"owner"` // "clinic" or a provider's user id
	// SameAsClinic: a provider who works the clinic's weekly hours; their
	// own exceptions (days off) still apply.
	SameAsClinic bool                 `bson:"sameAsClinic" json:"sameAsClinic"`
	Week         weekDoc              `bson:"week" json:"week"`
	Exceptions   []schedule.Exception `bson:"exceptions" json:"exceptions"`
}

// weekDoc is a week as stored: a field per day (an array of arrays is not
// something every engine stores).
type weekDoc struct {
	Sun []schedule.Interval `bson:"sun" json:"sun"`
	Mon []schedule.Interval `bson:"mon" json:"mon"`
	Tue []schedule.Interval `bson:"tue" json:"tue"`
	Wed []schedule.Interval `bson:"wed" json:"wed"`
	Thu []schedule.Interval `bson:"thu" json:"thu"`
	Fri []schedule.Interval `bson:"fri" json:"fri"`
	Sat []schedule.Interval `bson:"sat" json:"sat"`
}

// week is the stored week by time.Weekday.
func (w weekDoc) week() schedule.Week {
	return schedule.Week{w.Sun, w.Mon, w.Tue, w.Wed, w.Thu, w.Fri, w.Sat}
}

// docOf is a week as stored; a day without hours is an empty list.
func docOf(w schedule.Week) weekDoc {
	for d := range w {
		w[d] = nonNil(w[d])
	}
	return weekDoc{Sun: w[0], Mon: w[1], Tue: w[2], Wed: w[3], Thu: w[4], Fri: w[5], Sat: w[6]}
}

// hoursIndexes are the indexes of the working hours: one document per
// clinic and owner (unique: two first saves of one owner's hours cannot
// both be stored), and the revisions.
func hoursIndexes() []db.Index {
	return append(scheduleKind.Indexes(),
		db.Index{Collection: scheduleKind.Collection, Keys: []string{db.TenantField, "owner"}, Unique: true})
}

// defaultWeek is a new clinic's opening hours: Monday to Friday,
// 09:00–17:00.
func defaultWeek() schedule.Week {
	var w schedule.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []schedule.Interval{{From: 9 * 60, To: 17 * 60}}
	}
	return w
}

// scheduleOf is the stored hours of owner, or nil when there are none.
func scheduleOf(ctx context.Context, tdb *db.Tenant, owner string) (*Schedule, error) {
	var s Schedule
	err := tdb.Collection(scheduleKind.Collection).FindOne(ctx, db.Eq("owner", owner), &s)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// hoursOf is the working hours of owner ("clinic" or a provider's id): the
// clinic's saved hours or the default; a provider's own, or the clinic's
// weekly hours with the provider's exceptions, or (nothing saved) the
// clinic's.
func (m *Module) hoursOf(ctx context.Context, tdb *db.Tenant, owner string) (schedule.Hours, error) {
	clinic, err := clinicHours(ctx, tdb)
	if err != nil || owner == clinicOwner {
		return clinic, err
	}
	return hoursOfProvider(ctx, tdb, clinic, owner)
}

// clinicHours is the clinic's opening hours: saved, or the default.
func clinicHours(ctx context.Context, tdb *db.Tenant) (schedule.Hours, error) {
	s, err := scheduleOf(ctx, tdb, clinicOwner)
	if err != nil || s == nil {
		return schedule.Hours{Week: defaultWeek()}, err
	}
	return schedule.Hours{Week: s.Week.week(), Exceptions: s.Exceptions}, nil
}

// hoursOfProvider is a provider's working hours, given the clinic's (read
// once for any number of providers).
func hoursOfProvider(ctx context.Context, tdb *db.Tenant, clinic schedule.Hours, providerID string) (schedule.Hours, error) {
	s, err := scheduleOf(ctx, tdb, providerID)
	return s.hours(clinic), err
}

// hours is a provider's working hours as stored, given the clinic's: their
// own; or the clinic's week with their own exceptions (SameAsClinic); or,
// for s nil (nothing saved), the clinic's.
func (s *Schedule) hours(clinic schedule.Hours) schedule.Hours {
	switch {
	case s == nil:
		return clinic
	case s.SameAsClinic:
		return schedule.Hours{Week: clinic.Week, Exceptions: s.Exceptions}
	}
	return schedule.Hours{Week: s.Week.week(), Exceptions: s.Exceptions}
}

// openOn is when providerID may be booked on the local date y-mo-d: their
// working hours within the clinic's opening hours.
func (m *Module) openOn(ctx context.Context, tdb *db.Tenant, providerID string, y int, mo time.Month, d int, zone *time.Location) ([]schedule.Range, error) {
	clinic, own, err := m.bothHours(ctx, tdb, providerID)
	if err != nil {
		return nil, err
	}
	return openFrom(clinic, own, y, mo, d, zone), nil
}

// bothHours is the clinic's opening hours and the provider's working hours.
func (m *Module) bothHours(ctx context.Context, tdb *db.Tenant, providerID string) (clinic, own schedule.Hours, err error) {
	if clinic, err = clinicHours(ctx, tdb); err != nil {
		return clinic, own, err
	}
	own, err = hoursOfProvider(ctx, tdb, clinic, providerID)
	return clinic, own, err
}

// openFrom is the provider's hours within the clinic's on a local date.
func openFrom(clinic, own schedule.Hours, y int, mo time.Month, d int, zone *time.Location) []schedule.Range {
	return schedule.Intersect(clinic.On(y, mo, d, zone), own.On(y, mo, d, zone))
}

// outsideHours is "" when the appointment lies inside its provider's
// working hours and the clinic's opening hours, or else why not, for
// staff: "Dana Doctor does not work on Sundays", "the clinic is closed on
// 2026-12-25: Christmas", "outside working hours (09:00–17:00)".
func (m *Module) outsideHours(ctx context.Context, tdb *db.Tenant, a *Appointment, zone *time.Location) (string, error) {
	clinic, own, err := m.bothHours(ctx, tdb, a.ProviderID)
	if err != nil {
		return "", err
	}
	start := a.Start.In(zone)
	y, mo, d := start.Date()
	open := openFrom(clinic, own, y, mo, d, zone)
	end := a.End
	if end.IsZero() {
		end = a.Start.Add(time.Duration(a.Minutes) * time.Minute)
	}
	if schedule.Within(open, a.Start, end) {
		return "", nil
	}
	date, weekday := start.Format(time.DateOnly), start.Weekday().String()+"s"
	if day, ex := clinic.Day(y, mo, d); len(day) == 0 {
		if ex != nil {
			return "the clinic is closed on " + date + withNote(ex.Note), nil
		}
		return "the clinic is closed on " + weekday, nil
	}
	if day, ex := own.Day(y, mo, d); len(day) == 0 {
		name, err := providerName(ctx, tdb, a.ProviderID)
		if err != nil {
			return "", err
		}
		if ex != nil {
			return name + " does not work on " + date + withNote(ex.Note), nil
		}
		return name + " does not work on " + weekday, nil
	}
	if len(open) == 0 {
		return "outside working hours (the provider's hours and the clinic's opening hours do not meet on " + date + ")", nil
	}
	return "outside working hours (" + rangesLabel(open, zone) + ")", nil
}

// withNote is ": note", or nothing.
func withNote(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}

// rangesLabel is ranges on the clock of zone: "09:00–12:30, 13:30–17:00".
func rangesLabel(rs []schedule.Range, zone *time.Location) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		end := r.End.In(zone).Format("15:04")
		if end == "00:00" {
			end = "24:00"
		}
		parts[i] = r.Start.In(zone).Format("15:04") + "–" + end
	}
	return strings.Join(parts, ", ")
}

// providerName is the user's name, or "The provider".
func providerName(ctx context.Context, tdb *db.Tenant, id string) (string, error) {
	u, err := auth.UserByID(ctx, tdb, id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return "The provider", nil
	}
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// FreeSlot is a time a provider can be booked.
type FreeSlot struct {
	ProviderID string    `json:"providerId"`
	Start      time.Time `json:"start"`
}

// nextFree is up to max of the earliest free starts, from from on, of
// minutes with one of the providers: on five-minute steps, inside the
// provider's hours and the clinic's, overlapping none of the provider's
// appointments that hold their time (overbooked ones too), looking up to
// 60 days ahead; by time (then by the providers' order).
func (m *Module) nextFree(ctx context.Context, tdb *db.Tenant, providerIDs []string, minutes int, from time.Time, zone *time.Location, max int) ([]FreeSlot, error) {
	return m.freeBetween(ctx, tdb, providerIDs, minutes, from, time.Time{}, zone, max)
}

// freeBetween is nextFree with an end: no start at or after until is
// looked for (a zero until: the whole search, freeDays ahead), so a page
// showing one week reads that week only.
func (m *Module) freeBetween(ctx context.Context, tdb *db.Tenant, providerIDs []string, minutes int, from, until time.Time, zone *time.Location, max int) ([]FreeSlot, error) {
	if max <= 0 || minutes <= 0 || len(providerIDs) == 0 {
		return []FreeSlot{}, nil
	}
	clinic, err := clinicHours(ctx, tdb)
	if err != nil {
		return nil, err
	}
	own := make([]schedule.Hours, len(providerIDs))
	for i, p := range providerIDs {
		if own[i], err = hoursOfProvider(ctx, tdb, clinic, p); err != nil {
			return nil, err
		}
	}
	y, mo, d := from.In(zone).Date()
	out := []FreeSlot{}
	// A week at a time: the slots of an earlier week all come before those
	// of a later one, so the search stops after the week that fills max.
	for week := 0; week*7 < freeDays && len(out) < max; week++ {
		first := time.Date(y, mo, d+week*7, 0, 0, 0, 0, zone)
		if !until.IsZero() && !first.Before(until) {
			break
		}
		days := min(7, freeDays-week*7)
		last := time.Date(y, mo, d+week*7+days, 0, 0, 0, 0, zone)
		var found []FreeSlot
		for i, p := range providerIDs {
			busy, err := busyOf(ctx, tdb, p, first, last)
			if err != nil {
				return nil, err
			}
			for k := range days {
				open := openFrom(clinic, own[i], y, mo, d+week*7+k, zone)
				for _, t := range schedule.Free(open, busy, minutes, freeStep, from, max) {
					found = append(found, FreeSlot{ProviderID: p, Start: t.UTC()})
				}
			}
		}
		slices.SortStableFunc(found, func(a, b FreeSlot) int { return a.Start.Compare(b.Start) })
		out = append(out, found[:min(len(found), max-len(out))]...)
	}
	return out, nil
}

// longest is the longest an appointment lasts: one that started this long
// before a day may still hold part of it.
const longest = maxMinutes * time.Minute

// busyOf is the time of the provider's appointments that hold their time
// and overlap [from, to).
func busyOf(ctx context.Context, tdb *db.Tenant, providerID string, from, to time.Time) ([]schedule.Range, error) {
	var list []Appointment
	filter := db.And(db.Eq("providerId", providerID), db.Gt("start", from.Add(-longest).UTC()), db.Lt("start", to.UTC()))
	if err := tdb.Collection(kind.Collection).Find(ctx, filter, &list,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}, Limit: 5000, Fields: []string{"start", "end", "status", "completedAt"}}); err != nil {
		return nil, err
	}
	out := make([]schedule.Range, 0, len(list))
	for _, a := range list {
		if end := a.heldEnd(); holdsTime(a.Status) && end.After(from) && end.After(a.Start) {
			out = append(out, schedule.Range{Start: a.Start, End: end})
		}
	}
	return out, nil
}

// The pages of working hours and of free slots.
var (
	hoursPage     = web.NewPage("appointments/hours")
	hoursFormPage = web.NewPage("appointments/hours-form")
	freePage      = web.NewPage("appointments/hours-free")
)

// hoursRoutes are the routes of working hours and free slots. Who may
// change hours is checked in the handler: the clinic's needs
// settings:update, a provider's appointments:update.
func (m *Module) hoursRoutes(r *app.Routes) {
	read := app.Allow("appointments", "read")
	r.Clinic(http.MethodGet, "/appointments/hours", read, m.hoursList)
	r.Clinic(http.MethodGet, "/appointments/hours/:owner", read, m.hoursForm)
	r.Clinic(http.MethodPost, "/appointments/hours/:owner", read, m.hoursSubmit)
	r.Clinic(http.MethodGet, "/appointments/free", read, m.free)
	r.Clinic(http.MethodGet, "/api/appointments/free", read, m.free)
}

// weekOrder is the weekdays as the pages list them, Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// dayKey is a weekday's form field: "mon".
func dayKey(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// DayRow is one weekday of a page: its name, the form field, the hours as
// typed or as read.
type DayRow struct {
	Key, Name, Value, Label string
}

// HoursForm is the edit form of working hours as typed.
type HoursForm struct {
	Owner        string // "clinic" or the provider's id
	Name         string // "the clinic" or the provider's name
	Clinic       bool
	SameAsClinic bool
	Days         [7]string // by weekday, as typed: "09:00-12:30, 13:30-17:00"
	Exceptions   string    // one per line
	Version      int64     // the version the edit started from; 0: never saved
}

// Rows are the weekdays, Monday first, with what the form holds.
func (f HoursForm) Rows() []DayRow {
	out := make([]DayRow, len(weekOrder))
	for i, d := range weekOrder {
		out[i] = DayRow{Key: dayKey(d), Name: d.String(), Value: f.Days[d]}
	}
	return out
}

// hoursFormFrom reads the HTML form.
func hoursFormFrom(get func(string) string) HoursForm {
	f := HoursForm{SameAsClinic: get("sameAsClinic") == "1", Exceptions: strings.TrimSpace(get("exceptions"))}
	f.Version, _ = strconv.ParseInt(get("version"), 10, 64)
	for d := range f.Days {
		f.Days[d] = strings.TrimSpace(get(dayKey(time.Weekday(d))))
	}
	return f
}

// formOfSchedule is stored hours as the form shows them.
func formOfSchedule(s *Schedule) HoursForm {
	f := HoursForm{Owner: s.Owner, Clinic: s.Owner == clinicOwner, SameAsClinic: s.SameAsClinic, Version: s.Version}
	week := s.Week.week()
	for d := range f.Days {
		f.Days[d] = schedule.FormatDay(week[d])
	}
	lines := make([]string, len(s.Exceptions))
	for i, e := range s.Exceptions {
		lines[i] = e.String()
	}
	f.Exceptions = strings.Join(lines, "\n")
	return f
}

// maxExceptions is how many dates a schedule lists at most.
const maxExceptions = 400

// parse reads the form into s's hours; errs is by field, empty when the
// hours may be saved.
func (f HoursForm) parse(s *Schedule) map[string]string {
	errs := map[string]string{}
	s.SameAsClinic = f.SameAsClinic && !f.Clinic
	var week schedule.Week
	defer func() { s.Week = docOf(week) }()
	for d := range f.Days {
		day, err := schedule.ParseDay(f.Days[d])
		if err != nil {
			errs[dayKey(time.Weekday(d))] = sentence(err.Error())
		}
		if s.SameAsClinic {
			day = nil // the clinic's hours apply: nothing of one's own is kept
		}
		week[d] = day
	}
	s.Exceptions = []schedule.Exception{}
	var msgs []string
	seen := map[string]int{}
	for n, line := range strings.Split(f.Exceptions, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		e, err := schedule.ParseException(line)
		switch {
		case err != nil:
			msgs = append(msgs, "Line "+strconv.Itoa(n+1)+": "+err.Error())
		case seen[e.Date] > 0:
			msgs = append(msgs, "Line "+strconv.Itoa(n+1)+": "+e.Date+" is already on line "+strconv.Itoa(seen[e.Date])+"; give each date once")
		default:
			seen[e.Date] = n + 1
			e.Hours = nonNil(e.Hours)
			s.Exceptions = append(s.Exceptions, e)
		}
	}
	if len(s.Exceptions) > maxExceptions {
		msgs = append(msgs, "List at most "+strconv.Itoa(maxExceptions)+" dates; remove those long past")
	}
	if len(msgs) > 0 {
		if len(msgs) > 3 {
			msgs = append(msgs[:3], strconv.Itoa(len(msgs)-3)+" more lines need correcting")
		}
		errs["exceptions"] = strings.Join(msgs, ". ") + "."
	}
	slices.SortFunc(s.Exceptions, func(a, b schedule.Exception) int { return strings.Compare(a.Date, b.Date) })
	return errs
}

// sentence is msg with a capital and a full stop.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	if r := msg[0]; r >= 'a' && r <= 'z' {
		msg = string(r-'a'+'A') + msg[1:]
	}
	return msg + "."
}

// nonNil is day, or an empty list (stored as [] rather than null).
func nonNil(day []schedule.Interval) []schedule.Interval {
	if day == nil {
		return []schedule.Interval{}
	}
	return day
}

// hoursDiff lists what differs between two forms, with b's values.
func hoursDiff(a, b HoursForm) records.Changes {
	var c records.Changes
	if !a.Clinic {
		c.Add("same as the clinic", a.SameAsClinic != b.SameAsClinic, map[bool]string{true: "yes", false: "no"}[b.SameAsClinic])
	}
	for _, d := range weekOrder {
		if !b.SameAsClinic || b.Clinic {
			c.Add(d.String(), a.Days[d] != b.Days[d], b.Days[d])
		}
	}
	c.Add("exceptions", a.Exceptions != b.Exceptions, b.Exceptions)
	return c
}

// hoursView is what the hours pages show.
type hoursView struct {
	Form      HoursForm
	Clinic    []DayRow // the clinic's week, for reading
	Exception []schedule.Exception
	Providers []providerHours
	CanEdit   bool
	Unsaved   records.Changes
}

// providerHours is a provider's line on the hours page.
type providerHours struct {
	ID, Name     string
	Own          bool     // hours of their own, not the clinic's
	Days         []DayRow // their week, when their own
	DaysOff      int      // dates listed as exceptions, from today on
	CanEdit      bool
	SameAsClinic bool
}

// hoursList is the clinic's opening hours and each provider's working
// hours in short.
func (m *Module) hoursList(c *gin.Context) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	clinic, err := clinicHours(ctx, tdb)
	if err != nil {
		return err
	}
	today := m.S.Now().In(m.S.Zone(c)).Format(time.DateOnly)
	v := hoursView{Clinic: weekRows(clinic.Week), Exception: upcoming(clinic.Exceptions, today)}
	if v.CanEdit, err = m.mayEditHours(c, clinicOwner); err != nil {
		return err
	}
	providers, err := m.bookable(c)
	if err != nil {
		return err
	}
	mayEditProviders, err := m.mayEditHours(c, "provider")
	if err != nil {
		return err
	}
	var stored []Schedule
	if err := tdb.Collection(scheduleKind.Collection).Find(ctx, db.Filter{}, &stored, db.FindOptions{Limit: 2000}); err != nil {
		return err
	}
	byOwner := map[string]*Schedule{}
	for i := range stored {
		byOwner[stored[i].Owner] = &stored[i]
	}
	for _, p := range providers {
		row := providerHours{ID: p.ID, Name: p.Name, CanEdit: mayEditProviders, SameAsClinic: true}
		if s := byOwner[p.ID]; s != nil {
			row.Own, row.SameAsClinic = !s.SameAsClinic, s.SameAsClinic
			if row.Own {
				row.Days = weekRows(s.Week.week())
			}
			row.DaysOff = len(upcoming(s.Exceptions, today))
		}
		v.Providers = append(v.Providers, row)
	}
	audit.Shown(ctx, actionList) // hours of staff, no patient's record
	return m.S.Render.Page(c, http.StatusOK, hoursPage, web.Page{Title: "Working hours", Data: v})
}

// weekRows is a week for reading, Monday first.
func weekRows(w schedule.Week) []DayRow {
	out := make([]DayRow, len(weekOrder))
	for i, d := range weekOrder {
		out[i] = DayRow{Key: dayKey(d), Name: d.String(), Value: schedule.FormatDay(w[d]), Label: schedule.LabelDay(w[d])}
	}
	return out
}

// upcoming are the exceptions from the date today on.
func upcoming(es []schedule.Exception, today string) []schedule.Exception {
	var out []schedule.Exception
	for _, e := range es {
		if e.Date >= today {
			out = append(out, e)
		}
	}
	return out
}

// mayEditHours reports whether the signed-in user may change owner's hours:
// the clinic's need settings:update, a provider's appointments:update.
func (m *Module) mayEditHours(c *gin.Context, owner string) (bool, error) {
	if owner == clinicOwner {
		return m.S.Can(c, "settings", "update")
	}
	return m.S.Can(c, "appointments", "update")
}

// hoursStart loads the owner the URL names, with their stored hours (a
// never-saved one at version 0 with the defaults), after checking the
// signed-in user may change them.
func (m *Module) hoursStart(c *gin.Context) (*Schedule, HoursForm, error) {
	ctx, tdb, owner := c.Request.Context(), m.S.Clinic(c), c.Param("owner")
	name := "the clinic"
	if owner != clinicOwner {
		ok, err := m.isProvider(c, owner)
		if err != nil {
			return nil, HoursForm{}, err
		}
		if !ok {
			return nil, HoursForm{}, web.NotFound("There is no such provider in this clinic.")
		}
		if name, err = providerName(ctx, tdb, owner); err != nil {
			return nil, HoursForm{}, err
		}
	}
	if ok, err := m.mayEditHours(c, owner); err != nil {
		return nil, HoursForm{}, err
	} else if !ok && owner == clinicOwner {
		return nil, HoursForm{}, web.Forbidden("Your role may not change the clinic's opening hours (it needs the permission to change the settings).")
	} else if !ok {
		return nil, HoursForm{}, web.Forbidden("Your role may not change working hours.")
	}
	s, err := scheduleOf(ctx, tdb, owner)
	if err != nil {
		return nil, HoursForm{}, err
	}
	if s == nil {
		s = &Schedule{Owner: owner, SameAsClinic: owner != clinicOwner, Exceptions: []schedule.Exception{}}
		if owner == clinicOwner {
			s.Week = docOf(defaultWeek())
		} else {
			week, err := m.clinicWeek(ctx, tdb)
			if err != nil {
				return nil, HoursForm{}, err
			}
			s.Week = docOf(week)
		}
	}
	f := formOfSchedule(s)
	f.Name = name
	return s, f, nil
}

// clinicWeek is the clinic's weekly hours: what a provider's form starts
// from.
func (m *Module) clinicWeek(ctx context.Context, tdb *db.Tenant) (schedule.Week, error) {
	h, err := clinicHours(ctx, tdb)
	return h.Week, err
}

// hoursForm is the edit form of the clinic's or a provider's hours.
func (m *Module) hoursForm(c *gin.Context) error {
	s, f, err := m.hoursStart(c)
	if err != nil {
		return err
	}
	if s.SameAsClinic {
		// Show the clinic's week, greyed as what applies.
		week, err := m.clinicWeek(c.Request.Context(), m.S.Clinic(c))
		if err != nil {
			return err
		}
		for d := range f.Days {
			f.Days[d] = schedule.FormatDay(week[d])
		}
	}
	audit.Shown(c.Request.Context(), actionList)
	return m.renderHoursForm(c, http.StatusOK, hoursView{Form: f}, nil)
}

func (m *Module) renderHoursForm(c *gin.Context, status int, v hoursView, errs map[string]string) error {
	title := "Opening hours"
	if !v.Form.Clinic {
		title = "Working hours of " + v.Form.Name
	}
	return m.S.Render.Page(c, status, hoursFormPage, web.Page{Title: title, Data: v, Errors: errs})
}

const hoursConflict = "Someone else saved these hours while you were editing them, so your changes were not saved. The form shows the latest version; what you typed is listed below it."

// hoursSubmit saves the hours from the version the form started at. A
// stale version is a conflict: nothing is overwritten and the form comes
// back with the latest hours and what was typed.
func (m *Module) hoursSubmit(c *gin.Context) error {
	s, was, err := m.hoursStart(c)
	if err != nil {
		return err
	}
	typed := hoursFormFrom(c.PostForm)
	typed.Owner, typed.Name, typed.Clinic = was.Owner, was.Name, was.Clinic
	if errs := typed.parse(&Schedule{}); len(errs) > 0 {
		return m.renderHoursForm(c, http.StatusUnprocessableEntity, hoursView{Form: typed}, errs)
	}
	err = m.saveHours(c, s, was, typed)
	if errors.Is(err, records.ErrConflict) {
		return m.hoursConflict(c, typed)
	}
	if err != nil {
		return err
	}
	web.Flash(c, "Working hours saved.")
	web.Redirect(c, "/appointments/hours")
	return nil
}

// saveHours stores typed as the next version of s (version 1 of hours never
// saved), with an audit entry naming what changed. A form that started
// from another version than s's is a conflict.
func (m *Module) saveHours(c *gin.Context, s *Schedule, was, typed HoursForm) error {
	if typed.Version != s.Version {
		return records.ErrConflict
	}
	ctx, by, now := c.Request.Context(), m.S.User(c).ID, m.S.Now()
	typed.parse(s)
	changed := hoursDiff(was, formOfSchedule(s)).Names()
	if len(changed) == 0 {
		return nil
	}
	store := records.For[Schedule](m.S.Clinic(c), scheduleKind)
	var err error
	if s.Version == 0 {
		err = store.Create(ctx, s, by, now)
		if db.IsDuplicate(err) {
			err = records.ErrConflict // saved first by someone else
		}
	} else {
		err = store.Save(ctx, s, typed.Version, changed, by, now)
	}
	if err != nil {
		return err
	}
	label := "the clinic"
	if !typed.Clinic {
		label = typed.Name
	}
	return audit.For(c).Record(actionSchedule, "schedule:"+s.Owner, audit.Note("changed "+strings.Join(changed, ", ")), audit.Label(label))
}

// hoursConflict answers a save that lost to another: the latest hours,
// and what this person typed that differs from the version they opened.
func (m *Module) hoursConflict(c *gin.Context, typed HoursForm) error {
	s, latest, err := m.hoursStart(c)
	if err != nil {
		return err
	}
	opened := HoursForm{Clinic: latest.Clinic}
	if typed.Version > 0 {
		rev, err := records.For[Schedule](m.S.Clinic(c), scheduleKind).Revision(c.Request.Context(), s.ID, typed.Version)
		switch {
		case errors.Is(err, records.ErrNotFound):
			opened = latest // a version that never was: against the latest
		case err != nil:
			return err
		default:
			opened = formOfSchedule(rev)
		}
	}
	var clean Schedule
	typed.parse(&clean)
	clean.Owner = latest.Owner
	unsaved := hoursDiff(opened, formOfSchedule(&clean))
	return m.renderHoursForm(c, http.StatusConflict, hoursView{Form: latest, Unsaved: unsaved}, map[string]string{"form": hoursConflict})
}

// freeView is what the page of free slots shows.
type freeView struct {
	ProviderID, Minutes, ServiceID, ServiceName, From string
	Providers                                         []Provider
	Days                                              []freeDay
	Searched                                          bool
}

// freeDay is a day's free slots on the page.
type freeDay struct {
	Date    time.Time // the first slot's start
	Weekday string
	Slots   []freeRow
}

// freeRow is one free slot on the page, with the link that books it.
type freeRow struct {
	FreeSlot
	Provider string
	Book     string
}

// Limits of the search for free slots.
const (
	freeShown   = 20 // slots on the page
	freeMaxAPI  = 100
	freeDefault = 15 // minutes, without a service or a length
)

// free is the next free slots of a provider (or of any provider) for an
// appointment of the minutes given (or the service's), from a date on:
// a page whose slots link to the booking form, and its API twin
// (data.slots).
func (m *Module) free(c *gin.Context) error {
	ctx, tdb, zone := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	v := freeView{ProviderID: c.Query("providerId"), Minutes: strings.TrimSpace(c.Query("minutes")),
		ServiceID: c.Query("serviceId"), From: strings.TrimSpace(c.Query("from"))}
	providers, err := m.bookable(c)
	if err != nil {
		return err
	}
	v.Providers = providers
	q, errs, err := m.freeQuery(c, &v)
	if err != nil {
		return err
	}
	if err := web.Check(errs); err != nil {
		if web.IsAPI(c) {
			return err
		}
		audit.Shown(ctx, actionList)
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, freePage, web.Page{Title: "Free slots", Data: v, Errors: errs})
	}
	slots, err := m.nextFree(ctx, tdb, q.providers, q.minutes, q.from, zone, q.max)
	if err != nil {
		return err
	}
	audit.Shown(ctx, actionList) // free time: no appointment, no patient shown
	if web.IsAPI(c) {
		web.OK(c, http.StatusOK, gin.H{"slots": slots, "minutes": q.minutes})
		return nil
	}
	names := map[string]string{}
	for _, p := range providers {
		names[p.ID] = p.Name
	}
	v.Searched = true
	day := ""
	for _, s := range slots {
		book := url.Values{"providerId": {s.ProviderID}, "start": {s.Start.In(zone).Format(time.RFC3339)}, "minutes": {strconv.Itoa(q.minutes)}}
		if v.ServiceID != "" {
			book.Set("serviceId", v.ServiceID)
		}
		local := s.Start.In(zone)
		if d := local.Format(time.DateOnly); d != day {
			v.Days, day = append(v.Days, freeDay{Date: s.Start, Weekday: local.Weekday().String()}), d
		}
		last := &v.Days[len(v.Days)-1]
		last.Slots = append(last.Slots, freeRow{FreeSlot: s, Provider: names[s.ProviderID], Book: "/appointments/new?" + book.Encode()})
	}
	return m.S.Render.Page(c, http.StatusOK, freePage, web.Page{Title: "Free slots", Data: v})
}

// freeSearch is a checked search for free slots.
type freeSearch struct {
	providers []string
	minutes   int
	from      time.Time
	max       int
}

// freeQuery reads the search: the provider (empty: any), the length (the
// minutes given, or the service's rounded up to five minutes), the date
// to search from (today when empty; never before now) and, for the API,
// how many slots (max, 1 to 100; 10 when not given).
func (m *Module) freeQuery(c *gin.Context, v *freeView) (freeSearch, map[string]string, error) {
	ctx, tdb, zone, now := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c), m.S.Now()
	errs := map[string]string{}
	q := freeSearch{max: freeShown, minutes: freeDefault, from: now}
	if v.ProviderID == "" {
		for _, p := range v.Providers {
			q.providers = append(q.providers, p.ID)
		}
	} else if ok, err := m.isProvider(c, v.ProviderID); err != nil {
		return q, nil, err
	} else if !ok {
		errs["providerId"] = "Choose a provider: an active staff member who sees patients."
	} else {
		q.providers = []string{v.ProviderID}
	}
	if v.ServiceID != "" {
		ss, err := servicesIn(ctx, tdb, []string{v.ServiceID})
		if err != nil {
			return q, nil, err
		}
		switch svc, ok := ss[v.ServiceID]; {
		case !ok || !svc.Active:
			errs["serviceId"] = "Choose one of the clinic's services."
		default:
			v.ServiceName = svc.Name
			if v.Minutes == "" {
				q.minutes = svc.span()
				v.Minutes = strconv.Itoa(q.minutes)
			}
		}
	}
	if v.Minutes != "" {
		n, err := strconv.Atoi(v.Minutes)
		if msg := lengthProblem(n, err); msg != "" {
			errs["minutes"] = msg
		} else {
			q.minutes = n
		}
	}
	v.Minutes = strconv.Itoa(q.minutes)
	if v.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, v.From, zone)
		if err != nil {
			errs["from"] = "Give the day as YYYY-MM-DD, for example 2026-03-14."
		} else if d.After(now) {
			q.from = d
		}
	}
	if web.IsAPI(c) {
		q.max = 10
		if s := c.Query("max"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > freeMaxAPI {
				errs["max"] = "Ask for 1 to 100 slots."
			}
			q.max = n
		}
	}
	return q, errs, nil
}
