package appointments

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/appointments/schedule"
)

// Online booking: when the clinic turns it on, anyone may open /book on
// the clinic's address, choose a service and one of the free times of the
// providers who take bookings online, and ask for it. The request holds
// the provider's time at once (the same claims as any booking), as an
// appointment with status requested and no patient record; the front desk
// confirms it against a patient record, or declines it (confirm.go).
//
// The public pages show free times and providers' names, never who holds
// a time; they are counted per client address and per clinic so a script
// cannot fill the schedule or send mail to strangers without end.

// The actions of online booking, for the audit log.
const (
	actionConfirm        = "appointment.confirm"
	actionDecline        = "appointment.decline"
	actionOnlineSettings = "appointment.online_settings"
)

// Pages of online booking.
var (
	bookPage     = web.NewPage("appointments/book")
	bookedPage   = web.NewPage("appointments/booked")
	onlinePage   = web.NewPage("appointments/online")
	confirmPage  = web.NewPage("appointments/confirm")
	msgNotOnline = "This clinic does not take bookings online."
)

// publicRoutes declares online booking: the public pages on the clinic's
// address, the settings, and the front desk's confirmation.
func (m *Module) publicRoutes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/book", app.Public, m.showBook)
	r.Clinic(http.MethodPost, "/book", app.Public, m.requestBooking)
	r.Clinic(http.MethodGet, "/book/thanks", app.Public, m.requestSent)
	settings := app.Allow("settings", "update")
	r.Clinic(http.MethodGet, "/appointments/settings/online", settings, m.showOnline)
	r.Clinic(http.MethodPost, "/appointments/settings/online", settings, m.saveOnline)
	update := app.Allow("appointments", "update")
	r.Clinic(http.MethodGet, "/appointments/requests", app.Allow("appointments", "read"), m.requests)
	r.Clinic(http.MethodGet, "/appointments/:id/confirm", update, m.showConfirm)
	r.Clinic(http.MethodPost, "/appointments/:id/confirm", update, m.confirm)
	r.Clinic(http.MethodPost, "/appointments/:id/decline", app.Allow("appointments", "delete"), m.decline)
}

// onlineActions are the audit actions of online booking, for AuditActions.
func onlineActions() []audit.Action {
	const link = "/appointments/"
	return []audit.Action{
		{Code: actionConfirm, Label: "Confirmed an online request", Says: "confirmed the online request", Link: link},
		{Code: actionDecline, Label: "Declined an online request", Says: "declined the online request", Link: link},
		{Code: actionOnlineSettings, Label: "Changed the online booking settings", Says: "changed the online booking settings"},
	}
}

// onlineCollection holds the module's settings documents, one per
// clinic and concern; online booking's is "online:<clinic id>".
const onlineCollection = settingsCollection

// Defaults and bounds of the online booking settings.
const (
	defaultDaysAhead   = 30
	defaultNoticeHours = 2
	maxDaysAhead       = 365
	maxNoticeHours     = 24 * 14
)

// Online is how a clinic takes bookings online.
type Online struct {
	ID          string    `bson:"_id"`
	On          bool      `bson:"on"`
	Providers   []string  `bson:"providers"`   // the users whose free times are offered
	DaysAhead   int       `bson:"daysAhead"`   // how far ahead a time may be asked for
	NoticeHours int       `bson:"noticeHours"` // how soon, at the earliest
	UpdatedAt   time.Time `bson:"updatedAt,omitzero"`
	UpdatedBy   string    `bson:"updatedBy,omitempty"`
}

// summary is the settings in words, for the audit log.
func (o Online) summary() string {
	state := "off"
	if o.On {
		state = "on"
	}
	return state + " · " + strconv.Itoa(len(o.Providers)) + " providers · " + strconv.Itoa(o.DaysAhead) + " days ahead · " +
		strconv.Itoa(o.NoticeHours) + " h notice"
}

// Offers reports whether the provider's times are offered online.
func (o Online) Offers(providerID string) bool { return slices.Contains(o.Providers, providerID) }

// onlineID is the id of the clinic's online booking settings.
func (m *Module) onlineID(c *gin.Context) string { return "online:" + m.S.Clinic(c).ID() }

