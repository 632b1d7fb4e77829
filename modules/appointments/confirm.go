package appointments

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/core/web"
)

// The front desk confirms an online request against a patient record —
// one the clinic has (the page suggests those who may be the person, by
// the rules of the patients' duplicate warning) or one registered for the
// occasion — or declines it. Confirming claims the patient's time too and
// books the appointment; both answers are mailed to the person who asked.

// patientMatch is a patient who may be the person who asked, and why.
type patientMatch struct {
	ID          string    `bson:"_id"`
	Number      int64     `bson:"number"`
	FirstName   string    `bson:"firstName"`
	LastName    string    `bson:"lastName"`
	DateOfBirth time.Time `bson:"dob"`
	Phone       string    `bson:"phone"`
	Email       string    `bson:"email"`
	Active      bool      `bson:"active"`
	PhoneDigits string    `bson:"phoneDigits"`
	EmailKey    string    `bson:"emailKey"`
	Why         string    `bson:"-"`
	Sure        bool      `bson:"-"` // the same date of birth and name: them, most likely (not a relative sharing a phone)
}

// Label is the patient's number as the clinic writes it: P-000042.
func (p patientMatch) Label() string { return patientNumber(p.Number) }

// auditLabel names the patient in the audit log, as the patients module does.
func (p patientMatch) auditLabel() string {
	return p.FirstName + " " + p.LastName + " (" + p.Label() + ")"
}

// maxMatches is the most patients the page suggests.
const maxMatches = 8

// requestPhoneTail is how many trailing digits make two phones the same (as the
// patients' duplicate rule counts them).
const requestPhoneTail = 9

// matchesFor are the clinic's active patients who may be the requester:
// the same date of birth and a name at most one typo away (either order),
// the same phone (its last digits), or the same email address.
func matchesFor(ctx context.Context, tdb *db.Tenant, r *Requester) ([]patientMatch, error) {
	var or []db.Filter
	dob, dobErr := time.Parse(time.DateOnly, r.DateOfBirth)
	if dobErr == nil {
		or = append(or, db.Eq("dob", dob))
	}
	phone := onlineDigits(r.Phone)
	if len(phone) >= 5 {
		or = append(or, db.Prefix("phoneRev", reversedDigits(phoneEnd(phone))))
	}
	email := strings.ToLower(strings.TrimSpace(r.Email))
	if email != "" {
		or = append(or, db.Eq("emailKey", email))
	}
	if len(or) == 0 {
		return nil, nil
	}
	var found []patientMatch
	if err := tdb.Collection("patients").Find(ctx, db.Or(or...), &found, db.FindOptions{Limit: 200}); err != nil {
		return nil, err
	}
	name := strings.Join(strings.Fields(text.Fold(r.Name)), " ") // "Mary  Ann" is "mary ann"
	var out []patientMatch
	for _, p := range found {
		if !p.Active {
			continue
		}
		var why []string
		if dobErr == nil && p.DateOfBirth.Equal(dob) && sameName(name, p.FirstName, p.LastName) {
			why, p.Sure = append(why, "date of birth and name"), true
		}
		if len(phone) >= 5 && len(p.PhoneDigits) >= 5 && phoneEnd(p.PhoneDigits) == phoneEnd(phone) {
			why = append(why, "phone")
		}
		if email != "" && p.EmailKey == email {
			why = append(why, "email")
		}
		if len(why) == 0 {
			continue
		}
		p.Why = "Same " + strings.Join(why, ", ")
		out = append(out, p)
		if len(out) == maxMatches {
			break
		}
	}
	return out, nil
}

// sameName reports whether name (folded) is at most one typo from the
// patient's first and last name, in either order.
func sameName(name, first, last string) bool {
	f, l := text.Fold(first), text.Fold(last)
	return text.EditDistance(name, f+" "+l) <= 1 || text.EditDistance(name, l+" "+f) <= 1
}

func phoneEnd(d string) string {
	if len(d) > requestPhoneTail {
		return d[len(d)-requestPhoneTail:]
	}
	return d
}

func reversedDigits(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// activePatient is the clinic's active patient with id, or nil.
func activePatient(ctx context.Context, tdb *db.Tenant, id string) (*patientMatch, error) {
	if id == "" {
		return nil, nil
	}
	var p patientMatch
	err := tdb.Collection("patients").FindOne(ctx, db.ID(id), &p)
	if errors.Is(err, db.ErrNotFound) || err == nil && !p.Active {
		return nil, nil
	}
	return &p, err
}

// requestsPage lists the requests waiting for confirmation.
var requestsPage = web.NewPage("appointments/book-requests")

// requestRow is one request of the list.
type requestRow struct {
	Appointment
	Service  string
	Provider string
}

// requests lists the online requests waiting for confirmation, by time:
// those from a day ago on (older ones are past help).
func (m *Module) requests(c *gin.Context) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	var list []Appointment
	filter := db.And(db.Gte("start", m.S.Now().Add(-24*time.Hour)), db.Eq("status", StatusRequested))
	if err := tdb.Collection(kind.Collection).Find(ctx, filter, &list,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}, Limit: 500}); err != nil {
		return err
	}
	rows := make([]requestRow, len(list))
	refs := make([]audit.Ref, len(list))
	for i := range list {
		rows[i].Appointment = list[i]
		rows[i].Service, rows[i].Provider = m.requestLabels(c, &list[i])
		refs[i] = audit.Ref{ID: list[i].ID}
	}
	audit.Shown(ctx, actionList, refs...)
	return m.S.Render.Page(c, http.StatusOK, requestsPage, web.Page{Title: "Online requests", Data: rows})
}

