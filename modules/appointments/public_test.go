package appointments

import (
	"context"
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/services"
	settingsmod "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

func TestOnlineBooking(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), New(), patients.New(), services.New(), settingsmod.New())
	s.Parallel(t, testOnlineOff, testOnlineSettings, testOnlineEndToEnd, testOnlineDecline, testOnlineHoneypot,
		testOnlineLimitPerIP, testOnlineLimitPerClinic, testOnlineIsolation, testOnlineOpenRequestsPerAddress)
}

// onlineEnv is a clinic taking bookings online: a doctor offered, a 30-minute
// service, its admin signed in.
type onlineEnv struct {
	s       *apptest.Server
	cl      *apptest.Clinic
	admin   *apptest.Client
	doctor  string
	service string
}

func newOnlineEnv(t *testing.T, s *apptest.Server, suffix string) *onlineEnv {
	t.Helper()
	cl, admin := s.NewSignedInClinic(t, apptest.Subdomain(t, suffix))
	doc := s.NewUser(t, cl, "doctor", "Dr Dora Nakamura", "dora@"+cl.Subdomain+".test")
	_, e := admin.API(cl.Host, http.MethodPost, "/api/services", `{"name":"Consultation","code":"CONS","minutes":30,"price":5000,"taxRate":0}`)
	svc := apptest.Data[struct{ ID string }](t, e)
	o := &onlineEnv{s: s, cl: cl, admin: admin, doctor: doc.ID, service: svc.ID}
	o.settings(t, url.Values{"on": {"1"}, "providers": {doc.ID}, "daysAhead": {"30"}, "noticeHours": {"2"}}, http.StatusSeeOther)
	return o
}

func (o *onlineEnv) settings(t *testing.T, f url.Values, want int) *apptest.Response {
	t.Helper()
	apptest.WantStatus(t, "GET the online booking settings", o.admin.Get(o.cl.Host, "/appointments/settings/online"), http.StatusOK)
	r := o.admin.PostForm(o.cl.Host, "/appointments/settings/online", f)
	apptest.WantStatus(t, "saving the online booking settings", r, want)
	return r
}

// slots are the free times /book offers for the service in the week of day.
func (o *onlineEnv) slots(t *testing.T, c *apptest.Client, day string) ([]string, *apptest.Response) {
	t.Helper()
	r := c.Get(o.cl.Host, "/book?service="+o.service+"&week="+day)
	apptest.WantStatus(t, "GET /book", r, http.StatusOK)
	var out []string
	r.Doc(t).Find(`input[name="slot"]`).Each(func(_ int, sel *goquery.Selection) {
		out = append(out, sel.AttrOr("value", ""))
	})
	return out, r
}

// onlineAsker is what someone asking online types.
func onlineAsker(service, slot string) url.Values {
	return url.Values{"service": {service}, "slot": {slot}, "name": {"Pat Example"}, "dateOfBirth": {"1980-05-06"},
		"phone": {"+1 555 010 2030"}, "email": {"pat@example.test"}}
}

// request asks for slot as a new visitor and returns the answer.
func (o *onlineEnv) request(t *testing.T, slot string) *apptest.Response {
	t.Helper()
	return o.requestAs(t, slot, "pat@example.test")
}

// requestAs asks for slot as a new visitor with another email address.
func (o *onlineEnv) requestAs(t *testing.T, slot, email string) *apptest.Response {
	t.Helper()
	c := o.s.Client(t)
	c.Get(o.cl.Host, "/book")
	v := onlineAsker(o.service, slot)
	v.Set("email", email)
	return c.PostForm(o.cl.Host, "/book", v)
}

func (o *onlineEnv) appointments(t *testing.T) []Appointment {
	return apptest.Find[Appointment](t, o.cl.DB.Collection(kind.Collection), db.Filter{}, db.Asc("start"))
}

func (o *onlineEnv) mailed(t *testing.T, key string) []mail.Message {
	return apptest.Find[mail.Message](t, o.cl.DB.Collection(mail.Collection), db.Eq("key", key))
}

const onlineMonday = "2026-03-02" // apptest.Epoch's day, 09:00 UTC