// online reads the clinic's online booking settings (off, with the
// defaults, when never saved).
func (m *Module) online(c *gin.Context) (Online, error) {
	o := Online{ID: m.onlineID(c), DaysAhead: defaultDaysAhead, NoticeHours: defaultNoticeHours}
	err := m.S.Clinic(c).Collection(onlineCollection).FindOne(c.Request.Context(), db.ID(o.ID), &o)
	if errors.Is(err, db.ErrNotFound) {
		return o, nil
	}
	return o, err
}

// onlineView is the settings form.
type onlineView struct {
	Online    Online
	Providers []Provider
	BookURL   string
}

func (m *Module) showOnline(c *gin.Context) error {
	o, err := m.online(c)
	if err != nil {
		return err
	}
	return m.renderOnline(c, http.StatusOK, o, nil)
}

func (m *Module) renderOnline(c *gin.Context, status int, o Online, errs map[string]string) error {
	ps, err := m.bookable(c)
	if err != nil {
		return err
	}
	v := onlineView{Online: o, Providers: ps, BookURL: m.S.Link(c, "/book")}
	return m.S.Render.Page(c, status, onlinePage, web.Page{Title: "Online booking", Data: v, Errors: errs})
}

// onlineFromForm reads the settings form: the providers are checked
// against those who may be booked. It returns the settings and the
// messages by field.
func onlineFromForm(get func(string) string, providers []string, staff []Provider) (Online, map[string]string) {
	errs := map[string]string{}
	o := Online{On: get("on") == "1", Providers: []string{}}
	ok := map[string]bool{}
	for _, p := range staff {
		ok[p.ID] = true
	}
	for _, id := range providers {
		if !ok[id] {
			errs["providers"] = "Choose among the staff who see patients."
		} else if !slices.Contains(o.Providers, id) {
			o.Providers = append(o.Providers, id)
		}
	}
	var msg string
	if o.DaysAhead, msg = wholeIn(get("daysAhead"), 1, maxDaysAhead, "How far ahead"); msg != "" {
		errs["daysAhead"] = msg
	}
	if o.NoticeHours, msg = wholeIn(get("noticeHours"), 0, maxNoticeHours, "The notice"); msg != "" {
		errs["noticeHours"] = msg
	}
	if o.On && len(o.Providers) == 0 && errs["providers"] == "" {
		errs["providers"] = "Choose at least one provider whose free times are offered, or turn online booking off."
	}
	return o, errs
}

// wholeIn reads a whole number in [lo, hi].
func wholeIn(s string, lo, hi int, label string) (int, string) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, label + " is a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + "."
	}
	return n, ""
}

// saveOnline saves the online booking settings, audited.
func (m *Module) saveOnline(c *gin.Context) error {
	ctx := c.Request.Context()
	ps, err := m.bookable(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return web.BadRequest("The form could not be read.")
	}
	o, errs := onlineFromForm(c.PostForm, c.PostFormArray("providers"), ps)
	o.ID = m.onlineID(c)
	if len(errs) > 0 {
		return m.renderOnline(c, http.StatusUnprocessableEntity, o, errs)
	}
	was, err := m.online(c)
	if err != nil {
		return err
	}
	o.UpdatedAt, o.UpdatedBy = m.S.Now(), m.S.User(c).ID
	err = m.S.Clinic(c).Collection(onlineCollection).Upsert(ctx, db.ID(o.ID), db.Set("on", o.On).Set("providers", o.Providers).
		Set("daysAhead", o.DaysAhead).Set("noticeHours", o.NoticeHours).Set("updatedAt", o.UpdatedAt).Set("updatedBy", o.UpdatedBy))
	if err != nil {
		return err
	}
	if err := audit.For(c).Record(actionOnlineSettings, "appointments:online", audit.Change(was.summary(), o.summary())); err != nil {
		return err
	}
	web.Flash(c, "Online booking settings saved.")
	web.Redirect(c, "/appointments/settings/online")
	return nil
}

// --- The public pages ---

// span is the length booked for the service: whole units, at least one.
func (s serviceRow) span() int {
	n := (s.Minutes + 4) / 5 * 5
	return min(max(n, minMinutes), maxMinutes)
}

// step is the grid the public page offers times on: every quarter hour,
// or every span for shorter services (free times between them are still
// bookable by the front desk).
func (s serviceRow) step() int { return min(s.span(), 15) }

