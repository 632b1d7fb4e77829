package patients

import (
	"cmp"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/web"
)

var showPage = web.NewPage("patients/show")

type showView struct {
	Patient *Patient
	Age     int
	// Upcoming are the entries still ahead (appointments), soonest
	// first; Timeline the history, newest first.
	Upcoming []app.TimelineEntry
	Timeline []app.TimelineEntry
	// TimelineIncomplete: a module's entries could not be read; the
	// rest of the page (allergies first) still shows.
	TimelineIncomplete bool
}

// patients is the request's clinic's patients.
func (m *Module) patients(c *gin.Context) store { return store{m.S.Clinic(c)} }

// load returns the clinic's patient named in the URL, or a 404 that says
// nothing about other clinics.
// Every route that loads a patient shows them (the edit form, the archive
// confirmation, the API's answer), so each needs patients:read as well as
// its own permission.
func (m *Module) load(c *gin.Context) (*Patient, error) {
	ctx := c.Request.Context()
	if ok, err := m.S.Can(c, "patients", "read"); err != nil || !ok {
		return nil, cmp.Or(err, error(web.Forbidden("You may not see patients' records.")))
	}
	p, err := m.patients(c).Get(ctx, c.Param("id"))
	if errors.Is(err, ErrNotFound) {
		return nil, web.NotFound("There is no such patient in this clinic.")
	}
	return p, err
}

func (m *Module) show(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := m.load(c)
	if err != nil {
		return err
	}
	tl, complete := m.timelineFor(c, p.ID)
	up, past := splitTimeline(tl, m.S.Now())
	audit.Shown(ctx, actionView, ref(p)) // the record and its timeline
	return m.S.Render.Page(c, http.StatusOK, showPage, web.Page{Title: p.FullName(), Data: showView{
		Patient: p, Age: p.Age(m.clinicNow(c)), Upcoming: up, Timeline: past, TimelineIncomplete: !complete,
	}})
}

// clinicNow is the current time in the clinic's time zone: "today" for a
// date of birth or an age is the clinic's day.
func (m *Module) clinicNow(c *gin.Context) time.Time {
	return m.S.Now().In(m.S.Zone(c))
}

// ref names a patient in the audit log: who looked at whose record is part
// of the record, so every response showing patients reports them (views are
// written by core, see audit.Shown).
func ref(p *Patient) audit.Ref { return audit.Ref{ID: p.ID, Label: p.AuditLabel()} }

// refs names the patients of a list, in its order.
func refs(ps []Patient) []audit.Ref {
	out := make([]audit.Ref, len(ps))
	for i := range ps {
		out[i] = ref(&ps[i])
	}
	return out
}
