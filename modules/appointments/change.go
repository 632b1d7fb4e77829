package appointments

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/core/web"
)

const staleMessage = "The appointment was changed by someone else since that version. Fetch it again and reapply your change."

// rescheduleRequest is the body of PUT /api/appointments/:id.
type rescheduleRequest struct {
	Start    string `json:"start"`
	Minutes  int    `json:"minutes"`
	Version  int64  `json:"version"`
	Overbook bool   `json:"overbook"`
}

// reschedule moves a booked appointment (PUT /api/appointments/:id);
// refused, it keeps its time.
func (m *Module) reschedule(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	var in rescheduleRequest
	if err := web.DecodeJSON(c, &in, `The body must be a JSON object such as {"start":"2026-03-14T10:00:00+01:00","minutes":30,"version":3}.`); err != nil {
		return err
	}
	span, errs := spanOf(in.Start, in.Minutes)
	if in.Version < 1 {
		errs["version"] = "Send the version of the appointment the change starts from (the version field of GET)."
	}
	if a.Status != StatusBooked {
		errs["status"] = "Only a booked appointment can be rescheduled; this one is " + label(a.Status) + "."
	}
	if err := web.Check(errs); err != nil {
		return err
	}
	if in.Overbook {
		if err := m.mayOverbook(c); err != nil {
			return err
		}
	}
	was := a.Span
	var e *errTaken
	if err := m.moveTo(c, a, span, in.Version, in.Overbook); errors.As(err, &e) {
		taken(c, e)
		return nil
	} else if err != nil {
		return err
	}
	if err := audit.For(c).Record(actionReschedule, "appointment:"+a.ID, audit.Change(when(was), when(a.Span))); err != nil {
		return err
	}
	web.OK(c, http.StatusOK, a)
	return nil
}

// moveTo gives a the span from version, as the API's reschedule does: the
// new units are claimed first (those it holds are kept), the appointment
// saved, then the units it no longer needs released. A time taken is
// *errTaken and a keeps its time.
func (m *Module) moveTo(c *gin.Context, a *Appointment, span Span, version int64, overbook bool) error {
	if a.Version != version {
		return web.Conflict(staleMessage)
	}
	ctx, sl, was := c.Request.Context(), m.slots(c), *a
	have := map[key]bool{}
	if !a.Overbooked {
		for _, k := range a.keys() {
			have[k] = true
		}
	}
	a.Span, a.Overbooked = span, overbook
	var made []string
	if !a.Overbooked {
		var fresh []key
		for _, k := range a.keys() {
			if !have[k] {
				fresh = append(fresh, k)
			}
		}
		var err error
		if made, err = sl.claim(ctx, a.ID, fresh); err != nil {
			*a = was
			return err
		}
	}
	changed := []string{"start", "minutes", "end"}
	if was.Overbooked != a.Overbooked {
		changed = append(changed, "overbooked")
	}
	if err := m.store(c).Save(ctx, a, version, changed, m.S.User(c).ID, m.S.Now()); err != nil {
		sl.drop(ctx, made)
		if errors.Is(err, records.ErrConflict) {
			return web.Conflict(staleMessage)
		}
		return err
	}
	var keep []key
	if !a.Overbooked {
		keep = a.keys()
	}
	m.letGo(c, a, keep)
	return nil
}

// letGo releases the appointment's claims but keep, once its new version
// is saved: the change stands whatever happens here, so a failure is only
// logged; a claim left behind guards nothing and the next booking of its
// time takes it over (slots.orphan).
func (m *Module) letGo(c *gin.Context, a *Appointment, keep []key) {
	if err := m.slots(c).release(c.Request.Context(), a.ID, keep); err != nil {
		m.S.Log.Error().Err(err).Str("appointment", a.ID).Msg("appointments: releasing time no longer held")
	}
}

// when is a span for the audit log.
func when(s Span) string {
	return s.Start.Format(time.RFC3339) + " · " + strconv.Itoa(s.Minutes) + " min"
}

// next lists the statuses each status may move to.
var next = map[string][]string{
	StatusBooked:         {StatusArrived, StatusCancelled, StatusNoShow},
	StatusArrived:        {StatusInConsultation, StatusCancelled},
	StatusInConsultation: {StatusCompleted},
}

// actions are the audit codes of the statuses.
var actions = map[string]string{
	StatusArrived: actionArrive, StatusInConsultation: actionStart, StatusCompleted: actionComplete,
	StatusCancelled: actionCancel, StatusNoShow: actionNoShow,
}

// label is a status in words, within a sentence ("…that is in
// consultation", "…is a no-show").
func label(status string) string {
	if status == StatusNoShow {
		return "a no-show"
	}
	return strings.ToLower(statusLabel(status))
}