// requestForm is what the person asking types and picks.
type requestForm struct {
	ServiceID   string
	Week        string // YYYY-MM-DD, any day of the week shown
	Slot        string // "<providerId>|<start, RFC 3339>"
	Name        string
	DateOfBirth string
	Phone       string
	Email       string
}

// requestFormFrom reads the form (or the query).
func requestFormFrom(get func(string) string) requestForm {
	t := func(k string) string { return strings.TrimSpace(get(k)) }
	return requestForm{ServiceID: t("service"), Week: t("week"), Slot: t("slot"), Name: t("name"),
		DateOfBirth: t("dateOfBirth"), Phone: t("phone"), Email: t("email")}
}

// requester checks the person's details: the requester, or the messages by
// field. today is the clinic's date.
func (f requestForm) requester(today time.Time) (*Requester, map[string]string) {
	errs := map[string]string{}
	r := &Requester{}
	var msg string
	if r.Name, msg = (text.Field{Label: "Name", Max: 120, Required: true, Missing: "Enter your name."}).Check(f.Name); msg != "" {
		errs["name"] = msg
	}
	if d, err := time.Parse(time.DateOnly, f.DateOfBirth); f.DateOfBirth == "" {
		errs["dateOfBirth"] = "Enter your date of birth."
	} else if err != nil {
		errs["dateOfBirth"] = "Enter your date of birth as YYYY-MM-DD, such as 1984-03-14."
	} else if d.After(today) || d.Before(today.AddDate(-130, 0, 0)) {
		errs["dateOfBirth"] = "Enter your real date of birth."
	} else {
		r.DateOfBirth = d.Format(time.DateOnly)
	}
	if r.Phone, msg = (text.Field{Label: "Phone", Max: 40, Required: true, Missing: "Enter a phone number the clinic can call."}).Check(f.Phone); msg != "" {
		errs["phone"] = msg
	} else if n := len(onlineDigits(r.Phone)); n < 5 || n > 20 {
		errs["phone"] = "Enter a phone number such as +1 555 010 2030."
	}
	if r.Email, msg = auth.NormalizeEmail(f.Email); msg != "" {
		errs["email"] = msg
	}
	return r, errs
}

// onlineDigits keeps the digits of s.
func onlineDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// pickedTime is a time picked: a provider and a start.
type pickedTime struct {
	ProviderID string
	Start      time.Time
}

// parseSlot reads a picked time.
func parseSlot(s string) (pickedTime, bool) {
	p, at, ok := strings.Cut(s, "|")
	t, err := time.Parse(time.RFC3339, at)
	if !ok || p == "" || err != nil {
		return pickedTime{}, false
	}
	return pickedTime{ProviderID: p, Start: t.UTC()}, true
}

// slotValue is a free time as the form sends it back.
func slotValue(f FreeSlot) string { return f.ProviderID + "|" + f.Start.UTC().Format(time.RFC3339) }

// window is when times may be asked for: from now plus the notice to the
// end of the last day ahead, in the clinic's days.
func (o Online) window(now time.Time, zone *time.Location) (from, to time.Time) {
	l := now.In(zone)
	return now.Add(time.Duration(o.NoticeHours) * time.Hour), time.Date(l.Year(), l.Month(), l.Day()+o.DaysAhead+1, 0, 0, 0, 0, zone)
}

// mondayOf is the Monday (the clinic's midnight) of the week holding day, or
// of today when day does not read.
func mondayOf(day string, now time.Time, zone *time.Location) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, zone)
	if err != nil {
		d = now.In(zone)
	}
	back := (int(d.Weekday()) + 6) % 7
	return time.Date(d.Year(), d.Month(), d.Day()-back, 0, 0, 0, 0, zone)
}

// weekUnits is how many five-minute starts a week holds: no provider has
// more free starts in the week shown.
const weekUnits = 7 * 24 * 12

// requestDay is one day of the week shown and its free times.
type requestDay struct {
	Day   time.Time
	Slots []requestSlot
}

// requestSlot is one free time: a provider's start.
type requestSlot struct {
	Value    string
	Start    time.Time
	Provider string
}

// requestView is the public booking page.
type requestView struct {
	Form       requestForm
	Services   []serviceRow
	Service    *serviceRow
	Week       time.Time
	Prev, Next string // the weeks before and after, when within reach
	Days       []requestDay
}

