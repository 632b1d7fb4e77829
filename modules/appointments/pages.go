package appointments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/appointments/schedule"
)

var (
	apptDayPage   = web.NewPage("appointments/day")
	apptWeekPage  = web.NewPage("appointments/week")
	apptQueuePage = web.NewPage("appointments/queue")
	apptFormPage  = web.NewPage("appointments/form")
	apptShowPage  = web.NewPage("appointments/show")
)

// The blocks of the pages htmx asks for alone.
const (
	calendarTarget = "calendar"
	queueTarget    = "queue"
)

// pageRoutes declares the staff pages: the day calendar, a provider's
// week, the front desk's queue, the booking form and an appointment's
// page with its moves.
func (m *Module) pageRoutes(r *app.Routes) {
	read, create, update := app.Allow("appointments", "read"), app.Allow("appointments", "create"), app.Allow("appointments", "update")
	r.Clinic(http.MethodGet, "/appointments", read, m.dayView)
	r.Clinic(http.MethodGet, "/appointments/week", read, m.weekView)
	r.Clinic(http.MethodGet, "/appointments/queue", read, m.queueView)
	r.Clinic(http.MethodGet, "/appointments/new", create, m.bookingForm)
	r.Clinic(http.MethodPost, "/appointments", create, m.submitBooking)
	r.Clinic(http.MethodGet, "/appointments/:id", read, m.appointmentPage)
	r.Clinic(http.MethodPost, "/appointments/:id/status", read, m.statusPage) // update, or provide for one's own: checked in the handler
	r.Clinic(http.MethodPost, "/appointments/:id/reschedule", update, m.reschedulePage)
}

// ---- shared reads ----

// patientRow is a patient as the pages name them.
type patientRow struct {
	ID        string `bson:"_id"`
	Number    int    `bson:"number"`
	FirstName string `bson:"firstName"`
	LastName  string `bson:"lastName"`
}

// Name is "Last, First", or "Patient" for a record without a name.
func (p patientRow) Name() string {
	switch {
	case p.LastName != "" && p.FirstName != "":
		return p.LastName + ", " + p.FirstName
	case p.LastName+p.FirstName != "":
		return p.LastName + p.FirstName
	}
	return "Patient"
}

// NumberLabel is the patient number as the clinic writes it: "P-000012".
func (p patientRow) NumberLabel() string { return patientNumber(int64(p.Number)) }

// patientNumber writes a patient number as the patients module does
// ("P-000012"); none for 0.
func patientNumber(n int64) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("P-%06d", n)
}

// Label is the name and number.
func (p patientRow) Label() string {
	if n := p.NumberLabel(); n != "" {
		return p.Name() + " · " + n
	}
	return p.Name()
}

// showPatients reports the patients a page names (the patients module's
// list view, so "who saw this patient?" finds the page too).
func (m *Module) showPatients(ctx context.Context, refs ...audit.Ref) {
	if len(refs) > 0 && m.S.Actions().Has(patientList) {
		audit.Shown(ctx, patientList, refs...)
	}
}

// patientList is the patients module's audit action for a page that
// names patients.
const patientList = "patient.list"

// patientsIn reads the named patients in one query.
func patientsIn(ctx context.Context, tdb *db.Tenant, ids []string) (map[string]patientRow, error) {
	return byID(ctx, tdb, "patients", ids, func(p patientRow) string { return p.ID })
}

// byID reads the named documents of a collection in one query, by id.
func byID[T any](ctx context.Context, tdb *db.Tenant, collection string, ids []string, id func(T) string) (map[string]T, error) {
	out := map[string]T{}
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	var list []T
	if err := tdb.Collection(collection).Find(ctx, db.In(db.IDField, ids), &list, db.FindOptions{Limit: int64(len(ids))}); err != nil {
		return nil, err
	}
	for _, d := range list {
		out[id(d)] = d
	}
	return out, nil
}

// serviceRow is a service as the booking pages use it.
type serviceRow struct {
	ID      string `bson:"_id"`
	Name    string `bson:"name"`
	Minutes int    `bson:"minutes"`
	Active  bool   `bson:"active"`
}

// servicesIn reads the named services in one query.
func servicesIn(ctx context.Context, tdb *db.Tenant, ids []string) (map[string]serviceRow, error) {
	return byID(ctx, tdb, "services", ids, func(s serviceRow) string { return s.ID })
}

// bookableServices are the services one may book, by name.
func bookableServices(ctx context.Context, tdb *db.Tenant) ([]serviceRow, error) {
	var list []serviceRow
	err := tdb.Collection("services").Find(ctx, db.Eq("active", true), &list,
		db.FindOptions{Sort: []db.Order{db.Asc("nameKey")}, Limit: 500})
	return list, err
}