// confirmView is the confirmation page.
type confirmView struct {
	Appointment *Appointment
	Service     string
	Provider    string
	Candidates  []patientMatch
	Chosen      string            // the patient chosen or just registered
	Register    map[string]string // the registration form's fields, filled with what the person gave
	Reason      string
}

// showConfirm shows a request: who asked, for when, and the patients who
// may be them.
func (m *Module) showConfirm(c *gin.Context) error {
	a, err := m.load(c)
	if err != nil {
		return err
	}
	return m.renderConfirm(c, http.StatusOK, a, c.Query("patientId"), nil)
}

// renderConfirm renders the confirmation page, reporting the appointment
// and the patients it shows.
func (m *Module) renderConfirm(c *gin.Context, status int, a *Appointment, chosen string, errs map[string]string) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	v := confirmView{Appointment: a, Chosen: chosen, Reason: strings.TrimSpace(c.PostForm("reason"))}
	v.Service, v.Provider = m.requestLabels(c, a)
	if a.Status == StatusRequested && a.Requester != nil {
		var err error
		if v.Candidates, err = matchesFor(ctx, tdb, a.Requester); err != nil {
			return err
		}
		if p, err := activePatient(ctx, tdb, chosen); err != nil {
			return err
		} else if p != nil && !hasMatch(v.Candidates, p.ID) {
			p.Why = "Just registered"
			v.Candidates = append([]patientMatch{*p}, v.Candidates...)
		}
		if len(v.Candidates) == 1 && v.Chosen == "" && v.Candidates[0].Sure {
			v.Chosen = v.Candidates[0].ID // a phone or an address alone may be a relative's: chosen by hand
		}
		v.Register = registerFields(a)
	}
	audit.Shown(ctx, actionView, audit.Ref{ID: a.ID})
	refs := make([]audit.Ref, len(v.Candidates))
	for i, p := range v.Candidates {
		refs[i] = audit.Ref{ID: p.ID, Label: p.auditLabel()}
	}
	m.showPatients(ctx, refs...)
	return m.S.Render.Page(c, status, confirmPage, web.Page{Title: "Online request", Data: v, Errors: errs})
}

func hasMatch(cs []patientMatch, id string) bool {
	for _, p := range cs {
		if p.ID == id {
			return true
		}
	}
	return false
}

// registerFields fill the patient registration form with what the person
// gave, posted (review=1: the form comes back to check, nothing saved; the
// details never sit in a URL), to come back here once registered.
func registerFields(a *Appointment) map[string]string {
	r := a.Requester
	first, last := splitName(r.Name)
	return map[string]string{"firstName": first, "lastName": last, "dateOfBirth": r.DateOfBirth, "phone": r.Phone,
		"email": r.Email, "review": "1", "returnTo": "/appointments/" + a.ID + "/confirm"}
}

// splitName splits a full name at its last space: first names, last name.
func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", name
	}
	return strings.TrimSpace(name[:i]), name[i+1:]
}

// requestLabels are the appointment's service and provider as people read them.
func (m *Module) requestLabels(c *gin.Context, a *Appointment) (svc, provider string) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	if a.ServiceID != "" {
		var s serviceRow
		if err := tdb.Collection("services").FindOne(ctx, db.ID(a.ServiceID), &s); err == nil {
			svc = s.Name
		}
	}
	if u, err := auth.UserByID(ctx, tdb, a.ProviderID); err == nil {
		provider = u.Name
	}
	return svc, provider
}

// Messages of the confirmation.
const (
	msgNotRequested  = "This appointment is not waiting for confirmation any more."
	msgChoosePatient = "Choose the patient this request is for, or register them first."
	msgPatientBusy   = "That patient already has another appointment at this time."
	msgStaleRequest  = "Someone else changed this request meanwhile. Check it again below."
)

// awaiting is the appointment the URL names if it still waits for
// confirmation and the form started from its current version; otherwise
// ok is false and the answer is the error, or the page already rendered.
func (m *Module) awaiting(c *gin.Context) (a *Appointment, ok bool, err error) {
	if a, err = m.load(c); err != nil {
		return nil, false, err
	}
	if a.Status != StatusRequested {
		return nil, false, web.Conflict(msgNotRequested)
	}
	if v, _ := strconv.ParseInt(c.PostForm("version"), 10, 64); v != a.Version {
		return nil, false, m.renderConfirm(c, http.StatusConflict, a, c.PostForm("patientId"), map[string]string{"form": msgStaleRequest})
	}
	return a, true, nil
}

