package appointments

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/core/web"
)

func (m *Module) store(c *gin.Context) records.Store[Appointment, *Appointment] {
	return records.For[Appointment](m.S.Clinic(c), kind)
}

func (m *Module) slots(c *gin.Context) slots {
	return slots{tdb: m.S.Clinic(c), store: m.store(c), now: m.S.Now()}
}

// load is the appointment the URL names (a 404 that says nothing of other
// clinics for an id not the clinic's).
func (m *Module) load(c *gin.Context) (*Appointment, error) {
	a, err := m.store(c).Get(c.Request.Context(), c.Param("id"))
	if errors.Is(err, records.ErrNotFound) {
		return nil, web.NotFound("There is no such appointment in this clinic.")
	}
	return a, err
}

// Provider is a staff member who can be booked.
type Provider struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	roleKey string
}

// providers lists the active staff whose role may provide appointments,
// by name, with their role's name.
func (m *Module) providers(c *gin.Context) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	out, err := m.bookable(c)
	if err != nil {
		return err
	}
	roles, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, r := range roles {
		names[r.Key] = r.Name
	}
	for i := range out {
		out[i].Role = names[out[i].roleKey]
	}
	audit.Shown(ctx, actionList) // staff, not patients: nobody's record
	web.OK(c, http.StatusOK, gin.H{"providers": out})
	return nil
}

// bookable is the clinic's providers: its active staff whose role may
// provide appointments, by name (Role is left for the caller to name).
func (m *Module) bookable(c *gin.Context) ([]Provider, error) {
	users, err := m.S.UsersWhoCan(c.Request.Context(), m.S.Clinic(c), "appointments", "provide")
	if err != nil {
		return nil, err
	}
	out := make([]Provider, len(users))
	for i, u := range users {
		out[i] = Provider{ID: u.ID, Name: u.Name, roleKey: u.RoleKey}
	}
	slices.SortStableFunc(out, func(a, b Provider) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// isProvider reports whether id is an active user of the clinic whose role
// may provide appointments.
func (m *Module) isProvider(c *gin.Context, id string) (bool, error) {
	ctx := c.Request.Context()
	u, err := auth.UserByID(ctx, m.S.Clinic(c), id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return false, nil
	}
	if err != nil || u.Status != auth.UserActive {
		return false, err
	}
	grants, err := m.S.Policy(c).Grants(ctx)
	return err == nil && grants[u.RoleKey].Has("appointments", "provide"), err
}

// exists reports whether the clinic's collection holds an active document
// with id: a patient or a service, read by id only (modules do not import
// each other; every record kept with core/records has _id and active).
func exists(ctx context.Context, tdb *db.Tenant, collection, id string) (bool, error) {
	_, ok, err := lookup(ctx, tdb, collection, id)
	return ok, err
}

// lookup reads the usual minutes of an active document of collection (a
// service of the catalogue; other documents have none) and whether there
// is one.
func lookup(ctx context.Context, tdb *db.Tenant, collection, id string) (minutes int, ok bool, err error) {
	var doc struct {
		Active  bool `bson:"active"`
		Minutes int  `bson:"minutes"`
	}
	err = tdb.Collection(collection).FindOne(ctx, db.ID(id), &doc)
	if errors.Is(err, db.ErrNotFound) {
		return 0, false, nil
	}
	return doc.Minutes, err == nil && doc.Active, err
}

// list is one day's appointments (the clinic's day, in its time zone;
// today without date), by start; providerId and patientId narrow it. A
// patient's appointments without a date are all of theirs (up to 1,000).
func (m *Module) list(c *gin.Context) error {
	zone, day := m.S.Zone(c), c.Query("date")
	filter := db.Filter{}
	if day != "" || c.Query("patientId") == "" {
		if day == "" {
			day = m.S.Now().In(zone).Format(time.DateOnly)
		}
		from, err := time.ParseInLocation(time.DateOnly, day, zone)
		if err != nil {
			return web.Invalid(map[string]string{"date": "Give the day as YYYY-MM-DD, for example 2026-03-14."})
		}
		filter = db.And(db.Gte("start", from), db.Lt("start", from.AddDate(0, 0, 1)))
	}
	if p := c.Query("providerId"); p != "" {
		filter = db.And(filter, db.Eq("providerId", p))
	}
	if p := c.Query("patientId"); p != "" {
		filter = db.And(filter, db.Eq("patientId", p))
	}
	out := []Appointment{}
	if err := m.S.Clinic(c).Collection(kind.Collection).Find(c.Request.Context(), filter, &out,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}, Limit: 1000}); err != nil {
		return err
	}
	refs := make([]audit.Ref, len(out))
	for i := range out {
		refs[i] = audit.Ref{ID: out[i].ID}
	}
	audit.Shown(c.Request.Context(), actionList, refs...)
	answer := gin.H{"appointments": out}
	if day != "" {
		answer["date"] = day
	}
	web.OK(c, http.StatusOK, answer)
	return nil
}

// show is one appointment.
func (m *Module) show(c *gin.Context) error {
	a, err := m.load(c)
	if err == nil {
		audit.Shown(c.Request.Context(), actionView, audit.Ref{ID: a.ID})
		web.OK(c, http.StatusOK, a)
	}
	return err
}