// uniqueIDs is ids without blanks and repeats.
func uniqueIDs(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// blocksFor are the appointments as blocks, named by one query of the
// patients and one of the services.
func blocksFor(ctx context.Context, tdb *db.Tenant, list []*Appointment) ([]CalBlock, error) {
	var pids, sids []string
	for _, a := range list {
		pids, sids = append(pids, a.PatientID), append(sids, a.ServiceID)
	}
	ps, err := patientsIn(ctx, tdb, pids)
	if err != nil {
		return nil, err
	}
	ss, err := servicesIn(ctx, tdb, sids)
	if err != nil {
		return nil, err
	}
	out := make([]CalBlock, len(list))
	for i, a := range list {
		b := CalBlock{ID: a.ID, Status: a.Status, Reason: a.Reason, Start: a.Start, End: a.End, Minutes: a.Minutes,
			Overbooked: a.Overbooked, Service: ss[a.ServiceID].Name}
		if p, ok := ps[a.PatientID]; ok {
			b.Patient, b.Number = p.Name(), p.NumberLabel()
		} else if a.Requester != nil {
			b.Patient = a.Requester.Name
		}
		out[i] = b
	}
	return out, nil
}

// refsFor are the appointments a page showed, for the audit log.
func refsFor(list []*Appointment) []audit.Ref {
	refs := make([]audit.Ref, len(list))
	for i, a := range list {
		refs[i] = audit.Ref{ID: a.ID}
	}
	return refs
}

// startingBetween is the clinic's appointments starting in [from, to), by start,
// without the cancelled ones; providerID narrows them.
func startingBetween(ctx context.Context, tdb *db.Tenant, from, to time.Time, providerID string) ([]*Appointment, error) {
	filter := db.And(db.Gte("start", from.UTC()), db.Lt("start", to.UTC()))
	if providerID != "" {
		filter = db.And(db.Eq("providerId", providerID), filter)
	}
	var list []Appointment
	if err := tdb.Collection(kind.Collection).Find(ctx, filter, &list,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}, Limit: 5000}); err != nil {
		return nil, err
	}
	out := make([]*Appointment, 0, len(list))
	for i := range list {
		if list[i].Status != StatusCancelled {
			out = append(out, &list[i])
		}
	}
	return out, nil
}

// dayParam reads ?date=YYYY-MM-DD (today on the clinic's clock when absent)
// as the local midnight it starts at.
func (m *Module) dayParam(c *gin.Context, zone *time.Location) (time.Time, error) {
	today := m.S.Now().In(zone)
	if d := c.Query("date"); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return time.Time{}, web.BadRequest("Give the day as YYYY-MM-DD, for example 2026-03-14.")
		}
		today = t
	}
	return time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, zone), nil
}

// openByProvider is each provider's working hours on the local date
// y-mo-d within the clinic's opening hours: the clinic's hours read once
// and every provider's in one query (then Schedule.hours, as hoursOf).
func (m *Module) openByProvider(ctx context.Context, tdb *db.Tenant, ids []string, y int, mo time.Month, d int, zone *time.Location) (map[string][]schedule.Range, error) {
	clinic, err := clinicHours(ctx, tdb)
	if err != nil {
		return nil, err
	}
	out := map[string][]schedule.Range{}
	if len(ids) == 0 {
		return out, nil
	}
	var saved []Schedule
	if err := tdb.Collection(scheduleKind.Collection).Find(ctx, db.In("owner", ids), &saved, db.FindOptions{Limit: int64(len(ids))}); err != nil {
		return nil, err
	}
	own := map[string]*Schedule{}
	for i := range saved {
		own[saved[i].Owner] = &saved[i]
	}
	for _, id := range ids {
		out[id] = openFrom(clinic, own[id].hours(clinic), y, mo, d, zone)
	}
	return out, nil
}

// ---- the day calendar ----

// calDay is the day calendar.
type calDay struct {
	Date       time.Time // local midnight
	Prev, Next string    // YYYY-MM-DD
	Today      string
	IsToday    bool
	Providers  []Provider
	ProviderID string // one provider shown (a phone), or all
	Rows       int
	Lines      []CalLine
	Columns    []CalColumn
	Requested  []CalBlock // online requests of the day, awaiting confirmation
	MayBook    bool
}

// DateISO is the day as YYYY-MM-DD.
func (d calDay) DateISO() string { return d.Date.Format(time.DateOnly) }