// allowed reports whether an appointment may move from one status to
// another.
func allowed(from, to string) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// mayMove is nil when the signed-in user may move the appointment to
// status (see moveRights.may).
func (m *Module) mayMove(c *gin.Context, a *Appointment, status string) error {
	r, err := m.moveRights(c)
	if err != nil {
		return err
	}
	return r.may(a, status)
}

// moveRights is what the signed-in person may do to appointments' status,
// read once per request (a page of many appointments asks for each).
type moveRights struct {
	update, cancel, provide bool
	user                    string
}

func (m *Module) moveRights(c *gin.Context) (moveRights, error) {
	r := moveRights{user: m.S.User(c).ID}
	var err error
	for _, p := range []struct {
		action string
		to     *bool
	}{{"update", &r.update}, {"delete", &r.cancel}, {"provide", &r.provide}} {
		if *p.to, err = m.S.Can(c, "appointments", p.action); err != nil {
			return r, err
		}
	}
	return r, nil
}

// may is nil when the move to status is allowed: cancelling needs
// appointments:delete; any other move needs appointments:update, or
// appointments:provide and being the appointment's provider (a doctor
// moves their own patients along).
func (r moveRights) may(a *Appointment, status string) error {
	switch {
	case status == StatusCancelled && !r.cancel:
		return web.Forbidden("Your role may not cancel appointments.")
	case status == StatusCancelled, r.update, r.provide && a.ProviderID == r.user:
		return nil
	}
	return web.Forbidden("Your role may move only your own appointments along.")
}

// statusRequest is the body of POST /api/appointments/:id/status.
type statusRequest struct {
	Status  string `json:"status"`
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

// setStatus moves an appointment along (POST /api/appointments/:id/status).
func (m *Module) setStatus(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	var in statusRequest
	if err := web.DecodeJSON(c, &in, `The body must be a JSON object such as {"status":"arrived","version":1}, with "reason" to cancel.`); err != nil {
		return err
	}
	if in.Version < 1 {
		return web.Invalid(map[string]string{"version": "Send the version of the appointment the change starts from (the version field of GET)."})
	}
	if err := m.moveStatus(c, a, in.Status, in.Version, in.Reason); err != nil {
		return err
	}
	web.OK(c, http.StatusOK, a)
	return nil
}

// moveStatus moves a to status from version, as the API's setStatus does:
// the move must be allowed from its status and by the role; a
// cancellation needs a reason; a cancelled or missed appointment lets its
// time go.
func (m *Module) moveStatus(c *gin.Context, a *Appointment, status string, version int64, reasonTyped string) error {
	if err := m.mayMove(c, a, status); err != nil {
		return err
	}
	if a.Version != version { // someone moved it first: that, not the move asked for, is what to say
		return web.Conflict(staleMessage)
	}
	errs := map[string]string{}
	if _, known := actions[status]; !known {
		errs["status"] = "Choose arrived, in-consultation, completed, cancelled or no-show."
	} else if !allowed(a.Status, status) {
		errs["status"] = "An appointment that is " + label(a.Status) + " cannot become " + label(status) + "."
	}
	reason, msg := text.Field{Label: "Reason", Max: 500, Multiline: true, Required: status == StatusCancelled,
		Missing: "Say why the appointment is cancelled."}.Check(reasonTyped)
	if msg != "" {
		errs["reason"] = msg
	}
	if err := web.Check(errs); err != nil {
		return err
	}
	ctx, by, now, was := c.Request.Context(), m.S.User(c).ID, m.S.Now(), a.Status
	a.Status = status
	changed := []string{"status"}
	switch status {
	case StatusArrived:
		a.ArrivedAt, changed = &now, append(changed, "arrivedAt")
	case StatusCompleted:
		a.CompletedAt, changed = &now, append(changed, "completedAt")
	case StatusCancelled:
		a.CancelledBy, a.CancelReason, changed = by, reason, append(changed, "cancelledBy", "cancelReason")
	}
	if err := m.store(c).Save(ctx, a, version, changed, by, now); errors.Is(err, records.ErrConflict) {
		return web.Conflict(staleMessage)
	} else if err != nil {
		return err
	}
	var keep []key // a cancelled or missed appointment lets all its time go, a completed one what is left of it
	if a.claimsTime() {
		keep = a.keys()
	}
	if status == StatusCancelled || status == StatusNoShow || status == StatusCompleted {
		m.letGo(c, a, keep)
	}
	after := a.Status
	if reason != "" {
		after += " · " + reason
	}
	return audit.For(c).Record(actions[status], "appointment:"+a.ID, audit.Change(was, after))
}
