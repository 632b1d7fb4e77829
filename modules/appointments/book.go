package appointments

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
)

// place stores a new appointment the one way every booking takes (the
// API, the booking form, a recurring series, an online request): its time
// is claimed first, unless it is overbooked on purpose, then the
// appointment is stored under the id the claims name and the booking is
// audited. A time held by another appointment is *errTaken naming it;
// nothing is kept then.
func (m *Module) place(c *gin.Context, a *Appointment) error {
	ctx, sl := c.Request.Context(), m.slots(c)
	if !a.Overbooked {
		if _, err := sl.claim(ctx, a.ID, a.keys()); err != nil {
			return err
		}
	}
	if m.afterClaims != nil {
		m.afterClaims() // tests: the process dies here
	}
	by := "online"
	if u := m.S.User(c); u != nil {
		by = u.ID
	}
	if err := m.store(c).Create(ctx, a, by, m.S.Now()); err != nil {
		_ = sl.release(context.WithoutCancel(ctx), a.ID, nil)
		return err
	}
	action := actionBook
	switch {
	case a.Overbooked:
		action = actionOverbook
	case a.Status == StatusRequested:
		action = actionRequest
	}
	return audit.For(c).Record(action, "appointment:"+a.ID, audit.Note(a.Start.Format(time.RFC3339)+" · "+strconv.Itoa(a.Minutes)+" min"))
}

// placeAll books a series all or nothing: each is placed in turn, and if
// one's time is taken those already placed are withdrawn (their claims
// released, the records removed) and the error returned. taken lists
// every appointment of the series whose time is held (by index), so a
// form can name each colliding date, not only the first.
func (m *Module) placeAll(c *gin.Context, series []*Appointment) (taken map[int]*errTaken, err error) {
	ctx, sl := c.Request.Context(), m.slots(c)
	taken = map[int]*errTaken{}
	for i, a := range series {
		if in, err := sl.inTheWay(ctx, a.ID, a.keys()); err != nil {
			return nil, err
		} else if in != nil {
			taken[i] = &errTaken{Blocker: in.AppointmentID}
		}
	}
	if len(taken) > 0 {
		return taken, nil
	}
	var placed []*Appointment
	for i, a := range series {
		var e *errTaken
		if err := m.place(c, a); errors.As(err, &e) {
			taken[i] = e
			m.withdraw(c, placed)
			return taken, nil
		} else if err != nil {
			m.withdraw(c, placed)
			return nil, err
		}
		placed = append(placed, a)
	}
	return nil, nil
}

// withdraw undoes placements of a series that could not be booked whole
// (another booking took one of its times between the check and the
// placing): each is cancelled, which releases its time and keeps the
// history honest — they were booked for a moment.
func (m *Module) withdraw(c *gin.Context, placed []*Appointment) {
	ctx := context.WithoutCancel(c.Request.Context())
	sl, st, now := m.slots(c), m.store(c), m.S.Now()
	for _, a := range placed {
		v := a.Version
		a.Status, a.CancelledBy, a.CancelReason = StatusCancelled, a.CreatedBy, "The series could not be booked whole: another booking took one of its times."
		if err := st.Save(ctx, a, v, []string{"status", "cancelledBy", "cancelReason"}, a.CreatedBy, now); err != nil {
			m.S.Log.Error().Err(err).Str("appointment", a.ID).Msg("appointments: withdrawing a series")
			continue
		}
		_ = sl.release(ctx, a.ID, nil)
		if err := audit.For(c).Record(actionCancel, "appointment:"+a.ID, audit.Change(StatusBooked, StatusCancelled+" · "+a.CancelReason)); err != nil {
			m.S.Log.Error().Err(err).Str("appointment", a.ID).Msg("appointments: auditing a withdrawn series")
		}
	}
}