// dayView is the day calendar: a column per provider, each appointment a
// block on the five-minute grid, time outside working hours shaded, free
// time a link to the booking form.
func (m *Module) dayView(c *gin.Context) error {
	ctx, tdb, zone := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	day, err := m.dayParam(c, zone)
	if err != nil {
		return err
	}
	providers, err := m.bookable(c)
	if err != nil {
		return err
	}
	v := calDay{Date: day, Providers: providers, ProviderID: c.Query("providerId")}
	v.Prev, v.Next = day.AddDate(0, 0, -1).Format(time.DateOnly), time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, zone).Format(time.DateOnly)
	v.Today = m.S.Now().In(zone).Format(time.DateOnly)
	v.IsToday = v.Today == v.DateISO()
	if v.MayBook, err = m.S.Can(c, "appointments", "create"); err != nil {
		return err
	}
	shownProviders := providers
	if i := slices.IndexFunc(providers, func(p Provider) bool { return p.ID == v.ProviderID }); i >= 0 {
		shownProviders = providers[i : i+1]
	} else {
		v.ProviderID = ""
	}
	y, mo, d := day.Date()
	list, err := startingBetween(ctx, tdb, day, time.Date(y, mo, d+1, 0, 0, 0, 0, zone), "")
	if err != nil {
		return err
	}
	ids := make([]string, len(shownProviders))
	for i, p := range shownProviders {
		ids[i] = p.ID
	}
	open, err := m.openByProvider(ctx, tdb, ids, y, mo, d, zone)
	if err != nil {
		return err
	}
	blocks, err := blocksFor(ctx, tdb, list)
	if err != nil {
		return err
	}
	var drawn, shown []*Appointment
	byProvider := map[string][]CalBlock{}
	for i, a := range list {
		inColumn, requested := slices.Contains(ids, a.ProviderID), a.Status == StatusRequested
		if inColumn {
			drawn = append(drawn, a)
			byProvider[a.ProviderID] = append(byProvider[a.ProviderID], blocks[i])
		}
		if requested {
			v.Requested = append(v.Requested, blocks[i])
		}
		if inColumn || requested {
			shown = append(shown, a)
		}
	}
	var opens [][]schedule.Range
	for _, id := range ids {
		opens = append(opens, open[id])
	}
	w := gridWindow(zone, opens, drawn)
	v.Rows, v.Lines = w.Rows(), gridLines(w, y, mo, d, zone)
	for _, p := range shownProviders {
		bs := byProvider[p.ID]
		layBlocks(bs, w, zone)
		v.Columns = append(v.Columns, CalColumn{ID: p.ID, Heading: p.Name, Href: "/appointments/week?providerId=" + p.ID + "&date=" + v.DateISO(),
			Blocks: bs, Cells: gridCells(w, y, mo, d, zone, open[p.ID], p.ID)})
	}
	audit.Shown(ctx, actionList, refsFor(shown)...)
	page := web.Page{Title: "Calendar · " + day.Format("Mon 2 Jan 2006"), Data: v}
	if htmx.WantsFragment(c.Request) && htmx.Target(c.Request) == calendarTarget {
		return m.S.Render.Fragment(c, http.StatusOK, apptDayPage, calendarTarget, page)
	}
	return m.S.Render.Page(c, http.StatusOK, apptDayPage, page)
}

// ---- a provider's week ----

// calWeek is one provider's week.
type calWeek struct {
	Monday     time.Time
	Prev, Next string
	Today      string
	Providers  []Provider
	Provider   Provider
	Rows       int
	Lines      []CalLine
	Columns    []CalColumn
	MayBook    bool
}

// weekView is one provider's week, Monday to Sunday, a column per day.
func (m *Module) weekView(c *gin.Context) error {
	ctx, tdb, zone := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	day, err := m.dayParam(c, zone)
	if err != nil {
		return err
	}
	providers, err := m.bookable(c)
	if err != nil {
		return err
	}
	v := calWeek{Providers: providers, Today: m.S.Now().In(zone).Format(time.DateOnly)}
	if v.MayBook, err = m.S.Can(c, "appointments", "create"); err != nil {
		return err
	}
	want := c.Query("providerId")
	if want == "" && m.S.User(c) != nil {
		want = m.S.User(c).ID
	}
	if i := slices.IndexFunc(providers, func(p Provider) bool { return p.ID == want }); i >= 0 {
		v.Provider = providers[i]
	} else if len(providers) > 0 {
		v.Provider = providers[0]
	}
	y, mo, d := day.Date()
	d -= (int(day.Weekday()) + 6) % 7 // back to Monday
	v.Monday = time.Date(y, mo, d, 0, 0, 0, 0, zone)
	v.Prev, v.Next = time.Date(y, mo, d-7, 0, 0, 0, 0, zone).Format(time.DateOnly), time.Date(y, mo, d+7, 0, 0, 0, 0, zone).Format(time.DateOnly)
	var list []*Appointment
	opens := make([][]schedule.Range, 7)
	if v.Provider.ID != "" {
		if list, err = startingBetween(ctx, tdb, v.Monday, time.Date(y, mo, d+7, 0, 0, 0, 0, zone), v.Provider.ID); err != nil {
			return err
		}
		clinic, own, err := m.bothHours(ctx, tdb, v.Provider.ID)
		if err != nil {
			return err
		}
		for i := range opens {
			opens[i] = openFrom(clinic, own, y, mo, d+i, zone)
		}
	}
	blocks, err := blocksFor(ctx, tdb, list)
	if err != nil {
		return err
	}
	w := gridWindow(zone, opens, list)
	v.Rows, v.Lines = w.Rows(), gridLines(w, y, mo, d, zone)
	for i := range opens {
		date := time.Date(y, mo, d+i, 0, 0, 0, 0, zone)
		var bs []CalBlock
		for j, a := range list {
			if a.Start.In(zone).Format(time.DateOnly) == date.Format(time.DateOnly) {
				bs = append(bs, blocks[j])
			}
		}
		layBlocks(bs, w, zone)
		dy, dm, dd := date.Date()
		v.Columns = append(v.Columns, CalColumn{ID: date.Format(time.DateOnly), Heading: date.Format("Mon 2 Jan"),
			Href: "/appointments?date=" + date.Format(time.DateOnly), Blocks: bs, Cells: gridCells(w, dy, dm, dd, zone, opens[i], v.Provider.ID)})
	}
	audit.Shown(ctx, actionList, refsFor(list)...)
	page := web.Page{Title: "Week of " + v.Provider.Name, Data: v}
	if htmx.WantsFragment(c.Request) && htmx.Target(c.Request) == calendarTarget {
		return m.S.Render.Fragment(c, http.StatusOK, apptWeekPage, calendarTarget, page)
	}
	return m.S.Render.Page(c, http.StatusOK, apptWeekPage, page)
}

