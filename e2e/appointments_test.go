package e2e_test

// The front desk books from the day calendar: a click on a doctor's free
// time opens the booking form for that time, the patient is found and
// picked from the keyboard, the patient arrives and is seen from the
// queue, and the booking shows on the calendar. On a phone the calendar
// fits the screen.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules"
)

func TestAppointmentBooking(t *testing.T) {
	requireAssets(t)
	chromium := requireChromium(t)
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	cl := s.NewClinic(t, "appointments")
	seedShell(t, s, cl)
	doctor := s.NewUser(t, cl, "doctor", "Dana Doctor", "dana@appointments.test")
	clinic := func(path string) string { return s.URL(cl.Host, path) }
	if r := s.SignedIn(t, cl.Host, cl.Admin.Email).Get(cl.Host, "/appointments"); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /appointments: %d: the calendar pages are not routed (Routes must call m.pageRoutes(r))", r.StatusCode)
	}

	shots := screenshotsDir(t)
	b := startBrowser(t, chromium)
	f := b.newTab(t, "appointments", &consoleLog{}).flow(t)
	f.signIn(clinic("/login"), cl.Admin.Email)

	// Today (the test clock's Monday 2 March 2026, 09:00): the clinic
	// (UTC) is open 09:00–17:00.
	const day = "2026-03-02"
	f.navigate(clinic("/appointments"))
	f.waitText("h1", "Monday 2 March 2026")
	free := `.cal-col[data-column="` + doctor.ID + `"] a.cal-free[href$="T10:00"]`
	if !f.exists(free) {
		t.Fatalf("no free 10:00 in the doctor's column\n%s", f.state())
	}
	f.click(free)
	f.waitPath("/appointments/new?providerId=" + doctor.ID + "&start=" + day + "T10:00")
	if d, tm, p := f.value("#f-date"), f.value("#f-time"), f.value("#f-providerId"); d != day || tm != "10:00" || p != doctor.ID {
		t.Errorf("the form is prefilled with %s %s %s, want %s 10:00 and the doctor", d, tm, p, day)
	}

	// The patient, from the keyboard: type, arrow down, Enter.
	f.typeInto("#f-q", "kamau")
	f.waitFor(`document.querySelectorAll("#patient-results [data-pick-patient]").length === 1`, "the search's one match")
	f.do("choosing the match", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent("\r"))
	f.waitFor(`document.getElementById("f-patientId").value !== ""`, "the patient picked")
	if got := f.value("#f-q"); !strings.HasPrefix(got, "Kamau-Njoroge, Wanjiru") {
		t.Errorf("the patient field shows %q after picking", got)
	}
	if !eval[bool](f, `document.activeElement === document.getElementById("f-providerId")`) {
		t.Error("after picking the patient the cursor is not on the provider")
	}
	if f.exists("#patient-results [data-pick-patient]") {
		t.Error("the results stay open after picking")
	}
	// A service: the minutes come from it.
	f.do("choosing the service", chromedp.SetValue(chromedp.CSS(`#f-serviceId`), eval[string](f,
		`[...document.querySelectorAll("#f-serviceId option")].find(o => o.textContent.startsWith("General consultation")).value`)))
	f.screenshot(shots, "appointments-form")
	f.click("#book")
	f.waitFor(`/^\/appointments\/[0-9a-f]{24}$/.test(location.pathname)`, "the new appointment's page")
	f.waitText("#flash", "Appointment booked.")
	f.waitText("h1", "Kamau-Njoroge, Wanjiru")
	appointment := eval[string](f, `location.pathname`)
	f.screenshot(shots, "appointments-show")

	// The patient arrives: the appointment's button, then the queue, where
	// the consultation starts (htmx replaces the queue alone).
	f.click(`button[data-move="arrived"]`)
	f.waitText("#flash", "Arrival recorded.")
	f.waitText("#status", "Arrived")
	f.navigate(clinic("/appointments/queue"))
	f.waitText("[aria-labelledby=q-arrived]", "Kamau-Njoroge, Wanjiru")
	f.waitText("[aria-labelledby=q-arrived]", "waiting 0 min")
	f.screenshot(shots, "appointments-queue")
	f.click(`[aria-labelledby=q-arrived] form button[type=submit]`)
	f.waitText("#queue .flash", "Consultation started.")
	f.waitText("[aria-labelledby=q-in]", "Kamau-Njoroge, Wanjiru")
	if got := eval[string](f, `location.pathname`); got != "/appointments/queue" {
		t.Errorf("after the queue's button the page is %s", got)
	}

	// On the calendar: a block in the doctor's column, 10:00–10:20, in
	// consultation.
	f.navigate(clinic("/appointments?date=" + day))
	block := `.cal-col[data-column="` + doctor.ID + `"] .cal-block`
	f.waitText(block, "Kamau-Njoroge, Wanjiru")
	f.screenshot(shots, "appointments-day")
	if got := f.text(block + " .cal-time"); !strings.Contains(got, "10:00") || !strings.Contains(got, "10:20") {
		t.Errorf("the block's time reads %q, want 10:00–10:20", got)
	}
	f.waitText(block+" .badge", "In consultation")
	// The next day with htmx: the calendar alone is replaced, the address follows.
	f.click(`a[rel=next]`)
	f.waitPath("/appointments?date=2026-03-03")
	f.waitText("h1", "Tuesday 3 March 2026")

	// Every page of the appointments fits both widths, its buttons and
	// labels on one line on a desktop.
	for _, vp := range viewports {
		f.do("resizing to "+vp.name, vp.emulate())
		for _, p := range []string{"/appointments?date=" + day, "/appointments/week?providerId=" + doctor.ID + "&date=" + day,
			"/appointments/queue", "/appointments/new", appointment} {
			f.navigate(clinic(p))
			f.waitFor(`document.readyState === "complete" && document.querySelector("main h1")`, p+"'s title")
			if got := eval[string](f, overflowJS); got != "" {
				t.Errorf("%s at %dpx scrolls sideways: %s", p, vp.width, got)
			}
			if got := eval[string](f, wrappedJS); !vp.phone && got != "" {
				t.Errorf("%s at %dpx wraps %s", p, vp.width, got)
			}
		}
	}

	// A phone: the calendar fits the width (it scrolls inside itself).
	f.do("resizing to a phone", viewports[1].emulate())
	f.navigate(clinic("/appointments?date=" + day))
	f.waitText(block, "Kamau-Njoroge")
	f.screenshot(shots, "appointments-day-phone")
	if w := eval[float64](f, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("on a phone the page is %v px wider than the screen", w)
	}
	if w := eval[float64](f, `document.querySelector(".cal-col").getBoundingClientRect().width`); w < 250 {
		t.Errorf("on a phone a provider's column is %v px wide", w)
	}
}
