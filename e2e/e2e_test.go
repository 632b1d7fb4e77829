// Package e2e_test drives Ward's main flows in a real browser (headless
// Chromium through chromedp) against a whole Ward started by apptest on
// 127.0.0.1 with the embedded database: a clinic signs up, its admin signs
// in, registers and finds patients, meets a duplicate warning and an edit
// conflict, and signs out. Every flow asserts what a person sees, and fails
// on any JavaScript exception, console error or Content-Security-Policy
// violation.
//
// Chromium must be installed (Debian's chromium package; $CHROMIUM_PATH
// names another); without it the tests fail when CI is set, and otherwise
// are skipped with a warning on standard error.
// Screenshots go to $WARD_SCREENSHOTS, else to e2e/screenshots (ignored by git).
package e2e_test

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules"
	"github.com/wardclinic/ward/static"
)

// The clinic and its administrator, as typed into the onboarding form.
const (
	clinicName = "Sunrise Clinic"
	subdomain  = "sunrise"
	adminName  = "Amina Odhiambo"
	adminEmail = "amina@sunrise.test"
	// A passphrase: at least 15 characters, nothing to do with the clinic.
	adminPassword = "violet tractor under harbour rain"
)

// TestMain warns on standard error, beside the skip of each test, when the
// browser tests could not run for want of Chromium: a skip alone is easy to
// miss. go test shows a passing package's output only with -v or when run in
// the package's folder, so `go tool task test` prints the same warning last.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromiumPath() == "" && os.Getenv("CI") == "" {
		fmt.Fprintln(os.Stderr, "WARNING: the browser tests (e2e) were SKIPPED: Chromium not found "+
			"(looked at $CHROMIUM_PATH and for chromium, chromium-browser, google-chrome on PATH). "+
			"Install it with `apt-get install -y chromium`; with CI set they fail instead.")
	}
	os.Exit(code)
}

func requireAssets(t *testing.T) {
	t.Helper()
	for _, f := range []string{"vendor/htmx.min.js", "vendor/pico.min.css"} {
		if _, err := fs.Stat(static.FS, f); err != nil {
			t.Fatalf("static/%s is missing: run go tool task assets (it copies htmx and Pico CSS from npm into static/vendor; `go tool task test` runs it first)", f)
		}
	}
}