// ---- the front desk's queue ----

// queueRow is one appointment of today's queue.
type queueRow struct {
	CalBlock
	Version   int64
	Provider  string
	ArrivedAt time.Time
	Waiting   int // minutes since arrival (arrived) or since the start (late)
	Late      bool
	MayArrive bool // the buttons the signed-in person may press
	MayStart  bool
	MayFinish bool
	MayNoShow bool
}

// queueState is today's queue.
type queueState struct {
	Now                          time.Time
	Arrived, InConsultation, Due []queueRow
	Done                         int
	Message                      string // after a button: what it did
}

// queueView is today's queue at the front desk: who has arrived (and how
// long they have waited), who is in consultation, who is still expected.
func (m *Module) queueView(c *gin.Context) error {
	v, list, err := m.loadQueue(c)
	if err != nil {
		return err
	}
	audit.Shown(c.Request.Context(), actionList, refsFor(list)...)
	return m.renderQueue(c, v, "")
}

// renderQueue renders the queue page, or only the queue for htmx.
func (m *Module) renderQueue(c *gin.Context, v queueState, flash string) error {
	v.Message = flash
	page := web.Page{Title: "Today's queue", Data: v}
	if htmx.WantsFragment(c.Request) && htmx.Target(c.Request) == queueTarget {
		return m.S.Render.Fragment(c, http.StatusOK, apptQueuePage, queueTarget, page)
	}
	return m.S.Render.Page(c, http.StatusOK, apptQueuePage, page)
}

// loadQueue reads today's appointments into the queue.
func (m *Module) loadQueue(c *gin.Context) (queueState, []*Appointment, error) {
	ctx, tdb, zone, now := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c), m.S.Now()
	l := now.In(zone)
	from := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
	list, err := startingBetween(ctx, tdb, from, time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, zone), "")
	if err != nil {
		return queueState{}, nil, err
	}
	blocks, err := blocksFor(ctx, tdb, list)
	if err != nil {
		return queueState{}, nil, err
	}
	providers, err := m.bookable(c)
	if err != nil {
		return queueState{}, nil, err
	}
	names := map[string]string{}
	for _, p := range providers {
		names[p.ID] = p.Name
	}
	rights, err := m.moveRights(c)
	if err != nil {
		return queueState{}, nil, err
	}
	v := queueState{Now: now}
	var shown []*Appointment
	for i, a := range list {
		e := queueRow{CalBlock: blocks[i], Version: a.Version, Provider: names[a.ProviderID]}
		e.MayArrive, e.MayStart, e.MayFinish = rights.now(a, StatusArrived), rights.now(a, StatusInConsultation), rights.now(a, StatusCompleted)
		e.MayNoShow = rights.now(a, StatusNoShow)
		switch a.Status {
		case StatusArrived:
			if a.ArrivedAt != nil {
				e.ArrivedAt = *a.ArrivedAt
				e.Waiting = int(now.Sub(*a.ArrivedAt) / time.Minute)
			}
			v.Arrived = append(v.Arrived, e)
		case StatusInConsultation:
			v.InConsultation = append(v.InConsultation, e)
		case StatusBooked:
			if e.Late = a.Start.Before(now); e.Late {
				e.Waiting = int(now.Sub(a.Start) / time.Minute)
			}
			v.Due = append(v.Due, e)
		case StatusCompleted, StatusNoShow:
			v.Done++
			continue
		default:
			continue
		}
		shown = append(shown, a)
	}
	slices.SortStableFunc(v.Arrived, func(a, b queueRow) int { return a.ArrivedAt.Compare(b.ArrivedAt) })
	return v, shown, nil
}

// now reports whether the person may move a to status now (the move is
// allowed from its status, and to them).
func (r moveRights) now(a *Appointment, status string) bool {
	return allowed(a.Status, status) && r.may(a, status) == nil
}

// ---- the booking form ----

// bookingView is the booking form.
type bookingView struct {
	Form        BookingForm
	Providers   []Provider
	Services    []serviceRow
	MayOverbook bool
	// After a refused booking: the appointments in the way, or why the time
	// is outside working hours.
	Conflicts []takenLine
	Outside   []string
}

// takenLine is an appointment of a booking whose time is taken, and
// the one in the way.
type takenLine struct {
	Wanted   time.Time
	Blocker  string // its id, "" when it let go meanwhile
	At       time.Time
	Minutes  int
	Provider string
	Patient  string
}

