package patients

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

const conflictMessage = "Someone else saved changes to this patient while you were editing, so your changes were not saved. The form now shows the latest version; what you typed is listed below it: carry over what still applies."

func (m *Module) edit(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	// The form shows the whole record: opening it is a view.
	audit.Shown(c.Request.Context(), audit.PatientView, ref(p))
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
		return m.formPage(c, http.StatusUnprocessableEntity, formView{Form: f, Patient: p}, errs)
	}
	changed, err := m.save(c, p, f)
	if errors.Is(err, ErrConflict) {
		latest, lerr := m.load(c)
		if lerr != nil {
			return lerr
		}
		audit.Shown(c.Request.Context(), audit.PatientView, ref(latest))
		// The form shows the latest version; the changes the person made
		// to the version they opened are listed beside it, so none of
		// their work is lost.
		var unsaved []fieldChange
		if opened, err := (store{tenant.DB(c.Request.Context())}).Revision(c.Request.Context(), p.ID, f.Version); err == nil {
			unsaved = diff(FormFromPatient(opened), f)
		}
		return m.formPage(c, http.StatusConflict, formView{Form: FormFromPatient(latest), Patient: latest, Conflict: true, Unsaved: unsaved},
			map[string]string{"form": conflictMessage})
	}
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		if err := m.record(c, "patient.update", p, "changed: "+strings.Join(changed, ", ")); err != nil {
			return err
		}
	}
	web.Redirect(c, "/patients/"+p.ID+"?saved=updated")
	return nil
}

// save applies f to p as the version after f.Version and returns the names
// of the fields that changed.
func (m *Module) save(c *gin.Context, p *Patient, f Form) ([]string, error) {
	ctx := c.Request.Context()
	if f.Version != p.Version {
		return nil, ErrConflict
	}
	before := FormFromPatient(p)
	f.Apply(p)
	after := FormFromPatient(p)
	changed := changedFields(before, after)
	if len(changed) == 0 {
		return nil, nil
	}
	err := store{tenant.DB(ctx)}.Save(ctx, p, f.Version, changed, auth.FromContext(ctx).ID, m.app.Clock.Now())
	return changed, err
}

// changedFields names what differs; the audit log records names, not
// values, so it does not become a second copy of the record.
func changedFields(a, b Form) []string {
	var out []string
	for _, d := range diff(a, b) {
		out = append(out, d.Name)
	}
	return out
}

// fieldChange is a field of b that differs from a, with b's value as text.
type fieldChange struct{ Name, Value string }

func diff(a, b Form) []fieldChange {
	var out []fieldChange
	add := func(name string, differ bool, value string) {
		if differ {
			out = append(out, fieldChange{name, value})
		}
	}
	add("first name", a.FirstName != b.FirstName, b.FirstName)
	add("last name", a.LastName != b.LastName, b.LastName)
	add("date of birth", a.DateOfBirth != b.DateOfBirth, b.DateOfBirth)
	add("sex", a.Sex != b.Sex, b.Sex)
	add("phone", a.Phone != b.Phone, b.Phone)
	add("email", a.Email != b.Email, b.Email)
	add("address", a.Address != b.Address, b.Address)
	add("emergency contact", a.EmergencyName != b.EmergencyName || a.EmergencyPhone != b.EmergencyPhone || a.EmergencyRelation != b.EmergencyRelation,
		strings.Join(slices.DeleteFunc([]string{b.EmergencyName, b.EmergencyRelation, b.EmergencyPhone}, func(s string) bool { return s == "" }), " · "))
	add("allergies", !slices.Equal(a.Allergies, b.Allergies), strings.Join(b.Allergies, ", "))
	add("notes", a.Notes != b.Notes, b.Notes)
	return out
}

// archive hides a patient from the list; nothing is deleted.
func (m *Module) archive(c *gin.Context) error { return m.setActive(c, false) }

// restore brings an archived patient back.
func (m *Module) restore(c *gin.Context) error { return m.setActive(c, true) }

func (m *Module) setActive(c *gin.Context, active bool) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	f := FormFromValues(c.PostForm)
	err = m.setActiveFrom(c, p, f.Version, active)
	if errors.Is(err, ErrConflict) {
		return &web.Error{Status: http.StatusConflict, Message: "Someone else changed this patient just now. Reload the page and try again.",
			Link: "/patients/" + p.ID, LinkText: "Reload the patient"}
	}
	if err != nil {
		return err
	}
	word := map[bool]string{true: "restored", false: "archived"}[active]
	web.Redirect(c, "/patients/"+p.ID+"?saved="+word)
	return nil
}

// setActiveFrom archives or restores p as the version after from, audited.
func (m *Module) setActiveFrom(c *gin.Context, p *Patient, from int64, active bool) error {
	ctx := c.Request.Context()
	if p.Version != from {
		return ErrConflict
	}
	if p.Active == active {
		return nil
	}
	p.Active = active
	if err := (store{tenant.DB(ctx)}).Save(ctx, p, from, []string{"active"}, auth.FromContext(ctx).ID, m.app.Clock.Now()); err != nil {
		return err
	}
	return m.record(c, map[bool]string{true: "patient.restore", false: "patient.archive"}[active], p, "")
}
