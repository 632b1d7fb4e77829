package services

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/money"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
)

var (
	listPage = web.NewPage("services/list")
	showPage = web.NewPage("services/show")
	formPage = web.NewPage("services/form")
)

// view is what the pages show, each a part of it.
type view struct {
	Currency string
	Form     Form   // the service as text, or as typed
	Rows     []Form // a page of the list
	Pager    *web.Pager
	Query    string
	Archived bool
	History  []records.Entry
	Unsaved  records.Changes // after a conflict: what the person typed
}

// start loads the service the URL names (a new one where it names none; a
// 404 that says nothing of other clinics for an id not the clinic's) and
// the clinic's currency with its minor digits (JPY 0, USD 2).
func (m *Module) start(c *gin.Context) (*Service, view, int, error) {
	st, err := m.S.Settings(c)
	if err != nil {
		return nil, view{}, 0, err
	}
	svc := &Service{}
	if id := c.Param("id"); id != "" {
		svc, err = m.store(c).Get(c.Request.Context(), id)
	}
	if errors.Is(err, records.ErrNotFound) {
		err = web.NotFound("There is no such service in this clinic.")
	}
	return svc, view{Currency: st.Currency}, money.Digits(st.Currency), err
}

func (m *Module) store(c *gin.Context) records.Store[Service, *Service] {
	return records.For[Service](m.S.Clinic(c), kind)
}

// list shows a page of active (or archived) services in name order; a
// search matches the start of a name or of a code.
func (m *Module) list(c *gin.Context) error {
	_, v, digits, err := m.start(c)
	if err != nil {
		return err
	}
	v.Query, v.Archived, v.Pager = strings.TrimSpace(c.Query("q")), c.Query("archived") == "1", web.PagerFrom(c, 25)
	filter := db.Eq("active", !v.Archived)
	if v.Query != "" {
		filter = db.And(filter, db.Or(db.Prefix("nameKey", strings.ToLower(v.Query)), db.Prefix("code", strings.ToUpper(v.Query))))
	}
	list, p := []Service{}, v.Pager
	if err := m.S.Clinic(c).Collection(kind.Collection).FindPage(c.Request.Context(), filter, &list, p, db.Asc("nameKey")); err != nil {
		return err
	}
	if web.IsAPI(c) {
		web.OK(c, http.StatusOK, gin.H{"services": list, "total": p.Total, "more": p.More, "page": p.Page, "pages": p.Pages})
		return nil
	}
	for i := range list {
		v.Rows = append(v.Rows, formOf(&list[i], digits))
	}
	return m.S.Render.List(c, http.StatusOK, listPage, web.Page{Title: "Services", Data: v})
}

// show is a service's page, with its history.
func (m *Module) show(c *gin.Context) error {
	svc, v, digits, err := m.start(c)
	if err != nil {
		return err
	}
	if web.IsAPI(c) {
		web.OK(c, http.StatusOK, svc)
		return nil
	}
	v.Form = formOf(svc, digits)
	if v.History, err = m.store(c).History(c.Request.Context(), svc.ID); err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, showPage, web.Page{Title: svc.Name, Data: v})
}

// form is the blank form, or a service's edit form.
func (m *Module) form(c *gin.Context) error {
	svc, v, digits, err := m.start(c)
	if err != nil {
		return err
	}
	if svc.ID != "" {
		v.Form = formOf(svc, digits)
	}
	return m.S.Render.Page(c, http.StatusOK, formPage, web.Page{Title: "Service", Data: v})
}

const conflictMessage = "Someone else saved this service while you were editing it, so your changes were not saved. The form shows the latest version; what you typed is listed below it."

// submit adds a service, or saves an edit made from the version the form
// (or the request) started at. A stale version is a conflict: nothing is
// overwritten, and the form comes back with the latest version.
func (m *Module) submit(c *gin.Context) error {
	svc, v, digits, err := m.start(c)
	if err != nil {
		return err
	}
	v.Form, err = m.save(c, svc, digits)
	var bad *web.Error
	switch {
	case err == nil:
		status, msg := http.StatusOK, "Changes saved."
		if c.Param("id") == "" {
			status, msg = http.StatusCreated, "Service added."
		}
		web.Done(c, status, svc, msg, "/services/"+svc.ID)
		return nil
	case errors.Is(err, records.ErrConflict) && web.IsAPI(c):
		return web.Conflict("The service was changed by someone else since that version. Fetch it again and reapply your change.")
	case errors.Is(err, records.ErrConflict):
		// What the person typed, against the version they opened (the
		// latest version's own changes are not theirs).
		ctx := c.Request.Context()
		if svc, err = m.store(c).Get(ctx, svc.ID); err != nil {
			return err
		}
		opened, err := m.store(c).Revision(ctx, svc.ID, v.Form.Version)
		if errors.Is(err, records.ErrNotFound) {
			opened, err = svc, nil // a version that never was: against the latest
		}
		if err != nil {
			return err
		}
		typed, _ := v.Form.Parse(digits) // valid, or it would not have conflicted
		v.Form, v.Unsaved = formOf(svc, digits), diff(formOf(opened, digits), formOf(&Service{Fields: typed}, digits))
		return m.S.Render.Page(c, http.StatusConflict, formPage, web.Page{Title: "Service", Data: v, Errors: map[string]string{"form": conflictMessage}})
	case errors.As(err, &bad) && bad.Fields != nil && !web.IsAPI(c):
		v.Form.ID = c.Param("id")
		return m.S.Render.Page(c, bad.Status, formPage, web.Page{Title: "Service", Data: v, Errors: bad.Fields})
	}
	return err
}

