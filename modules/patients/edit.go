package patients

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
)

const conflictMessage = "Someone else saved changes to this patient while you were editing, so your changes were not saved. The form now shows the latest version; what you typed is listed above the Save button: carry over what still applies."

func (m *Module) edit(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	// The form shows the whole record: opening it is a view.
	audit.Shown(c.Request.Context(), actionView, ref(p))
	return m.formPage(c, http.StatusOK, formView{Form: FormFromPatient(p), Patient: p}, nil)
}

// update saves an edit made from the version the form was loaded with.
// A stale form is a conflict: nothing is overwritten.
func (m *Module) update(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	f := FormFromValues(c.PostForm)
	if errs := f.Validate(m.clinicNow(c)); len(errs) > 0 {
		audit.Shown(c.Request.Context(), actionView, ref(p)) // the form names the patient
		return m.formPage(c, http.StatusUnprocessableEntity, formView{Form: f, Patient: p}, errs)
	}
	err = m.save(c, p, f)
	if errors.Is(err, ErrConflict) {
		latest, lerr := m.load(c)
		if lerr != nil {
			return lerr
		}
		audit.Shown(c.Request.Context(), actionView, ref(latest))
		// The form shows the latest version; the changes the person made
		// to the version they opened are listed beside it, so none of
		// their work is lost.
		var unsaved records.Changes
		if opened, err := m.patients(c).versions().Revision(c.Request.Context(), p.ID, f.Version); err == nil {
			unsaved = labelled(diff(FormFromPatient(opened), f))
		}
		return m.formPage(c, http.StatusConflict, formView{Form: FormFromPatient(latest), Patient: latest, Conflict: true, Unsaved: unsaved,
			SavedBy: m.savedBy(c, latest.UpdatedBy)}, map[string]string{"form": conflictMessage})
	}
	if err != nil {
		return err
	}
	web.Flash(c, "Changes saved.")
	web.Redirect(c, "/patients/"+p.ID)
	return nil
}

// save applies f to p as the version after f.Version, audited when anything
// changed. The entry names the fields, not their values, so the audit log
// does not become a second copy of the record.
func (m *Module) save(c *gin.Context, p *Patient, f Form) error {
	ctx := c.Request.Context()
	before := FormFromPatient(p)
	f.Apply(p)
	changed := diff(before, FormFromPatient(p)).Names()
	err := m.patients(c).versions().Save(ctx, p, f.Version, changed, m.S.User(c).ID, m.S.Now())
	if err != nil || len(changed) == 0 {
		return err
	}
	return audit.For(c).Record(actionUpdate, "patient:"+p.ID, audit.Note("changed: "+strings.Join(changed, ", ")), audit.Label(p.AuditLabel()))
}

// diff lists the fields of b that differ from a, with b's values.
func diff(a, b Form) records.Changes {
	var c records.Changes
	c.Add("first name", a.FirstName != b.FirstName, b.FirstName)
	c.Add("last name", a.LastName != b.LastName, b.LastName)
	c.Add("date of birth", a.DateOfBirth != b.DateOfBirth, b.DateOfBirth)
	c.Add("sex", a.Sex != b.Sex, b.Sex)
	c.Add("phone", a.Phone != b.Phone, b.Phone)
	c.Add("email", a.Email != b.Email, b.Email)
	c.Add("address", a.Address != b.Address, b.Address)
	c.Add("emergency contact", a.EmergencyName != b.EmergencyName || a.EmergencyPhone != b.EmergencyPhone || a.EmergencyRelation != b.EmergencyRelation,
		strings.Join(slices.DeleteFunc([]string{b.EmergencyName, b.EmergencyRelation, b.EmergencyPhone}, func(s string) bool { return s == "" }), " · "))
	c.Add("allergies", !slices.Equal(a.Allergies, b.Allergies), strings.Join(b.Allergies, ", "))
	c.Add("notes", a.Notes != b.Notes, b.Notes)
	return c
}

// savedBy names who saved a version, for the person whose save it
// overtook: "You" when it was themselves (another tab), their name, or
// "Someone else" when the account is gone.
func (m *Module) savedBy(c *gin.Context, userID string) string {
	if me := m.S.User(c); me != nil && me.ID == userID {
		return "You"
	}
	u, err := auth.UserByID(c.Request.Context(), m.S.Clinic(c), userID)
	if err != nil || u.Name == "" {
		return "Someone else"
	}
	return u.Name
}