// bookingForm is the booking form, prefilled from the calendar
// (?providerId=&start=) or blank for today.
func (m *Module) bookingForm(c *gin.Context) error {
	zone := m.S.Zone(c)
	start := m.S.Now().In(zone)
	if s := c.Query("start"); s != "" {
		if t, err := time.ParseInLocation("2006-01-02T15:04", s, zone); err == nil {
			start = t
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			start = t
		}
	}
	f := prefilled(c.Query("providerId"), start, zone)
	if c.Query("start") == "" {
		f.Time = ""
	}
	f.PatientID, f.ServiceID = c.Query("patientId"), c.Query("serviceId")
	if n, err := strconv.Atoi(c.Query("minutes")); err == nil && n > 0 {
		f.Minutes = strconv.Itoa(n) // from a free slot: the length it was found for
	}
	return m.renderBooking(c, http.StatusOK, f, nil, nil)
}

// renderBooking renders the booking form with its choices.
func (m *Module) renderBooking(c *gin.Context, status int, f BookingForm, errs map[string]string, more func(*bookingView)) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	v := bookingView{Form: f}
	var err error
	if v.Providers, err = m.bookable(c); err != nil {
		return err
	}
	if v.Services, err = bookableServices(ctx, tdb); err != nil {
		return err
	}
	if v.MayOverbook, err = m.S.Can(c, "appointments", "overbook"); err != nil {
		return err
	}
	if f.PatientID != "" {
		ps, err := patientsIn(ctx, tdb, []string{f.PatientID})
		if err != nil {
			return err
		}
		if p, ok := ps[f.PatientID]; ok {
			v.Form.PatientLabel = p.Label()
		}
	}
	if more != nil {
		more(&v)
	}
	audit.Shown(ctx, actionView) // a blank form: no appointment yet
	if f.PatientID != "" && v.Form.PatientLabel != "" {
		m.showPatients(ctx, audit.Ref{ID: f.PatientID, Label: v.Form.PatientLabel})
	}
	return m.S.Render.Page(c, status, apptFormPage, web.Page{Title: "Book an appointment", Data: v, Errors: errs})
}

// typedNumber reads a typed patient number: "P-000012", "p12", "12".
var typedNumber = regexp.MustCompile(`^(?i)(?:p-?)?0*(\d{1,12})$`)

// submitBooking books from the form: one appointment, or a series all or
// nothing. A time taken comes back naming what is in the way (with a
// deliberate "Book anyway" for who may overbook); a time outside working
// hours comes back with a warning and books only when confirmed.
func (m *Module) submitBooking(c *gin.Context) error {
	ctx, tdb, zone := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	f := BookingFormFrom(c.PostForm)
	if f.PatientID == "" {
		if id, err := numberedPatient(ctx, tdb, f.PatientLabel); err != nil {
			return err
		} else if id != "" {
			f.PatientID = id
		}
	}
	svcMinutes := 0
	errs := map[string]string{}
	if f.ServiceID != "" {
		ss, err := servicesIn(ctx, tdb, []string{f.ServiceID})
		if err != nil {
			return err
		}
		if s, ok := ss[f.ServiceID]; ok && s.Active {
			svcMinutes = s.Minutes
		} else {
			errs["serviceId"] = "Choose one of the clinic's services."
		}
	}
	b, msgs := f.Parse(zone, svcMinutes)
	for k, v := range msgs {
		errs[k] = v
	}
	if err := m.checkParties(c, b, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return m.renderBooking(c, http.StatusUnprocessableEntity, f, errs, nil)
	}
	if f.Overbook {
		if err := m.mayOverbook(c); err != nil {
			return err
		}
	}
	series := make([]*Appointment, 0, b.Times)
	for _, start := range b.Starts() {
		series = append(series, &Appointment{Meta: records.Meta{ID: db.NewID()}, PatientID: b.PatientID, ProviderID: b.ProviderID,
			ServiceID: b.ServiceID, RoomID: b.Room, Reason: b.Reason, Status: StatusBooked,
			Span: Span{Start: start, Minutes: b.Minutes, End: start.Add(time.Duration(b.Minutes) * time.Minute)}})
	}
	if !f.Confirm {
		var outside []string
		for _, a := range series {
			why, err := m.outsideHours(ctx, tdb, a, zone)
			if err != nil {
				return err
			}
			if why != "" {
				outside = append(outside, a.Start.In(zone).Format("Mon 2 Jan 2006 15:04")+": "+why)
			}
		}
		if len(outside) > 0 {
			return m.renderBooking(c, http.StatusOK, f, nil, func(v *bookingView) { v.Outside = outside })
		}
	}
	taken, err := m.bookSeries(c, series, f.Overbook)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		lines, err := m.inTheWayLines(c, series, taken)
		if err != nil {
			return err
		}
		return m.renderBooking(c, http.StatusConflict, f, nil, func(v *bookingView) { v.Conflicts = lines })
	}
	msg := "Appointment booked."
	if len(series) > 1 {
		msg = strconv.Itoa(len(series)) + " appointments booked."
	}
	web.Done(c, http.StatusCreated, series[0], msg, "/appointments/"+series[0].ID)
	return nil
}