func testOnlineOff(t *testing.T, s *apptest.Server) {
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	c := s.Client(t)
	for _, r := range []*apptest.Response{c.Get(cl.Host, "/book"), c.PostForm(cl.Host, "/book", url.Values{"name": {"X"}}), c.Get(cl.Host, "/book/thanks")} {
		apptest.WantStatus(t, "online booking off", r, http.StatusNotFound)
		if !strings.Contains(r.Body, msgNotOnline) {
			t.Fatalf("the 404 does not say %q", msgNotOnline)
		}
	}
	if n := apptest.Count(t, cl.DB.Collection(kind.Collection), db.Filter{}); n != 0 {
		t.Fatalf("%d appointments stored", n)
	}
}

func testOnlineSettings(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	r := o.settings(t, url.Values{"on": {"1"}, "daysAhead": {"30"}, "noticeHours": {"2"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "at least one provider") {
		t.Fatal("turning online booking on with no provider is not refused by field")
	}
	o.settings(t, url.Values{"on": {"1"}, "providers": {"nobody"}, "daysAhead": {"30"}, "noticeHours": {"2"}}, http.StatusUnprocessableEntity)
	o.settings(t, url.Values{"on": {"1"}, "providers": {o.doctor}, "daysAhead": {"0"}, "noticeHours": {"-1"}}, http.StatusUnprocessableEntity)
	r = o.settings(t, url.Values{"providers": {o.doctor}, "daysAhead": {"14"}, "noticeHours": {"4"}}, http.StatusSeeOther)
	o.admin.WantFlash(o.cl.Host, r, "Online booking settings saved.")
	apptest.WantStatus(t, "GET /book once turned off", s.Client(t).Get(o.cl.Host, "/book"), http.StatusNotFound)
	got := apptest.Find[Online](t, o.cl.DB.Collection(onlineCollection), db.ID("online:"+o.cl.ID))
	if len(got) != 1 || got[0].ID != "online:"+o.cl.ID || got[0].On || got[0].DaysAhead != 14 || got[0].NoticeHours != 4 {
		t.Fatalf("stored settings: %+v", got)
	}
	if n := apptest.Count(t, o.cl.DB.Collection(audit.Collection), db.Eq("action", actionOnlineSettings)); n != 2 {
		t.Fatalf("%d audit entries of the settings, want 2", n)
	}
	// Who may not change the clinic's settings may not open them.
	s.NewUser(t, o.cl, "receptionist", "Rita Reception", "rita@"+o.cl.Subdomain+".test")
	rc := s.SignedIn(t, o.cl.Host, "rita@"+o.cl.Subdomain+".test")
	apptest.WantStatus(t, "a receptionist opening the settings", rc.Get(o.cl.Host, "/appointments/settings/online"), http.StatusForbidden)
}

func testOnlineEndToEnd(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	// A patient of the clinic, and another's appointment at 14:00.
	o.admin.Get(o.cl.Host, "/patients/new")
	r := o.admin.PostForm(o.cl.Host, "/patients", url.Values{"firstName": {"Pat"}, "lastName": {"Example"}, "dateOfBirth": {"1980-05-06"},
		"phone": {"555 010 2030"}, "email": {"pat@example.test"}, "confirm": {"1"}})
	apptest.WantStatus(t, "registering the patient", r, http.StatusSeeOther)
	pid := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/patients/")
	o.admin.Get(o.cl.Host, "/patients/new")
	r = o.admin.PostForm(o.cl.Host, "/patients", url.Values{"firstName": {"Pat"}, "lastName": {"Exampl"}, "dateOfBirth": {"1980-05-06"}, "confirm": {"1"}})
	apptest.WantStatus(t, "registering a namesake", r, http.StatusSeeOther)
	namesake := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/patients/")
	o.admin.Get(o.cl.Host, "/patients/new")
	r = o.admin.PostForm(o.cl.Host, "/patients", url.Values{"firstName": {"Zelda"}, "lastName": {"Secretperson"}, "dateOfBirth": {"1970-01-01"}})
	apptest.WantStatus(t, "registering another patient", r, http.StatusSeeOther)
	other := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/patients/")
	o.admin.API(o.cl.Host, http.MethodPost, "/api/appointments",
		`{"patientId":"`+other+`","providerId":"`+o.doctor+`","start":"2026-03-02T14:00:00Z","minutes":30}`)

	pub := s.Client(t)
	r = pub.Get(o.cl.Host, "/book")
	apptest.WantStatus(t, "GET /book", r, http.StatusOK)
	if !strings.Contains(r.Body, "Consultation") {
		t.Fatal("/book does not list the service")
	}
	free, r := o.slots(t, pub, onlineMonday)
	if len(free) == 0 {
		t.Fatal("no free times offered")
	}
	for _, secret := range []string{"Zelda", "Secretperson", "Pat", "Exampl"} {
		if strings.Contains(r.Body, secret) {
			t.Fatalf("/book shows %q", secret)
		}
	}
	first := o.doctor + "|2026-03-02T11:00:00Z" // 09:00 + two hours' notice
	if free[0] != first {
		t.Fatalf("first free time %q, want %q", free[0], first)
	}
	for _, f := range free {
		if strings.Contains(f, "2026-03-02T14:00:00Z") || strings.Contains(f, "2026-03-02T14:15:00Z") {
			t.Fatalf("%s is offered: the other patient holds it", f)
		}
	}

	r = pub.PostForm(o.cl.Host, "/book", onlineAsker(o.service, first))
	apptest.WantRedirect(t, "POST /book", r, "/book/thanks")
	thanks := pub.Get(o.cl.Host, "/book/thanks")
	apptest.WantStatus(t, "GET /book/thanks", thanks, http.StatusOK)
	if strings.Contains(thanks.Body, "Pat") || strings.Contains(thanks.Body, "pat@example.test") {
		t.Fatal("the thank-you page echoes the person's details")
	}
	as := o.appointments(t)
	var req *Appointment
	for i := range as {
		if as[i].Status == StatusRequested {
			req = &as[i]
		}
	}
	if req == nil || req.PatientID != "" || req.ProviderID != o.doctor || req.Minutes != 30 || req.Requester == nil ||
		req.Requester.Name != "Pat Example" || req.Requester.Email != "pat@example.test" || req.Requester.DateOfBirth != "1980-05-06" {
		t.Fatalf("stored: %+v", as)
	}
	if m := o.mailed(t, "request:"+req.ID); len(m) != 1 || m[0].To != "pat@example.test" {
		t.Fatalf("acknowledgement: %+v", m)
	}
	if free, _ := o.slots(t, pub, onlineMonday); slices.Contains(free, first) {
		t.Fatal("the time requested is still offered")
	}
	// The same time again: refused, nothing more stored.
	r = o.request(t, first)
	if r.StatusCode < 400 || !strings.Contains(r.Body, msgTaken) {
		t.Fatalf("a second request of the same time: %d", r.StatusCode)
	}
	if n := len(o.appointments(t)); n != 2 {
		t.Fatalf("%d appointments, want 2", n)
	}
	// The front desk sees the request in the list, and the patient it may be.
	list := o.admin.Get(o.cl.Host, "/appointments/requests")
	apptest.WantStatus(t, "GET the requests", list, http.StatusOK)
	if list.Doc(t).Find(`a[href="/appointments/`+req.ID+`/confirm"]`).Length() != 1 {
		t.Fatal("the request is not listed")
	}
	page := o.admin.Get(o.cl.Host, "/appointments/"+req.ID+"/confirm")
	apptest.WantStatus(t, "GET confirm", page, http.StatusOK)
	if !strings.Contains(page.Body, "Pat Example") || page.Doc(t).Find(`input[name="patientId"][value="`+pid+`"]`).Length() != 1 {
		t.Fatalf("the confirmation page does not offer the patient %s", pid)
	}
	if page.Doc(t).Find(`input[name="patientId"][value="`+namesake+`"]`).Length() != 1 || !strings.Contains(page.Body, "Same date of birth and name") {
		t.Fatal("the confirmation page does not offer the patient of the same birth date and name")
	}
	if page.Doc(t).Find(`input[name="patientId"][value="`+other+`"]`).Length() != 0 {
		t.Fatal("the confirmation page offers a patient who does not match")
	}
	// Registering them instead: the patients form opens filled in (posted,
	// no details in a URL) and comes back here with the new patient.
	reg := url.Values{}
	page.Doc(t).Find(`form[action="/patients"] input`).Each(func(_ int, in *goquery.Selection) {
		reg.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	if reg.Get("review") != "1" || reg.Get("returnTo") != "/appointments/"+req.ID+"/confirm" || reg.Get("firstName") != "Pat" || reg.Get("email") != "pat@example.test" {
		t.Fatalf("the registration form: %v", reg)
	}
	filled := o.admin.PostForm(o.cl.Host, "/patients", reg)
	apptest.WantStatus(t, "the registration form filled in", filled, http.StatusOK)
	if filled.Doc(t).Find(`input[name="lastName"][value="Example"]`).Length() != 1 ||
		filled.Doc(t).Find(`input[name="returnTo"][value="/appointments/`+req.ID+`/confirm"]`).Length() != 1 {
		t.Fatal("the registration form is not filled in with the request")
	}
	if n := len(apptest.Find[struct{ ID string }](t, o.cl.DB.Collection("patients"), db.Eq("email", "pat@example.test"))); n != 1 {
		t.Fatalf("opening the form registered someone: %d patients with the address", n)
	}
	// A doctor may not confirm or decline requests.
	dc := s.SignedIn(t, o.cl.Host, "dora@"+o.cl.Subdomain+".test")
	apptest.WantStatus(t, "a doctor opening a request", dc.Get(o.cl.Host, "/appointments/"+req.ID+"/confirm"), http.StatusForbidden)
	r = dc.PostForm(o.cl.Host, "/appointments/"+req.ID+"/decline", url.Values{"reason": {"no"}, "version": {"1"}})
	apptest.WantStatus(t, "a doctor declining a request", r, http.StatusForbidden)
	// A stale version is refused.
	r = o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/confirm", url.Values{"patientId": {pid}, "version": {"7"}})
	apptest.WantStatus(t, "confirming from a stale version", r, http.StatusConflict)
	r = o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/confirm", url.Values{"patientId": {pid}, "version": {strconv.FormatInt(req.Version, 10)}})
	o.admin.WantFlash(o.cl.Host, r, "Appointment confirmed for Pat Example.")
	got, err := records.For[Appointment](o.cl.DB, kind).Get(context.Background(), req.ID)
	if err != nil || got.Status != StatusBooked || got.PatientID != pid || got.Version != req.Version+1 {
		t.Fatalf("after confirming: %+v %v", got, err)
	}
	if n := apptest.Count(t, o.cl.DB.Collection(slotsCollection), db.And(db.Eq("appointmentId", req.ID), db.Eq("resource", "patient:"+pid))); n != 6 {
		t.Fatalf("%d units of the patient claimed, want 6", n)
	}
	if m := o.mailed(t, "confirm:"+req.ID); len(m) != 1 || m[0].To != "pat@example.test" || !strings.Contains(m[0].Text, "confirmed") {
		t.Fatalf("confirmation mail: %+v", m)
	}
	if n := apptest.Count(t, o.cl.DB.Collection(audit.Collection), db.And(db.Eq("action", actionConfirm), db.Eq("target", "appointment:"+req.ID))); n != 1 {
		t.Fatalf("%d audit entries of the confirmation", n)
	}
	// Once confirmed, it cannot be confirmed or declined again.
	r = o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/decline", url.Values{"reason": {"x"}, "version": {strconv.FormatInt(got.Version, 10)}})
	apptest.WantStatus(t, "declining a booked appointment", r, http.StatusConflict)
}

func testOnlineDecline(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	pub := s.Client(t)
	free, _ := o.slots(t, pub, "2026-03-04")
	slot := free[3]
	apptest.WantRedirect(t, "POST /book", o.request(t, slot), "/book/thanks")
	req := o.appointments(t)[0]
	o.admin.Get(o.cl.Host, "/appointments/"+req.ID+"/confirm")
	v := strconv.FormatInt(req.Version, 10)
	r := o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/decline", url.Values{"reason": {" "}, "version": {v}})
	apptest.WantStatus(t, "declining without a reason", r, http.StatusUnprocessableEntity)
	r = o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/confirm", url.Values{"version": {v}})
	apptest.WantStatus(t, "confirming with no patient", r, http.StatusUnprocessableEntity)
	r = o.admin.PostForm(o.cl.Host, "/appointments/"+req.ID+"/decline", url.Values{"reason": {"Dr Nakamura is away that day."}, "version": {v}})
	o.admin.WantFlash(o.cl.Host, r, "Request declined.")
	got := o.appointments(t)[0]
	if got.Status != StatusCancelled || got.CancelReason != "Dr Nakamura is away that day." || got.CancelledBy != o.cl.Admin.ID {
		t.Fatalf("after declining: %+v", got)
	}
	if m := o.mailed(t, "decline:"+req.ID); len(m) != 1 || !strings.Contains(m[0].Text, "Dr Nakamura is away that day.") {
		t.Fatalf("decline mail: %+v", m)
	}
	if n := apptest.Count(t, o.cl.DB.Collection(audit.Collection), db.Eq("action", actionDecline)); n != 1 {
		t.Fatalf("%d audit entries of the decline", n)
	}
	if free, _ := o.slots(t, pub, "2026-03-04"); !slices.Contains(free, slot) {
		t.Fatal("the time declined is not offered again")
	}
}

func testOnlineHoneypot(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	free, _ := o.slots(t, s.Client(t), onlineMonday)
	c := s.Client(t)
	c.Get(o.cl.Host, "/book")
	f := onlineAsker(o.service, free[0])
	f.Set("website", "http://spam.example")
	apptest.WantRedirect(t, "a filled honeypot", c.PostForm(o.cl.Host, "/book", f), "/book/thanks")
	if n := len(o.appointments(t)); n != 0 {
		t.Fatalf("%d appointments stored", n)
	}
	if n := apptest.Count(t, o.cl.DB.Collection(mail.Collection), db.Eq("to", "pat@example.test")); n != 0 {
		t.Fatal("mail queued")
	}
	if n := apptest.Count(t, o.cl.DB.Collection(db.ClaimsCollection), db.Eq("kind", requestKind)); n != 0 {
		t.Fatal("a request counted")
	}
	// The form is protected like every other: no token, or another site, is refused.
	f.Del("website")
	raw := s.Client(t)
	raw.Get(o.cl.Host, "/book")
	apptest.WantStatus(t, "a request without the CSRF token", raw.PostRaw(o.cl.Host, "/book", f), http.StatusForbidden)
	apptest.WantStatus(t, "a request from another site", raw.PostForm(o.cl.Host, "/book", f, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"), http.StatusForbidden)
	if n := len(o.appointments(t)); n != 0 {
		t.Fatalf("%d appointments stored", n)
	}
}

func testOnlineLimitPerIP(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	free, _ := o.slots(t, s.Client(t), onlineMonday)
	for i := range MaxRequestsPerIP {
		if r := o.requestAs(t, free[i*4], fmt.Sprintf("pat%d@example.test", i)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("request %d of %s (%v): %d %s", i+1, free[i*4], free[:6], r.StatusCode, apptest.FormError(t, r)+r.Doc(t).Find(".field-error").Text())
		}
	}
	r := o.request(t, free[40])
	apptest.WantStatus(t, "a request over the limit", r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, msgTooMany) {
		t.Fatal("the refusal says neither when nor why")
	}
	if n := len(o.appointments(t)); n != MaxRequestsPerIP {
		t.Fatalf("%d appointments, want %d", n, MaxRequestsPerIP)
	}
}

// One address has at most maxOpenRequests requests waiting at a time.
func testOnlineOpenRequestsPerAddress(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	free, _ := o.slots(t, s.Client(t), onlineMonday)
	for i := range maxOpenRequests {
		if r := o.request(t, free[i*4]); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := o.request(t, free[20])
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Body, "You already have requests waiting") {
		t.Fatalf("one request too many from one address: %d", r.StatusCode)
	}
	if r := o.requestAs(t, free[20], "someone@example.test"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address: %d", r.StatusCode)
	}
}

func testOnlineLimitPerClinic(t *testing.T, s *apptest.Server) {
	o := newOnlineEnv(t, s, "")
	free, _ := o.slots(t, s.Client(t), "2026-03-06")
	// The clinic's other visitors' requests of this hour.
	now := s.Clock.Now()
	bucket := requestBucket(now.Truncate(requestWindow))
	for i := range MaxRequestsPerClinic {
		if err := o.cl.DB.Claim(context.Background(), requestKind, bucket+"|all|other"+strconv.Itoa(i), now); err != nil {
			t.Fatal(err)
		}
	}
	r := o.request(t, free[0])
	apptest.WantStatus(t, "a request over the clinic's limit", r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, msgClinicBusy) {
		t.Fatal("the refusal does not say the clinic is busy")
	}
	if n := len(o.appointments(t)); n != 0 {
		t.Fatalf("%d appointments stored", n)
	}
}

func testOnlineIsolation(t *testing.T, s *apptest.Server) {
	a, b := newOnlineEnv(t, s, "a"), newOnlineEnv(t, s, "b")
	free, _ := a.slots(t, s.Client(t), onlineMonday)
	apptest.WantRedirect(t, "a request on A", a.request(t, free[0]), "/book/thanks")
	req := a.appointments(t)[0]
	// B's doctor is free at that time, and B's pages know nothing of A's request.
	bFree, r := b.slots(t, s.Client(t), onlineMonday)
	if !slices.Contains(bFree, b.doctor+"|2026-03-02T11:00:00Z") {
		t.Fatal("A's request took B's time")
	}
	if strings.Contains(r.Body, a.doctor) || strings.Contains(r.Body, a.service) {
		t.Fatal("B's booking page shows A's provider or service")
	}
	apptest.WantStatus(t, "B's admin opening A's request", b.admin.Get(b.cl.Host, "/appointments/"+req.ID+"/confirm"), http.StatusNotFound)
	b.admin.Get(b.cl.Host, "/appointments/settings/online")
	r = b.admin.PostForm(b.cl.Host, "/appointments/"+req.ID+"/decline", url.Values{"reason": {"no"}, "version": {"1"}})
	apptest.WantStatus(t, "B's admin declining A's request", r, http.StatusNotFound)
	if got := a.appointments(t)[0]; got.Status != StatusRequested {
		t.Fatalf("A's request became %s", got.Status)
	}
	// A request made on B is B's alone.
	apptest.WantRedirect(t, "a request on B", b.request(t, bFree[0]), "/book/thanks")
	if n := len(a.appointments(t)); n != 1 {
		t.Fatalf("A has %d appointments", n)
	}
}

func TestOnlineHelpers(t *testing.T) {
	utc := time.UTC
	now := time.Date(2026, 3, 4, 10, 30, 0, 0, utc) // a Wednesday
	for _, tc := range []struct{ day, want string }{
		{"2026-03-04", "2026-03-02"}, {"2026-03-08", "2026-03-02"}, {"2026-03-09", "2026-03-09"}, {"", "2026-03-02"}, {"junk", "2026-03-02"},
	} {
		if got := mondayOf(tc.day, now, utc).Format(time.DateOnly); got != tc.want {
			t.Errorf("mondayOf(%q) = %s, want %s", tc.day, got, tc.want)
		}
	}
	a, b := requestBucket(now.Truncate(time.Hour)), requestBucket(now.Add(time.Hour).Truncate(time.Hour))
	if len(a) != 10 || a >= b {
		t.Errorf("buckets %q, %q: want fixed width, in order", a, b)
	}
	for _, tc := range []struct {
		name, first, last string
		want              bool
	}{
		{"pat example", "Pat", "Example", true},
		{"pat exemple", "Pat", "Example", true},
		{"example pat", "Pat", "Example", true},
		{"zoe nunez", "Zoë", "Núñez", true},
		{"pat other", "Pat", "Example", false},
	} {
		if got := sameName(text.Fold(tc.name), tc.first, tc.last); got != tc.want {
			t.Errorf("sameName(%q, %q %q) = %v", tc.name, tc.first, tc.last, got)
		}
	}
	for _, tc := range []struct{ in, first, last string }{{"Pat Example", "Pat", "Example"}, {"Mary Ann  Lee ", "Mary Ann", "Lee"}, {"Cher", "", "Cher"}} {
		if f, l := splitName(tc.in); f != tc.first || l != tc.last {
			t.Errorf("splitName(%q) = %q, %q", tc.in, f, l)
		}
	}
	if s := (serviceRow{Minutes: 22}); s.span() != 25 || s.step() != 15 {
		t.Errorf("a 22-minute service: span %d, step %d", s.span(), s.step())
	}
	if p, ok := parseSlot("u1|2026-03-02T11:00:00Z"); !ok || p.ProviderID != "u1" || !p.Start.Equal(time.Date(2026, 3, 2, 11, 0, 0, 0, utc)) {
		t.Errorf("parseSlot: %+v %v", p, ok)
	}
	for _, bad := range []string{"", "u1", "|2026-03-02T11:00:00Z", "u1|tomorrow"} {
		if _, ok := parseSlot(bad); ok {
			t.Errorf("parseSlot(%q) reads", bad)
		}
	}
}

func TestOnlineRequester(t *testing.T) {
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	ok := requestForm{Name: "Pat Example", DateOfBirth: "1980-05-06", Phone: "+1 555 010 2030", Email: "Pat@Example.test"}
	if r, errs := ok.requester(today); len(errs) > 0 || r.Email != "pat@example.test" || r.DateOfBirth != "1980-05-06" || r.Name != "Pat Example" {
		t.Fatalf("a good form: %+v %v", r, errs)
	}
	for _, tc := range []struct {
		name  string
		edit  func(f *requestForm)
		field string
	}{
		{"no name", func(f *requestForm) { f.Name = "" }, "name"},
		{"long name", func(f *requestForm) { f.Name = strings.Repeat("a", 121) }, "name"},
		{"no birth date", func(f *requestForm) { f.DateOfBirth = "" }, "dateOfBirth"},
		{"birth date as typed elsewhere", func(f *requestForm) { f.DateOfBirth = "06/05/1980" }, "dateOfBirth"},
		{"born tomorrow", func(f *requestForm) { f.DateOfBirth = "2026-03-03" }, "dateOfBirth"},
		{"born long ago", func(f *requestForm) { f.DateOfBirth = "1850-01-01" }, "dateOfBirth"},
		{"no phone", func(f *requestForm) { f.Phone = "" }, "phone"},
		{"phone without digits", func(f *requestForm) { f.Phone = "call me" }, "phone"},
		{"no email", func(f *requestForm) { f.Email = "" }, "email"},
		{"bad email", func(f *requestForm) { f.Email = "pat@" }, "email"},
	} {
		f := ok
		tc.edit(&f)
		if _, errs := f.requester(today); len(errs) != 1 || errs[tc.field] == "" {
			t.Errorf("%s: %v, want one message for %s", tc.name, errs, tc.field)
		}
	}
}

func TestOnlineFromForm(t *testing.T) {
	staff := []Provider{{ID: "u1", Name: "Dora"}, {ID: "u2", Name: "Eli"}}
	form := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name      string
		get       func(string) string
		providers []string
		fields    []string
		want      Online
	}{
		{"on with two", form("on", "1", "daysAhead", "30", "noticeHours", "2"), []string{"u1", "u2", "u1"}, nil,
			Online{On: true, Providers: []string{"u1", "u2"}, DaysAhead: 30, NoticeHours: 2}},
		{"off with none", form("daysAhead", "7", "noticeHours", "0"), nil, nil, Online{Providers: []string{}, DaysAhead: 7}},
		{"on with none", form("on", "1", "daysAhead", "30", "noticeHours", "2"), nil, []string{"providers"}, Online{}},
		{"not a provider", form("on", "1", "daysAhead", "30", "noticeHours", "2"), []string{"u9"}, []string{"providers"}, Online{}},
		{"bad numbers", form("daysAhead", "0", "noticeHours", "999"), nil, []string{"daysAhead", "noticeHours"}, Online{}},
		{"not numbers", form("daysAhead", "a", "noticeHours", "2.5"), nil, []string{"daysAhead", "noticeHours"}, Online{}},
	} {
		got, errs := onlineFromForm(tc.get, tc.providers, staff)
		var fields []string
		for k := range errs {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("%s: messages for %v, want %v", tc.name, fields, tc.fields)
			continue
		}
		if len(errs) == 0 && (got.On != tc.want.On || !slices.Equal(got.Providers, tc.want.Providers) ||
			got.DaysAhead != tc.want.DaysAhead || got.NoticeHours != tc.want.NoticeHours) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