// fieldLabels are the form's labels of the fields as diff names them.
var fieldLabels = map[string]string{
	"first name": "First name", "last name": "Last name", "date of birth": "Date of birth", "sex": "Sex",
	"phone": "Phone", "email": "Email", "address": "Address", "emergency contact": "Emergency contact",
	"allergies": "Allergies", "notes": "Notes",
}

// labelled is cs as a person reads it beside the form: the fields by their
// labels, a sex by its label.
func labelled(cs records.Changes) records.Changes {
	out := make(records.Changes, len(cs))
	for i, ch := range cs {
		if ch.Name == "sex" {
			ch.Value = (&Patient{Sex: ch.Value}).SexLabel()
		}
		if l, ok := fieldLabels[ch.Name]; ok {
			ch.Name = l
		}
		out[i] = ch
	}
	return out
}

var archivePage = web.NewPage("patients/archive")

// confirmArchive is the step before archiving: what it does, and the
// button that does it. An archived patient has nothing to confirm: their
// page, which offers Restore.
func (m *Module) confirmArchive(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	if !p.Active {
		web.Redirect(c, "/patients/"+p.ID)
		return nil
	}
	audit.Shown(c.Request.Context(), actionView, ref(p))
	return m.S.Render.Page(c, http.StatusOK, archivePage, web.Page{Title: "Archive " + p.FullName() + "?", Data: p})
}

// archive hides a patient from the list; nothing is deleted. A page's
// request without confirm=1 changes nothing and answers with the
// confirmation; the API archives at once.
func (m *Module) archive(c *gin.Context) error {
	if !web.IsAPI(c) && c.PostForm("confirm") != "1" {
		return m.confirmArchive(c)
	}
	return m.setActive(c, false)
}

// restore brings an archived patient back.
func (m *Module) restore(c *gin.Context) error { return m.setActive(c, true) }

// setActive archives or restores the patient, from the version the page's
// form or the API's {"version": N} names. The API answers with the whole
// record; the page goes back to the patient.
func (m *Module) setActive(c *gin.Context, active bool) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	from, err := fromVersion(c)
	if err != nil {
		return err
	}
	err = m.setActiveFrom(c, p, from, active)
	switch {
	case errors.Is(err, ErrConflict) && web.IsAPI(c):
		return web.Conflict("The patient was changed by someone else. Fetch it again.")
	case errors.Is(err, ErrConflict):
		return &web.Error{Status: http.StatusConflict, Message: "Someone else changed this patient just now. Reload the page and try again.",
			Link: "/patients/" + p.ID, LinkText: "Reload the patient"}
	case err != nil:
		return err
	}
	if web.IsAPI(c) {
		// The answer is the whole record, which archiving alone does not
		// give: it is a view (create and update answer with what was sent).
		audit.Shown(c.Request.Context(), actionView, ref(p))
	}
	web.Done(c, http.StatusOK, toAPI(p), p.FullName()+map[bool]string{true: " was restored.", false: " was archived."}[active], "/patients/"+p.ID)
	return nil
}

// fromVersion is the version of the patient a change starts from: the
// form's hidden field, or the API's {"version": N}.
func fromVersion(c *gin.Context) (int64, error) {
	if !web.IsAPI(c) {
		return FormFromValues(c.PostForm).Version, nil
	}
	var body struct {
		Version int64 `json:"version"`
	}
	if err := json.NewDecoder(c.Request.Body).Decode(&body); err != nil {
		return 0, bodyError(err, `The request body must be {"version": N}.`)
	}
	if body.Version < 1 {
		return 0, versionMissing()
	}
	return body.Version, nil
}

// setActiveFrom archives or restores p as the version after from, audited.
func (m *Module) setActiveFrom(c *gin.Context, p *Patient, from int64, active bool) error {
	ctx := c.Request.Context()
	s, by, now := m.patients(c).versions(), m.S.User(c).ID, m.S.Now()
	set, action := s.Archive, actionArchive
	if active {
		set, action = s.Restore, actionRestore
	}
	if changed, err := set(ctx, p, from, by, now); err != nil || !changed {
		return err
	}
	return audit.For(c).Record(action, "patient:"+p.ID, audit.Label(p.AuditLabel()))
}