// onlineWeek lists the free times of the service's length, of the providers
// offered, in the week shown, within the window.
func (m *Module) onlineWeek(c *gin.Context, o Online, v *requestView) error {
	zone, now := m.S.Zone(c), m.S.Now()
	v.Week = mondayOf(v.Form.Week, now, zone)
	from, to := o.window(now, zone)
	end := time.Date(v.Week.Year(), v.Week.Month(), v.Week.Day()+7, 0, 0, 0, 0, zone)
	if prev := time.Date(v.Week.Year(), v.Week.Month(), v.Week.Day()-7, 0, 0, 0, 0, zone); end.After(from) && v.Week.After(from) {
		v.Prev = prev.Format(time.DateOnly)
	}
	if end.Before(to) {
		v.Next = end.Format(time.DateOnly)
	}
	if v.Service == nil {
		return nil
	}
	names, err := m.onlineOffered(c, o)
	if err != nil || len(names) == 0 {
		return err
	}
	start, stop := schedule.Later(from, v.Week), schedule.Earlier(to, end)
	if !start.Before(stop) {
		return nil
	}
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	free, err := m.freeBetween(c.Request.Context(), m.S.Clinic(c), ids, v.Service.span(), start, stop, zone, weekUnits*len(ids))
	if err != nil {
		return err
	}
	step := v.Service.step()
	byDay := map[time.Time]*requestDay{}
	for _, f := range free {
		l := f.Start.In(zone)
		if f.Start.Before(start) || !f.Start.Before(stop) || names[f.ProviderID] == "" || (l.Hour()*60+l.Minute())%step != 0 {
			continue
		}
		day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
		d := byDay[day]
		if d == nil {
			d = &requestDay{Day: day}
			byDay[day] = d
		}
		d.Slots = append(d.Slots, requestSlot{Value: slotValue(f), Start: f.Start, Provider: names[f.ProviderID]})
	}
	for _, d := range byDay {
		slices.SortStableFunc(d.Slots, func(a, b requestSlot) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return strings.Compare(a.Provider, b.Provider)
		})
		v.Days = append(v.Days, *d)
	}
	slices.SortFunc(v.Days, func(a, b requestDay) int { return a.Day.Compare(b.Day) })
	return nil
}

// onlineOffered are the providers whose times are offered online and who may
// still be booked: their names by id.
func (m *Module) onlineOffered(c *gin.Context, o Online) (map[string]string, error) {
	ps, err := m.bookable(c)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range ps {
		if o.Offers(p.ID) {
			out[p.ID] = p.Name
		}
	}
	return out, nil
}

// onlineOpen is the clinic's online booking settings, or the 404 of a
// clinic that does not take bookings online.
func (m *Module) onlineOpen(c *gin.Context) (Online, error) {
	o, err := m.online(c)
	if err == nil && !o.On {
		err = web.NotFound(msgNotOnline)
	}
	return o, err
}

// showBook is the public booking page: the services, and for the service
// chosen the week's free times.
func (m *Module) showBook(c *gin.Context) error {
	o, err := m.onlineOpen(c)
	if err != nil {
		return err
	}
	// Only the choice of service, week and time comes from the address:
	// a link never carries anyone's details.
	f := requestForm{ServiceID: strings.TrimSpace(c.Query("service")), Week: strings.TrimSpace(c.Query("week")), Slot: strings.TrimSpace(c.Query("slot"))}
	return m.renderRequest(c, http.StatusOK, o, f, nil)
}

// renderRequest renders the booking page for the form as it stands.
func (m *Module) renderRequest(c *gin.Context, status int, o Online, f requestForm, errs map[string]string) error {
	v := requestView{Form: f}
	var err error
	if v.Services, err = bookableServices(c.Request.Context(), m.S.Clinic(c)); err != nil {
		return err
	}
	for i := range v.Services {
		if v.Services[i].ID == f.ServiceID {
			v.Service = &v.Services[i]
		}
	}
	if len(v.Services) == 1 && v.Service == nil && f.ServiceID == "" {
		v.Service = &v.Services[0]
		v.Form.ServiceID = v.Service.ID
	}
	if err := m.onlineWeek(c, o, &v); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return m.S.Render.Page(c, status, bookPage, web.Page{Title: "Book an appointment", Data: v, Errors: errs})
}