// TestBrowserFlows runs the flows in order, in one browser: each builds on
// the clinic and records the one before it made.
func TestBrowserFlows(t *testing.T) {
	requireAssets(t)
	chromium := requireChromium(t)
	began := time.Now()

	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	platform := func(path string) string { return s.URL("localhost", path) }
	clinic := func(path string) string { return s.URL(subdomain+".localhost", path) }

	b := startBrowser(t, chromium)
	pages := &consoleLog{} // every tab of the flows
	main := b.newTab(t, "main", pages)
	shots := screenshotsDir(t)

	var johnPath string   // /patients/ID of the first patient
	clinicTZ := browserTZ // the clinic's time zone, as onboarding sends it

	// step runs a flow. A flow stopped half-way (t.Fatal) leaves the clinic
	// without what the next flows build on, so they are not run; a flow that
	// only reported errors (t.Error) ran to its end, and the next ones run.
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		finished := false
		t.Run(name, func(t *testing.T) {
			fn(t)
			finished = true
		})
		if !finished {
			t.Fatalf("%s stopped half-way; the flows after it build on it, so they are not run", name)
		}
	}

	step("onboarding", func(t *testing.T) {
		f := main.flow(t)
		f.navigate(platform("/tenant-onboard"))
		f.waitText("h1", "Set up your clinic")

		// ward.js fills the time zone from the browser.
		f.poll(`document.getElementById("f-timezone").value !== ""`, 3*time.Second)
		if tz := f.value("#f-timezone"); tz != browserTZ {
			t.Errorf("time zone prefilled with %q, want the browser's %q (ward.js data-detect-timezone); typing UTC instead", tz, browserTZ)
			f.replaceText("#f-timezone", "UTC")
			clinicTZ = "UTC"
		}

		f.typeInto("#f-clinicName", clinicName)
		f.typeInto("#f-subdomain", subdomain)
		// The live check (htmx, debounced) answers under the field.
		f.waitText("#subdomain-status", "is available")
		if got, want := f.text("#subdomain-status strong"), "sunrise.localhost:"+s.Port; got != want {
			t.Errorf("availability message names %q, want the clinic's address %q", got, want)
		}
		f.typeInto("#f-adminName", adminName)
		f.typeInto("#f-adminEmail", adminEmail)
		f.typeInto("#f-adminPassword", "too short")
		f.replaceText("#f-currency", "KES")
		f.click(`form[action="/tenant-onboard"] button[type=submit]`)

		// 422: the message beside the password, the other values kept.
		f.waitFor(`!!document.getElementById("e-adminPassword")`, "the password's error message")
		if msg := f.text("#e-adminPassword"); !strings.Contains(msg, "15") {
			t.Errorf("password message %q does not say the minimum of 15 characters", msg)
		}
		if !f.exists(`#f-adminPassword[aria-invalid="true"][aria-describedby="e-adminPassword"]`) {
			t.Error("the password field is not marked invalid and tied to its message")
		}
		if got := f.text(".form-errors"); got == "" {
			t.Error("no summary of the errors above the form")
		}
		for sel, want := range map[string]string{
			"#f-clinicName": clinicName, "#f-subdomain": subdomain, "#f-adminName": adminName,
			"#f-adminEmail": adminEmail, "#f-timezone": clinicTZ, "#f-currency": "KES", "#f-adminPassword": "",
		} {
			if got := f.value(sel); got != want {
				t.Errorf("after the form came back, %s holds %q, want %q", sel, got, want)
			}
		}

		f.typeInto("#f-adminPassword", adminPassword)
		f.click(`form[action="/tenant-onboard"] button[type=submit]`)
		// The browser follows the 303 to the new clinic's own address, and
		// arrives signed in, on its dashboard, with the first steps.
		f.waitFor(`location.href === `+js(clinic("/dashboard")), "the new clinic's dashboard "+clinic("/dashboard"))
		f.waitText("#welcome-title", "Welcome to Ward")
		// Signed out, the clinic's own sign-in page names it.
		f.click(`form.sign-out button[type=submit]`)
		f.waitPath("/login")
		f.waitText("h1", "Sign in")
		if got := f.text("hgroup p"); !strings.Contains(got, clinicName) {
			t.Errorf("sign-in page says %q, want it to name %q", got, clinicName)
		}
	})

	step("sign in", func(t *testing.T) {
		f := main.flow(t)
		f.typeInto("#f-email", adminEmail)
		f.typeInto("#f-password", adminPassword)
		f.click(`form[action="/login"] button[type=submit]`)
		f.waitPath("/dashboard")

		h1 := f.text("h1")
		if !regexp.MustCompile(`^Good (morning|afternoon|evening), ` + adminName + `$`).MatchString(h1) {
			t.Errorf("dashboard greets %q, want \"Good …, %s\"", h1, adminName)
		}
		// The greeting follows the clinic's clock, not the server's.
		loc, err := time.LoadLocation(clinicTZ)
		if err != nil {
			t.Fatal(err)
		}
		local := s.Clock.Now().In(loc)
		want := "Good evening"
		switch h := local.Hour(); {
		case h < 12:
			want = "Good morning"
		case h < 18:
			want = "Good afternoon"
		}
		if !strings.HasPrefix(h1, want+",") {
			t.Errorf("dashboard greets %q at %s in the clinic's time zone %s (server clock %s), want %q: "+
				"modules/dashboard/module.go greeting(now) takes the hour of the server clock instead of the clinic's "+
				"time zone (tenant settings), as modules/audit/list.go does", h1, local.Format("15:04"), clinicTZ,
				s.Clock.Now().Format("15:04 MST"), want+", "+adminName)
		}
		for href, label := range map[string]string{"/patients": "Patients", "/staff": "Staff"} {
			if got := f.text(`header nav a[href="` + href + `"]`); got != label {
				t.Errorf("navigation link to %s reads %q, want %q", href, got, label)
			}
		}
		if got := f.text(`form[action="/logout"] button`); !strings.Contains(got, adminName) {
			t.Errorf("sign-out button reads %q, want it to name %s", got, adminName)
		}
		f.screenshot(shots, "dashboard")
	})

	step("register a patient", func(t *testing.T) {
		f := main.flow(t)
		f.click(`header nav a[href="/patients"]`)
		f.waitPath("/patients")
		f.click(`a[href="/patients/new"]`)
		f.waitPath("/patients/new")
		f.waitText("h1", "Register a patient")

		f.typeInto("#f-firstName", "John")
		f.typeInto("#f-lastName", "Müller")
		f.typeDate("#f-dateOfBirth", "1980-03-15")
		f.typeInto("#f-phone", "+254 712 345 678")
		f.typeInto("#f-allergies", "Penicillin\nPeanuts")
		f.click(`#patient-form button[type=submit]`)

		f.waitFor(`/^\/patients\/[^/]+$/.test(location.pathname) && document.querySelector("h1")?.innerText === "John Müller"`, "the new patient's page")
		johnPath = eval[string](f, `location.pathname`)
		if got := f.text("hgroup p"); !strings.HasPrefix(got, "P-000001") {
			t.Errorf("patient page subtitle %q, want the number P-000001 first", got)
		}
		if got := f.text(`p.flash[role="status"]`); got == "" {
			t.Error("no confirmation that the patient was saved")
		}
		// Allergies: their own section, marked, above the fold, before the details.
		if got := eval[string](f, `[...document.querySelectorAll("section.allergies.has-allergies li strong")].map(e => e.innerText).join("|")`); got != "Penicillin|Peanuts" {
			t.Errorf("allergies shown as %q, want Penicillin|Peanuts in bold in the allergies section", got)
		}
		if !eval[bool](f, `(() => {
			const s = document.querySelector("section.allergies.has-allergies");
			const r = s.getBoundingClientRect();
			const border = parseFloat(getComputedStyle(s).borderLeftWidth);
			const details = [...document.querySelectorAll("h2")].find(h => h.innerText === "Details");
			return r.top >= 0 && r.bottom <= innerHeight && border >= 4 &&
				!!(s.compareDocumentPosition(details) & Node.DOCUMENT_POSITION_FOLLOWING);
		})()`) {
			t.Error("the allergies are not prominent: want their section above the fold, before the details, with its coloured border")
		}
		f.screenshot(shots, "patient")
	})

	step("search as you type", func(t *testing.T) {
		f := main.flow(t)
		f.click(`a[href="/patients"]`) // "Back to patients"
		f.waitPath("/patients")
		f.waitText("#results", "Müller, John")
		// A full page load would drop this marker.
		eval[bool](f, `window.e2eSamePage = true`)

		f.typeInto("#q", "xyz")
		f.waitText("#results", "No patients match")
		f.clearField("#q")
		f.typeInto("#q", "MUL") // another case, no accent: finds Müller
		f.waitFor(`[...document.querySelectorAll("#results tbody a")].some(a => a.innerText === "Müller, John")`, "John Müller's row in the results")
		f.waitPath("/patients?q=MUL") // hx-replace-url keeps the search in the address
		if !eval[bool](f, `window.e2eSamePage === true`) {
			t.Error("the page was reloaded: search as you type should swap only the results")
		}
		if got := f.text("#results tbody tr td:nth-child(2)"); got != "P-000001" {
			t.Errorf("the row's number is %q, want P-000001", got)
		}
		if n := eval[int](f, `document.querySelectorAll('[id="results"]').length`); n != 1 {
			t.Errorf("after a search the page has %d elements with id=\"results\", want 1: the search form "+
				"(modules/patients/templates/list.html) targets #results with htmx's default innerHTML swap while the "+
				"response is the whole <div id=\"results\">, so the div nests inside itself; add hx-swap=\"outerHTML\" "+
				"to the form and to the pagination links", n)
		}
	})

	step("possible duplicates", func(t *testing.T) {
		f := main.flow(t)
		f.navigate(clinic("/patients/new"))
		f.waitText("h1", "Register a patient")
		f.typeInto("#f-firstName", "Jon")
		f.typeInto("#f-lastName", "Müller")
		f.typeDate("#f-dateOfBirth", "1980-03-15")
		// The panel appears while typing, before anything is sent.
		f.waitText("#duplicates", "Possible duplicates")
		if got := f.text("#duplicates li"); !strings.Contains(got, "John Müller") || !strings.Contains(got, "P-000001") {
			t.Errorf("duplicates panel lists %q, want John Müller · P-000001", got)
		}
		if got := f.value("#f-firstName"); got != "Jon" {
			t.Errorf("first name field holds %q while the panel updated, want Jon", got)
		}

		f.click(`#patient-form button[type=submit]`)
		f.waitFor(`!!document.querySelector('#patient-form button[name="confirm"]')`, `the "Save anyway" button`)
		if got := f.text(".form-errors"); !strings.Contains(got, "may already be registered") {
			t.Errorf("form message %q, want the warning that the patient may already be registered", got)
		}
		if got := f.text(`#patient-form button[name="confirm"]`); !strings.HasPrefix(got, "Save anyway") {
			t.Errorf("confirm button reads %q, want \"Save anyway…\"", got)
		}
		f.click(`#patient-form button[name="confirm"]`)
		f.waitFor(`document.querySelector("h1")?.innerText === "Jon Müller"`, "Jon Müller's page")
		if got := f.text("hgroup p"); !strings.HasPrefix(got, "P-000002") {
			t.Errorf("second patient's subtitle %q, want P-000002 first", got)
		}
	})

	step("edit conflict in two tabs", func(t *testing.T) {
		second := b.newTab(t, "second", pages)
		a, c := main.flow(t), second.flow(t)
		for _, f := range []*flow{a, c} {
			f.navigate(clinic(johnPath + "/edit"))
			f.waitText("h1", "Edit John Müller")
		}
		a.replaceText("#f-phone", "+254 700 000 111")
		a.click(`#patient-form button[type=submit]`)
		a.waitFor(`location.pathname === `+js(johnPath)+` && document.querySelector("main dl")?.innerText.includes("+254 700 000 111")`, "the patient page with the new phone")

		c.typeInto("#f-notes", "Prefers morning appointments")
		c.click(`#patient-form button[type=submit]`)
		c.waitText(".form-errors", "Someone else saved changes to this patient")
		if got := c.value("#f-phone"); got != "+254 700 000 111" {
			t.Errorf("after the conflict the form shows phone %q, want the other tab's saved %q", got, "+254 700 000 111")
		}
		if got := c.text("h1"); got != "Edit John Müller" {
			t.Errorf("after the conflict the page is %q, want the edit form", got)
		}
	})

	step("sign out, then back", func(t *testing.T) {
		f := main.flow(t)
		f.navigate(clinic(johnPath))
		f.waitText("section.allergies", "Penicillin")
		f.click(`form[action="/logout"] button`)
		f.waitPath("/login")
		f.waitText("h1", "Sign in")

		// Back: the patient page must not come from a cache. It is fetched
		// again (no-store), and without a session that is the sign-in page.
		eval[bool](f, `window.e2eLoginPage = true`)
		f.do("going back", chromedp.Evaluate[chromedp.Void](`history.back()`))
		f.waitFor(`window.e2eLoginPage !== true && document.readyState === "complete"`, "the page after going back")
		body := f.text("body")
		for _, secret := range []string{"Penicillin", "Müller", "P-000001", "+254"} {
			if strings.Contains(body, secret) {
				t.Errorf("after signing out, Back shows patient data (%q) — it came from a cache\n%s", secret, f.state())
			}
		}
		if p := eval[string](f, `location.pathname`); p != "/login" {
			t.Errorf("after signing out, Back lands on %s, want /login", p)
		}
		if got := f.text("h1"); got != "Sign in" {
			t.Errorf("after signing out, Back shows %q, want the sign-in page", got)
		}
	})

	step("CSP violations are detected", func(t *testing.T) {
		// A canary: an inline script, which the CSP forbids, must be
		// refused and reported, so a clean console above means something.
		own := &consoleLog{allowCSP: true}
		canary := b.newTab(t, "canary", own)
		f := canary.flow(t)
		f.navigate(clinic("/login"))
		ran := eval[bool](f, `(() => {
			const s = document.createElement("script");
			s.textContent = "window.e2eInlineRan = true";
			document.body.appendChild(s);
			return window.e2eInlineRan === true;
		})()`)
		if ran {
			t.Error("an inline script ran: the Content-Security-Policy does not forbid inline scripts")
		}
		// Chromium logs the violation (log.security) and the page's
		// securitypolicyviolation event reaches cspWatch (console.error):
		// wait for both, but one is enough to trust the check.
		var seen []string
		kinds := map[string]bool{}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(kinds) < 2; time.Sleep(50 * time.Millisecond) {
			seen = seen[:0]
			clear(kinds)
			for _, e := range own.since(0) {
				if isCSP(e.Text) {
					seen = append(seen, e.String())
					kinds[e.Kind] = true
				}
			}
		}
		if len(seen) == 0 {
			t.Fatal("the blocked inline script was not reported on the console: the flows' CSP check would miss violations")
		}
		t.Logf("the canary's violation was reported as:\n  %s", strings.Join(seen, "\n  "))
	})

	// Everything the flows' pages wrote, for the record; any problem has
	// already failed its flow.
	all := pages.since(0)
	bad := 0
	for _, e := range all {
		if e.Bad {
			bad++
		}
		if testing.Verbose() {
			t.Logf("console %s", e)
		}
	}
	t.Logf("browser flows took %s; %d console messages, %d problems", time.Since(began).Round(time.Millisecond), len(all), bad)
}
