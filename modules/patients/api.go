package patients

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/web"
)

// The JSON API offers the pages' operations with the envelope
// {"success":true,"data":…} / {"success":false,"error":…}; errors pass
// through web.Fail like the pages' do, so internals never leak.

// apiPatient is a patient as the API shows it: the form's fields (the same
// names and formats a client sends back) plus what only Ward sets.
type apiPatient struct {
	ID          string `json:"id"`
	Number      int64  `json:"number"`
	NumberLabel string `json:"numberLabel"`
	Form
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func toAPI(p *Patient) apiPatient {
	return apiPatient{ID: p.ID, Number: p.Number, NumberLabel: p.NumberLabel(), Form: FormFromPatient(p),
		Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type apiList struct {
	Patients []apiPatient `json:"patients"`
	Total    int64        `json:"total"`
	More     bool         `json:"more,omitempty"` // more than total match (the list counts up to MaxPages pages)
	Page     int          `json:"page"`
	Pages    int          `json:"pages"`
}

func (m *Module) apiList(c *gin.Context) error {
	v, err := m.find(c)
	if err != nil {
		return err
	}
	p := v.Pager
	out := apiList{Patients: make([]apiPatient, len(v.Patients)), Total: p.Total, More: p.More, Page: p.Page, Pages: p.Pages}
	for i := range v.Patients {
		out.Patients[i] = toAPI(&v.Patients[i])
	}
	web.OK(c, http.StatusOK, out)
	return nil
}

func (m *Module) apiGet(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	audit.Shown(c.Request.Context(), actionView, ref(p))
	web.OK(c, http.StatusOK, toAPI(p))
	return nil
}

// decode reads a JSON patient strictly: unknown fields and trailing data are
// errors, so a typo in a field name is not silently ignored. What GET
// returned may be sent back as it is: the fields only Ward sets are ignored.
func decode(c *gin.Context) (Form, error) {
	var in apiPatient
	d := json.NewDecoder(c.Request.Body)
	d.DisallowUnknownFields()
	if err := d.Decode(&in); err != nil {
		return Form{}, bodyError(err, "The request body must be a JSON object with the patient's fields.")
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return Form{}, bodyError(err, "The request body must hold one JSON object.")
	}
	return in.Form, nil
}

// bodyError is the answer to a body that could not be read: 413 when it
// is over the size limit, else 400 with msg.
func bodyError(err error, msg string) error {
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return &web.Error{Status: http.StatusRequestEntityTooLarge, Err: err,
			Message: fmt.Sprintf("The request body is too large: Ward accepts up to %d bytes.", tooLarge.Limit)}
	}
	return web.BadRequest(msg)
}

// versionMissing is the answer to a change that does not say which version
// of the patient it was made from.
func versionMissing() error {
	return web.Invalid(map[string]string{"version": "Send the version of the patient the change starts from (the version field of GET)."})
}

// input decodes and validates the request's patient.
func (m *Module) input(c *gin.Context) (Form, error) {
	f, err := decode(c)
	if err != nil {
		return Form{}, err
	}
	f.normalize()
	if errs := f.Validate(m.clinicNow(c)); len(errs) > 0 {
		return Form{}, web.Invalid(errs)
	}
	return f, nil
}

func (m *Module) apiCreate(c *gin.Context) error {
	f, err := m.input(c)
	if err != nil {
		return err
	}
	var p Patient
	f.Apply(&p)
	if err := m.register(c, &p); err != nil {
		return err
	}
	web.OK(c, http.StatusCreated, toAPI(&p))
	return nil
}

func (m *Module) apiUpdate(c *gin.Context) error {
	p, err := m.load(c)
	if err != nil {
		return err
	}
	f, err := m.input(c)
	if err != nil {
		return err
	}
	if f.Version < 1 {
		return versionMissing()
	}
	err = m.save(c, p, f)
	if errors.Is(err, ErrConflict) {
		return web.Conflict(fmt.Sprintf("The patient was changed by someone else since version %d. Fetch it again and reapply your change.", f.Version))
	}
	if err != nil {
		return err
	}
	web.OK(c, http.StatusOK, toAPI(p))
	return nil
}