// save reads the request's service and stores it as svc's next version
// (version 1 of a new one), with an audit entry naming what changed. It
// returns the form as typed. The unique index of codes has the last word
// on a code another service has.
func (m *Module) save(c *gin.Context, svc *Service, digits int) (Form, error) {
	typed, in, from, err := input(c, digits)
	if err != nil {
		return typed, err
	}
	ctx, by, now, was := c.Request.Context(), m.S.User(c).ID, m.S.Now(), *svc
	svc.Fields, svc.NameKey = in, strings.ToLower(in.Name)
	changed, action, note := diff(formOf(&was, digits), formOf(svc, digits)).Names(), actionCreate, in.Code+" · "+in.Name
	if was.ID == "" {
		err = m.store(c).Create(ctx, svc, by, now)
	} else {
		action, note = actionUpdate, note+" · changed "+strings.Join(changed, ", ")
		err = m.store(c).Save(ctx, svc, from, changed, by, now)
	}
	if db.IsDuplicate(err) {
		return typed, web.Invalid(map[string]string{"code": "Another service has the code " + in.Code + "."})
	}
	if err != nil || svc.Version == was.Version {
		return typed, err // or nothing changed: nothing to record
	}
	return typed, audit.For(c).Record(action, "service:"+svc.ID, audit.Note(note), audit.Label(svc.Name+" ("+svc.Code+")"))
}

func (m *Module) archive(c *gin.Context) error { return m.setActive(c, false) }
func (m *Module) restore(c *gin.Context) error { return m.setActive(c, true) }

// setActive archives or restores a service from the version the form (or
// the request) names. Archiving hides it from the list; nothing is deleted.
func (m *Module) setActive(c *gin.Context, active bool) error {
	svc, _, _, err := m.start(c)
	if err != nil {
		return err
	}
	_, _, from, err := input(c, -1)
	if err != nil {
		return err
	}
	set, action, msg := m.store(c).Archive, actionArchive, "Service archived."
	if active {
		set, action, msg = m.store(c).Restore, actionRestore, "Service restored."
	}
	changed, err := set(c.Request.Context(), svc, from, m.S.User(c).ID, m.S.Now())
	if errors.Is(err, records.ErrConflict) {
		return &web.Error{Status: http.StatusConflict, Message: "Someone else changed this service just now. Reload it and try again.",
			Link: "/services/" + svc.ID, LinkText: "Reload the service"}
	}
	if err == nil && changed {
		err = audit.For(c).Record(action, "service:"+svc.ID, audit.Note(svc.Code), audit.Label(svc.Name+" ("+svc.Code+")"))
	}
	if err == nil {
		web.Done(c, http.StatusOK, svc, msg, "/services/"+svc.ID)
	}
	return err
}

// input reads the request's service: the HTML form, with amounts typed in
// the clinic's currency (digits decimals), or JSON in the API's units. With
// digits < 0 it reads only the version (archive, restore). The fields come
// validated; from is the version a change starts at.
func input(c *gin.Context, digits int) (typed Form, in Fields, from int64, err error) {
	errs := map[string]string{}
	if !web.IsAPI(c) {
		if typed = FormFrom(c.PostForm); digits >= 0 {
			in, errs = typed.Parse(digits)
		}
		return typed, in, typed.Version, web.Check(errs)
	}
	var body Service
	if err := web.DecodeJSON(c, &body, `The body must be a JSON object such as {"name":"Consultation","code":"CONS","minutes":20,"price":2500,"taxRate":0}, with "version" to change a service.`); err != nil {
		return typed, in, 0, err
	}
	if digits >= 0 {
		errs = body.Fields.Validate()
	}
	if c.Param("id") != "" && body.Version < 1 {
		errs["version"] = "Send the version of the service the change starts from (the version field of GET)."
	}
	return typed, body.Fields, body.Version, web.Check(errs)
}