// bookSeries places the series, all or none; with overbook, those whose
// time is taken are booked over the appointments in their way (without
// claims) and the others hold their time as usual.
func (m *Module) bookSeries(c *gin.Context, series []*Appointment, overbook bool) (map[int]*errTaken, error) {
	var normal, over []*Appointment
	if overbook {
		ctx, sl := c.Request.Context(), m.slots(c)
		for _, a := range series {
			in, err := sl.inTheWay(ctx, a.ID, a.keys())
			if err != nil {
				return nil, err
			}
			if a.Overbooked = in != nil; a.Overbooked {
				over = append(over, a)
			} else {
				normal = append(normal, a)
			}
		}
	} else {
		normal = series
	}
	var taken map[int]*errTaken
	var err error
	if len(normal) == 1 {
		var e *errTaken
		if err = m.place(c, normal[0]); errors.As(err, &e) {
			taken, err = map[int]*errTaken{0: e}, nil
		}
	} else if len(normal) > 1 {
		taken, err = m.placeAll(c, normal)
	}
	if err != nil || len(taken) > 0 {
		return reindex(taken, normal, series), err
	}
	for _, a := range over {
		if err := m.place(c, a); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// reindex maps the indexes of taken in part to those in series.
func reindex(taken map[int]*errTaken, part, series []*Appointment) map[int]*errTaken {
	if len(taken) == 0 {
		return taken
	}
	out := map[int]*errTaken{}
	for i, e := range taken {
		out[slices.Index(series, part[i])] = e
	}
	return out
}

// numberedPatient is the patient whose number was typed in the patient field
// (the form without scripts), or "".
func numberedPatient(ctx context.Context, tdb *db.Tenant, typed string) (string, error) {
	match := typedNumber.FindStringSubmatch(strings.TrimSpace(typed))
	if match == nil {
		return "", nil
	}
	n, _ := strconv.Atoi(match[1])
	var p patientRow
	err := tdb.Collection("patients").FindOne(ctx, db.Eq("number", n), &p)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	return p.ID, err
}

// checkParties adds a message for a patient, provider or service the
// clinic does not have.
func (m *Module) checkParties(c *gin.Context, b BookingInput, errs map[string]string) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	if b.PatientID != "" {
		if ok, err := exists(ctx, tdb, "patients", b.PatientID); err != nil {
			return err
		} else if !ok {
			errs["patientId"] = "Choose a patient of this clinic."
		}
	}
	if b.ProviderID != "" {
		if ok, err := m.isProvider(c, b.ProviderID); err != nil {
			return err
		} else if !ok {
			errs["providerId"] = "Choose a provider: an active staff member who sees patients."
		}
	}
	return nil
}

// inTheWayLines names, for each appointment of the series whose time is
// taken, the appointment in the way: its time, provider and patient.
func (m *Module) inTheWayLines(c *gin.Context, series []*Appointment, taken map[int]*errTaken) ([]takenLine, error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	var ids []string
	for _, e := range taken {
		ids = append(ids, e.Blocker)
	}
	var blockers []Appointment
	if ids = uniqueIDs(ids); len(ids) > 0 {
		if err := tdb.Collection(kind.Collection).Find(ctx, db.In(db.IDField, ids), &blockers, db.FindOptions{Limit: int64(len(ids))}); err != nil {
			return nil, err
		}
	}
	byID := map[string]*Appointment{}
	var pids []string
	for i := range blockers {
		byID[blockers[i].ID] = &blockers[i]
		pids = append(pids, blockers[i].PatientID)
	}
	ps, err := patientsIn(ctx, tdb, pids)
	if err != nil {
		return nil, err
	}
	providers, err := m.bookable(c)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range providers {
		names[p.ID] = p.Name
	}
	var out []takenLine
	for i, a := range series {
		e, ok := taken[i]
		if !ok {
			continue
		}
		line := takenLine{Wanted: a.Start, Blocker: e.Blocker}
		if b := byID[e.Blocker]; b != nil {
			line.At, line.Minutes, line.Provider = b.Start, b.Minutes, names[b.ProviderID]
			if line.Provider == "" {
				line.Provider, _ = providerName(ctx, tdb, b.ProviderID)
			}
			if p, ok := ps[b.PatientID]; ok {
				line.Patient = p.Label()
			} else if b.Requester != nil {
				line.Patient = b.Requester.Name
			}
		}
		out = append(out, line)
	}
	audit.Shown(ctx, actionList, idRefs(ids)...)
	return out, nil
}

// idRefs are ids as audit references.
func idRefs(ids []string) []audit.Ref {
	refs := make([]audit.Ref, len(ids))
	for i, id := range ids {
		refs[i] = audit.Ref{ID: id}
	}
	return refs
}

// ---- an appointment's page ----

// apptView is an appointment's page.
type apptView struct {
	A          *Appointment
	Day        string // its local date, YYYY-MM-DD
	Patient    patientRow
	HasPatient bool
	Provider   string
	Service    string
	History    []versionLine
	Moves      []string // the statuses the signed-in person may move it to
	MayCancel  bool
	// Reschedule: the form (date, time, minutes) when it may be moved.
	MayReschedule bool
	MayOverbook   bool
	Reschedule    BookingForm
	Conflicts     []takenLine
	// Outside: why the new time is outside working hours; nothing moves
	// until "Move anyway".
	Outside string
}

// versionLine is one version of the appointment: its status then, and
// who saved it.
type versionLine struct {
	Version int64
	At      time.Time
	By      string
	Status  string
	Changed []string
	Start   time.Time
	Minutes int
	Reason  string // a cancellation's
}

// MoveLabel is the button of a move.
func (apptView) MoveLabel(status string) string {
	switch status {
	case StatusArrived:
		return "Arrived"
	case StatusInConsultation:
		return "Start consultation"
	case StatusCompleted:
		return "Complete"
	case StatusNoShow:
		return "No-show"
	}
	return statusLabel(status)
}

// StatusLabel is a status in words.
func (apptView) StatusLabel(status string) string { return statusLabel(status) }

// appointmentPage shows one appointment with its history and the moves
// the signed-in person may make.
func (m *Module) appointmentPage(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	return m.renderAppointment(c, http.StatusOK, a, nil, nil)
}

// renderAppointment renders an appointment's page.
func (m *Module) renderAppointment(c *gin.Context, status int, a *Appointment, errs map[string]string, more func(*apptView)) error {
	ctx, tdb, zone := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	v := apptView{A: a, Day: a.Start.In(zone).Format(time.DateOnly)}
	ps, err := patientsIn(ctx, tdb, []string{a.PatientID})
	if err != nil {
		return err
	}
	v.Patient, v.HasPatient = ps[a.PatientID]
	if v.Provider, err = providerName(ctx, tdb, a.ProviderID); err != nil {
		return err
	}
	if a.ServiceID != "" {
		ss, err := servicesIn(ctx, tdb, []string{a.ServiceID})
		if err != nil {
			return err
		}
		v.Service = ss[a.ServiceID].Name
	}
	if v.History, err = m.statusHistory(c, a.ID); err != nil {
		return err
	}
	rights, err := m.moveRights(c)
	if err != nil {
		return err
	}
	for _, s := range next[a.Status] {
		if s == StatusCancelled {
			v.MayCancel = rights.may(a, s) == nil
		} else if rights.may(a, s) == nil {
			v.Moves = append(v.Moves, s)
		}
	}
	if a.Status == StatusBooked {
		if v.MayReschedule, err = m.S.Can(c, "appointments", "update"); err != nil {
			return err
		}
		if v.MayOverbook, err = m.S.Can(c, "appointments", "overbook"); err != nil {
			return err
		}
		v.Reschedule = prefilled(a.ProviderID, a.Start, zone)
		v.Reschedule.Minutes = strconv.Itoa(a.Minutes)
	}
	if more != nil {
		more(&v)
	}
	audit.Shown(ctx, actionView, audit.Ref{ID: a.ID})
	if v.HasPatient {
		m.showPatients(ctx, audit.Ref{ID: a.PatientID, Label: v.Patient.Label()})
	}
	title := "Appointment"
	if v.HasPatient {
		title += " · " + v.Patient.Name()
	}
	return m.S.Render.Page(c, status, apptShowPage, web.Page{Title: title, Data: v, Errors: errs})
}

// statusHistory is the appointment's versions, newest first, each with its
// status then and who saved it.
func (m *Module) statusHistory(c *gin.Context, id string) ([]versionLine, error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	var revs []struct {
		Version  int64       `bson:"version"`
		Changed  []string    `bson:"changed"`
		By       string      `bson:"by"`
		At       time.Time   `bson:"at"`
		Snapshot Appointment `bson:"snapshot"`
	}
	if err := tdb.Collection(kind.Revisions).Find(ctx, db.Eq(kind.Ref, id), &revs,
		db.FindOptions{Sort: []db.Order{db.Desc("version")}, Limit: 500}); err != nil {
		return nil, err
	}
	names := map[string]string{"online": "Online booking"}
	out := make([]versionLine, len(revs))
	for i, r := range revs {
		name, ok := names[r.By]
		if !ok {
			name, _ = providerName(ctx, tdb, r.By)
			if name == "The provider" {
				name = "Someone no longer on the staff"
			}
			names[r.By] = name
		}
		out[i] = versionLine{Version: r.Version, At: r.At, By: name, Status: statusLabel(r.Snapshot.Status), Changed: r.Changed,
			Start: r.Snapshot.Start, Minutes: r.Snapshot.Minutes, Reason: r.Snapshot.CancelReason}
	}
	return out, nil
}

// queueAfterMove answers a move made from the queue (htmx): the queue as
// it is now, saying msg.
func (m *Module) queueAfterMove(c *gin.Context, msg string) error {
	v, list, err := m.loadQueue(c)
	if err != nil {
		return err
	}
	audit.Shown(c.Request.Context(), actionList, refsFor(list)...)
	return m.renderQueue(c, v, msg)
}

// statusPage moves an appointment's status from a button (the page twin
// of POST /api/appointments/:id/status): back to the queue (its htmx
// refresh, or the page) or to the appointment.
func (m *Module) statusPage(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	status := c.PostForm("status")
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	err = m.moveStatus(c, a, status, version, c.PostForm("reason"))
	var bad *web.Error
	fromQueue := c.PostForm("back") == queueTarget && htmx.IsRequest(c.Request)
	if fromQueue && errors.As(err, &bad) && (bad.Status == http.StatusConflict || bad.Status == http.StatusUnprocessableEntity) {
		// Two people clicked at once: the queue stays, as it is now.
		return m.queueAfterMove(c, "Nothing changed: someone else moved this appointment along just now.")
	}
	if errors.As(err, &bad) && bad.Fields != nil {
		return m.renderAppointment(c, bad.Status, a, bad.Fields, nil)
	}
	if errors.As(err, &bad) && bad.Status == http.StatusConflict {
		return &web.Error{Status: http.StatusConflict, Message: "Someone else changed this appointment just now, so nothing was changed. Reload it and try again.",
			Link: "/appointments/" + a.ID, LinkText: "Reload the appointment"}
	}
	if err != nil {
		return err
	}
	msg := "Marked " + label(a.Status) + "."
	switch a.Status {
	case StatusArrived:
		msg = "Arrival recorded."
	case StatusInConsultation:
		msg = "Consultation started."
	case StatusCompleted:
		msg = "Appointment completed."
	case StatusCancelled:
		msg = "Appointment cancelled."
	case StatusNoShow:
		msg = "Recorded as a no-show."
	}
	if c.PostForm("back") == queueTarget {
		if fromQueue {
			return m.queueAfterMove(c, msg)
		}
		web.Flash(c, msg)
		web.Redirect(c, "/appointments/queue")
		return nil
	}
	web.Flash(c, msg)
	web.Redirect(c, "/appointments/"+a.ID)
	return nil
}

// reschedulePage moves a booked appointment to the date, time and minutes
// of its page's form (the page twin of PUT /api/appointments/:id). A time
// taken comes back naming what is in the way.
func (m *Module) reschedulePage(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	zone := m.S.Zone(c)
	f := BookingForm{ProviderID: a.ProviderID, Date: strings.TrimSpace(c.PostForm("date")), Time: strings.TrimSpace(c.PostForm("time")),
		Minutes: strings.TrimSpace(c.PostForm("minutes")), Overbook: c.PostForm("overbook") == "1"}
	f.Confirm = c.PostForm("confirm") == "1" || c.PostForm("confirmed") == f.When()
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	start, errs := localStart(f.Date, f.Time, zone)
	if errs == nil {
		errs = map[string]string{}
	}
	minutes := minutesOf(f.Minutes, 0, errs)
	if a.Status != StatusBooked {
		errs["status"] = "Only a booked appointment can be rescheduled; this one is " + label(a.Status) + "."
	}
	keep := func(v *apptView) { v.Reschedule = f }
	if len(errs) > 0 {
		return m.renderAppointment(c, http.StatusUnprocessableEntity, a, errs, keep)
	}
	if f.Overbook {
		if err := m.mayOverbook(c); err != nil {
			return err
		}
	}
	span := Span{Start: start.UTC(), Minutes: minutes, End: start.UTC().Add(time.Duration(minutes) * time.Minute)}
	if !f.Confirm {
		why, err := m.outsideHours(c.Request.Context(), m.S.Clinic(c), &Appointment{ProviderID: a.ProviderID, Span: span}, zone)
		if err != nil {
			return err
		}
		if why != "" {
			return m.renderAppointment(c, http.StatusOK, a, nil, func(v *apptView) { keep(v); v.Outside = why })
		}
	}
	was := a.Span
	var e *errTaken
	err = m.moveTo(c, a, span, version, f.Overbook)
	switch {
	case errors.As(err, &e):
		fresh, err := m.store(c).Get(c.Request.Context(), a.ID)
		if err != nil {
			return err
		}
		lines, err := m.inTheWayLines(c, []*Appointment{{Span: span}}, map[int]*errTaken{0: e})
		if err != nil {
			return err
		}
		return m.renderAppointment(c, http.StatusConflict, fresh, nil, func(v *apptView) { keep(v); v.Conflicts = lines })
	case err != nil:
		var bad *web.Error
		if errors.As(err, &bad) && bad.Status == http.StatusConflict {
			return &web.Error{Status: http.StatusConflict, Message: "Someone else changed this appointment just now, so it was not moved. Reload it and try again.",
				Link: "/appointments/" + a.ID, LinkText: "Reload the appointment"}
		}
		return err
	}
	if err := audit.For(c).Record(actionReschedule, "appointment:"+a.ID, audit.Change(when(was), when(a.Span))); err != nil {
		return err
	}
	web.Flash(c, "Appointment moved to "+a.Start.In(zone).Format("Mon 2 Jan 2006 15:04")+".")
	web.Redirect(c, "/appointments/"+a.ID)
	return nil
}

// Badge is the badge variant of the appointment's status.
func (v apptView) Badge() string { return badgeClass(v.A.Status) }