// taken answers a booking refused because the time is held: 409 naming
// the appointment in the way.
func taken(c *gin.Context, e *errTaken) {
	c.JSON(http.StatusConflict, gin.H{"success": false,
		"error":    "That time is already booked: the provider, the patient or the room has another appointment then. Choose another time.",
		"conflict": gin.H{"id": e.Blocker}})
}

// bookRequest is the body of POST /api/appointments.
type bookRequest struct {
	PatientID  string `json:"patientId"`
	ProviderID string `json:"providerId"`
	Start      string `json:"start"`
	Minutes    int    `json:"minutes"`
	ServiceID  string `json:"serviceId"`
	RoomID     string `json:"roomId"`
	Reason     string `json:"reason"`
	Overbook   bool   `json:"overbook"`
}

const bookHint = `The body must be a JSON object such as {"patientId":"…","providerId":"…","start":"2026-03-14T09:30:00+01:00","minutes":30}, optionally with "serviceId", "roomId", "reason" and "overbook".`

// book books an appointment (POST /api/appointments).
func (m *Module) book(c *gin.Context) error {
	var in bookRequest
	if err := web.DecodeJSON(c, &in, bookHint); err != nil {
		return err
	}
	a, err := m.validBooking(c, in)
	if err != nil {
		return err
	}
	var e *errTaken
	if err := m.place(c, a); errors.As(err, &e) {
		taken(c, e)
		return nil
	} else if err != nil {
		return err
	}
	web.OK(c, http.StatusCreated, a)
	return nil
}

// validBooking checks a booking request: the patient and the provider
// exist, the span is whole units, overbooking is allowed.
func (m *Module) validBooking(c *gin.Context, in bookRequest) (*Appointment, error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	errs := map[string]string{}
	a := &Appointment{Meta: records.Meta{ID: db.NewID()}, PatientID: in.PatientID, ProviderID: in.ProviderID,
		ServiceID: in.ServiceID, RoomID: in.RoomID, Status: StatusBooked, Overbooked: in.Overbook}
	if ok, err := exists(ctx, tdb, "patients", in.PatientID); err != nil {
		return nil, err
	} else if !ok {
		errs["patientId"] = "Choose a patient of this clinic."
	}
	if ok, err := m.isProvider(c, in.ProviderID); err != nil {
		return nil, err
	} else if !ok {
		errs["providerId"] = "Choose a provider: an active staff member who sees patients."
	}
	if in.ServiceID != "" {
		minutes, ok, err := lookup(ctx, tdb, "services", in.ServiceID)
		if err != nil {
			return nil, err
		}
		if !ok {
			errs["serviceId"] = "Choose one of the clinic's services."
		} else if in.Minutes == 0 {
			in.Minutes = minutes // the service's usual length
		}
	}
	if in.RoomID != "" {
		if clean, msg := (text.Field{Label: "Room", Max: 64}).Check(in.RoomID); msg != "" {
			errs["roomId"] = msg
		} else {
			a.RoomID = clean
		}
	}
	if clean, msg := (text.Field{Label: "Reason", Max: 500, Multiline: true}).Check(in.Reason); msg != "" {
		errs["reason"] = msg
	} else {
		a.Reason = clean
	}
	var msgs map[string]string
	a.Span, msgs = spanOf(in.Start, in.Minutes)
	for k, v := range msgs {
		errs[k] = v
	}
	if err := web.Check(errs); err != nil {
		return nil, err
	}
	if in.Overbook {
		if err := m.mayOverbook(c); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// The length of an appointment: whole five-minute units, from one unit to
// twelve hours.
const (
	minMinutes = 5
	maxMinutes = 720
)

// lengthProblem is why n minutes (read with err) cannot be an
// appointment's length, or "".
func lengthProblem(n int, err error) string {
	switch {
	case err != nil || n < minMinutes || n > maxMinutes:
		return "An appointment lasts 5 to 720 minutes."
	case n%5 != 0:
		return "An appointment lasts a whole number of five-minute steps (5, 10, 15…)."
	}
	return ""
}

// spanOf reads a start (RFC 3339) and a length in minutes: whole
// five-minute units, 5 to 720 minutes. The messages are by field.
func spanOf(start string, minutes int) (Span, map[string]string) {
	errs := map[string]string{}
	t, err := time.Parse(time.RFC3339, start)
	switch {
	case start == "":
		errs["start"] = "Give the start, such as 2026-03-14T09:30:00+01:00."
	case err != nil:
		errs["start"] = "Give the start as a date and time with its offset, such as 2026-03-14T09:30:00+01:00."
	case !t.Equal(t.Truncate(Unit)):
		errs["start"] = "Appointments start on a five-minute step (9:00, 9:05, 9:10…)."
	}
	if msg := lengthProblem(minutes, nil); msg != "" {
		errs["minutes"] = msg
	}
	if len(errs) > 0 {
		return Span{}, errs
	}
	t = t.UTC()
	return Span{Start: t, Minutes: minutes, End: t.Add(time.Duration(minutes) * time.Minute)}, errs
}

// mayOverbook is nil when the signed-in user may book over other
// appointments, or the 403.
func (m *Module) mayOverbook(c *gin.Context) error {
	ok, err := m.S.Can(c, "appointments", "overbook")
	if err == nil && !ok {
		err = web.Forbidden("Your role may not book over other appointments.")
	}
	return err
}
