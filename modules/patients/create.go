package patients

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
)

var formPage = web.NewPage("patients/form")

type formView struct {
	Form       Form
	Patient    *Patient // nil when registering
	Sexes      any
	Duplicates []Patient
	Conflict   bool
	Unsaved    records.Changes // after a conflict: what the person typed, by the fields' labels
	SavedBy    string          // after a conflict: who saved the version shown ("You" for oneself)
	// ReturnTo is the page that asked for the registration (an online
	// booking request to confirm): the new patient's id goes back to it.
	ReturnTo string
}

func (m *Module) formPage(c *gin.Context, status int, v formView, errs map[string]string) error {
	v.Sexes = Sexes
	title := "Register a patient"
	if v.Patient != nil {
		title = "Edit " + v.Patient.FullName()
	}
	return m.S.Render.Page(c, status, formPage, web.Page{Title: title, Data: v, Errors: errs})
}

func (m *Module) showNew(c *gin.Context) error {
	audit.Shown(c.Request.Context(), actionView) // a blank form shows nobody's record
	return m.formPage(c, http.StatusOK, formView{}, nil)
}

// create registers a patient. Possible duplicates stop the first save: the
// form comes back listing them, and saving anyway is a deliberate second
// click (confirm=1).
//
// Another page may hand over what it knows (review=1): the form comes back
// filled in, nothing saved, for the person to check and complete — posted,
// so the details never sit in a URL. returnTo (a page of this clinic under
// /appointments/) is where the new patient's id goes once saved.
func (m *Module) create(c *gin.Context) error {
	ctx := c.Request.Context()
	f, back := FormFromValues(c.PostForm), returnTarget(c.PostForm("returnTo"))
	if c.PostForm("review") == "1" {
		audit.Shown(ctx, actionView) // what the person typed: nobody's record yet
		return m.formPage(c, http.StatusOK, formView{Form: f, ReturnTo: back}, nil)
	}
	if errs := f.Validate(m.clinicNow(c)); len(errs) > 0 {
		return m.formPage(c, http.StatusUnprocessableEntity, formView{Form: f, ReturnTo: back}, errs)
	}
	var p Patient
	f.Apply(&p)
	if c.PostForm("confirm") != "1" {
		dups, err := m.patients(c).Duplicates(ctx, p.FirstName, p.LastName, p.DateOfBirth, p.Phone, "")
		if err != nil {
			return err
		}
		if len(dups) > 0 {
			audit.Shown(ctx, actionList, refs(dups)...)
			return m.formPage(c, http.StatusUnprocessableEntity, formView{Form: f, Duplicates: dups, ReturnTo: back},
				map[string]string{"form": "This patient may already be registered. Check the list below, or save anyway."})
		}
	}
	if err := m.register(c, &p); err != nil {
		return err
	}
	web.Flash(c, "Patient registered.")
	if back != "" {
		web.Redirect(c, back+"?patientId="+p.ID)
		return nil
	}
	web.Redirect(c, "/patients/"+p.ID)
	return nil
}

// returnTarget is where a registration goes back to: a page of this clinic
// under /appointments/ (an online request being confirmed), or "" — never
// another host, nor a query a link could smuggle in.
func returnTarget(s string) string {
	if !strings.HasPrefix(s, "/appointments/") || strings.ContainsAny(s, "?#\\%") || strings.Contains(s, "//") || len(s) > 200 {
		return ""
	}
	return s
}

// register stores p as a new patient with the next number, audited.
func (m *Module) register(c *gin.Context, p *Patient) error {
	ctx := c.Request.Context()
	if err := m.patients(c).Create(ctx, p, m.S.User(c).ID, m.S.Now()); err != nil {
		return err
	}
	return audit.For(c).Record(actionCreate, "patient:"+p.ID, audit.Note(p.NumberLabel()), audit.Label(p.AuditLabel()))
}