// Messages of the booking form.
const (
	msgTaken        = "That time was just taken. Please pick another."
	msgPickTime     = "Pick one of the free times shown."
	msgTooMany      = "Too many requests from your network just now. Please try again in "
	msgClinicBusy   = "The clinic is receiving many requests just now. Please try again in "
	msgOpenRequests = "You already have requests waiting for the clinic to confirm. Please wait for its answer, or call the clinic."
)

// maxOpenRequests is how many requests one email address may have waiting
// for the clinic at a time.
const maxOpenRequests = 3

// requestBooking asks for a time: checked like the page offers it, counted
// against the limits, then placed as a requested appointment (its time
// held at once) and acknowledged by mail.
//
// One address holds at most maxOpenRequests requests waiting for the
// clinic at a time: the public cannot fill a calendar with requests, nor
// have Ward mail one address without end.
func (m *Module) requestBooking(c *gin.Context) error {
	o, err := m.onlineOpen(c)
	if err != nil {
		return err
	}
	if c.PostForm("website") != "" { // the field people do not see: a script filled it
		web.Redirect(c, "/book/thanks")
		return nil
	}
	f := requestFormFrom(c.PostForm)
	zone, now := m.S.Zone(c), m.S.Now()
	l := now.In(zone)
	r, errs := f.requester(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC))
	svc, pickTime, err := m.pickTime(c, o, f, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return m.renderRequest(c, http.StatusUnprocessableEntity, o, f, errs)
	}
	if wait, perIP, err := m.countRequest(c, now); err != nil {
		return err
	} else if wait > 0 {
		c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
		msg := msgClinicBusy
		if perIP {
			msg = msgTooMany
		}
		return m.renderRequest(c, http.StatusTooManyRequests, o, f, map[string]string{"form": msg + auth.WaitText(wait) + "."})
	}
	if open, err := m.S.Clinic(c).Collection(kind.Collection).Count(c.Request.Context(),
		db.And(db.Eq("requester.email", r.Email), db.Eq("status", StatusRequested))); err != nil {
		return err
	} else if open >= maxOpenRequests {
		return m.renderRequest(c, http.StatusTooManyRequests, o, f, map[string]string{"form": msgOpenRequests})
	}
	a := &Appointment{Meta: records.Meta{ID: db.NewID()}, ProviderID: pickTime.ProviderID, ServiceID: svc.ID,
		Span:   Span{Start: pickTime.Start, Minutes: svc.span(), End: pickTime.Start.Add(time.Duration(svc.span()) * time.Minute)},
		Status: StatusRequested, Requester: r}
	var e *errTaken
	if err := m.place(c, a); errors.As(err, &e) {
		f.Slot = ""
		return m.renderRequest(c, http.StatusConflict, o, f, map[string]string{"slot": msgTaken, "form": msgTaken})
	} else if err != nil {
		return err
	}
	m.acknowledge(c, a, svc)
	web.Redirect(c, "/book/thanks")
	return nil
}

// pickTime checks the service and the time picked: an active service, a
// provider offered online, a start within the window that is free now.
// Messages go into errs.
func (m *Module) pickTime(c *gin.Context, o Online, f requestForm, errs map[string]string) (*serviceRow, pickedTime, error) {
	svcs, err := bookableServices(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return nil, pickedTime{}, err
	}
	var svc *serviceRow
	for i := range svcs {
		if svcs[i].ID == f.ServiceID {
			svc = &svcs[i]
		}
	}
	if svc == nil {
		errs["service"] = "Choose one of the services."
		return nil, pickedTime{}, nil
	}
	ch, ok := parseSlot(f.Slot)
	if !ok {
		errs["slot"] = msgPickTime
		return svc, ch, nil
	}
	zone := m.S.Zone(c)
	from, to := o.window(m.S.Now(), zone)
	names, err := m.onlineOffered(c, o)
	if err != nil {
		return nil, pickedTime{}, err
	}
	if names[ch.ProviderID] == "" || ch.Start.Before(from) || !ch.Start.Before(to) {
		errs["slot"] = msgPickTime
		return svc, ch, nil
	}
	free, err := m.nextFree(c.Request.Context(), m.S.Clinic(c), []string{ch.ProviderID}, svc.span(), ch.Start, zone, 1)
	if err != nil {
		return nil, pickedTime{}, err
	}
	if len(free) == 0 || !free[0].Start.Equal(ch.Start) || free[0].ProviderID != ch.ProviderID {
		errs["slot"] = msgTaken
	}
	return svc, ch, nil
}