// confirm books a request for a patient: the patient's time is claimed
// (their other appointments stand in its way), the appointment becomes
// booked as its next version, audited, and the person is mailed.
func (m *Module) confirm(c *gin.Context) error {
	a, ok, err := m.awaiting(c)
	if !ok {
		return err
	}
	from := a.Version
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	pid := strings.TrimSpace(c.PostForm("patientId"))
	p, err := activePatient(ctx, tdb, pid)
	if err != nil {
		return err
	}
	if p == nil {
		return m.renderConfirm(c, http.StatusUnprocessableEntity, a, "", map[string]string{"patientId": msgChoosePatient})
	}
	sl := m.slots(c)
	var keys []key
	for _, u := range units(a.Start, a.End) {
		keys = append(keys, key{"patient:" + p.ID, u})
	}
	var e *errTaken
	made, err := sl.claim(ctx, a.ID, keys)
	if errors.As(err, &e) {
		return m.renderConfirm(c, http.StatusConflict, a, p.ID, map[string]string{"patientId": msgPatientBusy})
	} else if err != nil {
		return err
	}
	a.PatientID, a.Status = p.ID, StatusBooked
	if err := m.store(c).Save(ctx, a, from, []string{"patientId", "status"}, m.S.User(c).ID, m.S.Now()); err != nil {
		sl.drop(ctx, made)
		if errors.Is(err, records.ErrConflict) {
			return web.Conflict(msgStaleRequest)
		}
		return err
	}
	if err := audit.For(c).Record(actionConfirm, "appointment:"+a.ID, audit.Change(StatusRequested, StatusBooked+" · patient "+p.Label())); err != nil {
		return err
	}
	m.tellRequester(c, a, "confirm:", "Your appointment at %s is confirmed", func(svc, provider, when string) string {
		s := "Your appointment"
		if svc != "" {
			s += " for " + svc
		}
		s += " on " + when
		if provider != "" {
			s += " with " + provider
		}
		return s + " is confirmed.\n\nIf you cannot come, please let the clinic know as early as you can."
	})
	web.Flash(c, "Appointment confirmed for "+p.FirstName+" "+p.LastName+".")
	web.Redirect(c, "/appointments/"+a.ID+"/confirm")
	return nil
}

// decline cancels a request with a reason the person is told: its time is
// let go.
func (m *Module) decline(c *gin.Context) error {
	a, ok, err := m.awaiting(c)
	if !ok {
		return err
	}
	from := a.Version
	reason, msg := text.Field{Label: "Reason", Max: 500, Multiline: true, Required: true,
		Missing: "Give the reason: the person who asked is told it."}.Check(c.PostForm("reason"))
	if msg != "" {
		return m.renderConfirm(c, http.StatusUnprocessableEntity, a, "", map[string]string{"reason": msg})
	}
	ctx, by := c.Request.Context(), m.S.User(c).ID
	a.Status, a.CancelledBy, a.CancelReason = StatusCancelled, by, reason
	if err := m.store(c).Save(ctx, a, from, []string{"status", "cancelledBy", "cancelReason"}, by, m.S.Now()); errors.Is(err, records.ErrConflict) {
		return web.Conflict(msgStaleRequest)
	} else if err != nil {
		return err
	}
	if err := m.slots(c).release(ctx, a.ID, nil); err != nil {
		return err
	}
	if err := audit.For(c).Record(actionDecline, "appointment:"+a.ID, audit.Change(StatusRequested, StatusCancelled+" · "+reason)); err != nil {
		return err
	}
	m.tellRequester(c, a, "decline:", "Your appointment request at %s", func(svc, _, when string) string {
		s := "We are sorry: the clinic cannot give you the appointment you asked for"
		if svc != "" {
			s += " (" + svc + ")"
		}
		return s + " on " + when + ".\n\nThe clinic says: " + reason + "\n\nYou are welcome to ask for another time."
	})
	web.Flash(c, "Request declined.")
	web.Redirect(c, "/appointments/"+a.ID+"/confirm")
	return nil
}

// tellRequester mails the person who asked about their request (key prefix and the
// appointment's id make the mail's key: it is queued once). A failure is
// logged: the change is made.
func (m *Module) tellRequester(c *gin.Context, a *Appointment, keyPrefix, subject string, body func(svc, provider, when string) string) {
	if a.Requester == nil || a.Requester.Email == "" {
		return
	}
	clinic := m.onlineClinicName(c)
	svc, provider := m.requestLabels(c, a)
	err := m.S.Mail(c, mail.Message{
		Key:     keyPrefix + a.ID,
		To:      a.Requester.Email,
		Subject: strings.Replace(subject, "%s", clinic, 1),
		Text:    "Hello " + a.Requester.Name + ",\n\n" + body(svc, provider, m.onlineFormats(c).DateTime(a.Start)) + "\n\n— " + clinic + "\n",
	})
	if err != nil {
		m.S.Log.Error().Err(err).Str("appointment", a.ID).Msg("appointments: mail to the person who asked not queued")
	}
}
