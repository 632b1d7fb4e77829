package appointments

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
)

// PatientTimeline implements app.TimelineSource: the patient's next
// appointments (up to limit, soonest first) and their latest past ones
// (up to limit), for whoever may read appointments.
func (m *Module) PatientTimeline(c *gin.Context, patientID string, limit int) ([]app.TimelineEntry, error) {
	if ok, err := m.S.Can(c, "appointments", "read"); err != nil || !ok {
		return nil, err
	}
	ctx, coll, now := c.Request.Context(), m.S.Clinic(c).Collection(kind.Collection), m.S.Now()
	var ahead, past []Appointment
	if err := coll.Find(ctx, db.And(db.Eq("patientId", patientID), db.Gt("start", now)), &ahead,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}, Limit: int64(limit)}); err != nil {
		return nil, err
	}
	if err := coll.Find(ctx, db.And(db.Eq("patientId", patientID), db.Lte("start", now)), &past,
		db.FindOptions{Sort: []db.Order{db.Desc("start")}, Limit: int64(limit)}); err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]app.TimelineEntry, 0, len(ahead)+len(past))
	for _, a := range append(ahead, past...) {
		name, seen := names[a.ProviderID]
		if !seen {
			if u, err := auth.UserByID(ctx, m.S.Clinic(c), a.ProviderID); err == nil {
				name = u.Name
			}
			names[a.ProviderID] = name
		}
		title := strconv.Itoa(a.Minutes) + " min"
		if name != "" {
			title += " with " + name
		}
		summary := statusLabel(a.Status)
		if a.Reason != "" {
			summary += " · " + a.Reason
		}
		out = append(out, app.TimelineEntry{At: a.Start, Kind: "Appointment", Title: title, Summary: summary, Href: "/appointments/" + a.ID})
	}
	return out, nil
}

// statusLabel is a status as the calendar and timeline show it.
func statusLabel(status string) string {
	switch status {
	case StatusRequested:
		return "Requested online"
	case StatusBooked:
		return "Booked"
	case StatusArrived:
		return "Arrived"
	case StatusInConsultation:
		return "In consultation"
	case StatusCompleted:
		return "Completed"
	case StatusCancelled:
		return "Cancelled"
	case StatusNoShow:
		return "No-show"
	}
	return status
}