// acknowledge mails the person who asked that the request arrived and is
// not yet confirmed. A failure is logged: the request is made.
func (m *Module) acknowledge(c *gin.Context, a *Appointment, svc *serviceRow) {
	clinic := m.onlineClinicName(c)
	when := m.onlineFormats(c).DateTime(a.Start)
	err := m.S.Mail(c, mail.Message{
		Key:     "request:" + a.ID,
		To:      a.Requester.Email,
		Subject: "Your appointment request at " + clinic,
		Text: "Hello " + a.Requester.Name + ",\n\n" +
			"We received your request for " + svc.Name + " on " + when + ".\n\n" +
			"It is not confirmed yet: the clinic will email you when it has confirmed your appointment.\n" +
			"If you did not ask for this appointment, you can ignore this message.\n\n" +
			"— " + clinic + "\n",
	})
	if err != nil {
		m.S.Log.Error().Err(err).Str("appointment", a.ID).Msg("appointments: request acknowledgement not queued")
	}
}

// onlineClinicName is the clinic's name, for mail.
func (m *Module) onlineClinicName(c *gin.Context) string {
	if st, err := m.S.Settings(c); err == nil && st.ClinicName != "" {
		return st.ClinicName
	}
	if t := m.S.Tenant(c); t != nil {
		return t.Name
	}
	return "The clinic"
}

// onlineFormats are the clinic's date and time formats, for mail.
func (m *Module) onlineFormats(c *gin.Context) web.Formats {
	st, err := m.S.Settings(c)
	if err != nil {
		return web.Formats{Zone: m.S.Zone(c)}
	}
	return st.Formats()
}

// requestSent thanks the person: it names nothing of theirs.
func (m *Module) requestSent(c *gin.Context) error {
	if _, err := m.onlineOpen(c); err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, bookedPage, web.Page{Title: "Request sent"})
}

// --- Limits ---

// The limits of online requests, counted per clock hour: from one client
// address (an IPv6 client by its /64), and for the whole clinic.
const (
	MaxRequestsPerIP     = 5
	MaxRequestsPerClinic = 50
	requestWindow        = time.Hour
	requestKind          = "online-request"
)

// countRequest counts one request from the client in the current hour, in the
// clinic's claims (an insert, then a count by key prefix: requests sent at
// the same moment count each other). Over a limit it is not counted and
// wait is how long until the next hour; perIP says which limit.
func (m *Module) countRequest(c *gin.Context, now time.Time) (wait time.Duration, perIP bool, err error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	claims := tdb.Collection(db.ClaimsCollection)
	hour := now.Truncate(requestWindow)
	bucket := requestBucket(hour)
	forgetRequestCounts(ctx, claims, bucket)
	var made []string
	for _, limit := range []struct {
		prefix string
		max    int64
		perIP  bool
	}{
		{bucket + "|ip|" + tenant.Network(c.ClientIP()) + "|", MaxRequestsPerIP, true},
		{bucket + "|all|", MaxRequestsPerClinic, false},
	} {
		key := limit.prefix + db.NewID()
		if err := tdb.Claim(ctx, requestKind, key, now); err != nil {
			return 0, false, err
		}
		made = append(made, key)
		n, err := claims.Count(ctx, db.And(db.Eq("kind", requestKind), db.Prefix("key", limit.prefix)))
		if err != nil {
			return 0, false, err
		}
		if n > limit.max {
			for _, k := range made {
				_ = tdb.Release(context.WithoutCancel(ctx), requestKind, k)
			}
			return hour.Add(requestWindow).Sub(now), limit.perIP, nil
		}
	}
	return 0, false, nil
}

// requestBucket names an hour's counts: the hours since 1970, fixed width, so
// the names sort as the hours do.
func requestBucket(hour time.Time) string {
	s := strconv.FormatInt(hour.Unix()/int64(requestWindow/time.Second), 10)
	return strings.Repeat("0", max(0, 10-len(s))) + s
}

// forgetRequestCounts removes the counts of the hours before bucket's.
func forgetRequestCounts(ctx context.Context, claims *db.Collection, bucket string) {
	_, _ = claims.DeleteMany(context.WithoutCancel(ctx), db.And(db.Eq("kind", requestKind), db.Lt("key", bucket)))
}
