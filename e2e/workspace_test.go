package e2e_test

// The workspace as a clinic's staff use it all day: the patient search in
// the header, and dates shown as the clinic chose.

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules"
)

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// TestWorkspace: "/" focuses the patient search from any page, typing finds
// a patient, Enter opens them; a change of the clinic's date format shows
// at once on the patient list, the patient page and the audit log.
func TestWorkspace(t *testing.T) {
	requireAssets(t)
	chromium := requireChromium(t)
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	cl := s.NewClinic(t, "workspace")
	seedShell(t, s, cl)
	clinic := func(path string) string { return s.URL(cl.Host, path) }

	b := startBrowser(t, chromium)
	f := b.newTab(t, "workspace", &consoleLog{}).flow(t)
	f.signIn(clinic("/login"), cl.Admin.Email)

	// The search, from the keyboard only.
	f.do("pressing /", chromedp.KeyEvent("/"))
	f.waitFor(`document.activeElement === document.querySelector("#quick-q")`, "/ to focus the patient search")
	f.do("typing a name", chromedp.KeyEvent("kamau"))
	f.waitFor(`document.querySelectorAll("#quick-results a[data-quick-result]").length === 1`, "the search's one match")
	if got := f.value("#quick-q"); got != "kamau" {
		t.Errorf("the search field holds %q: the / that focused it was typed too", got)
	}
	f.waitText("#quick-results", "Kamau-Njoroge, Wanjiru")
	f.do("pressing Enter", chromedp.KeyEvent("\r"))
	f.waitFor(`/^\/patients\/[0-9a-f]{24}$/.test(location.pathname) && document.querySelector("main h1")`, "Enter to open the patient")
	patient := eval[string](f, `location.pathname`)
	f.waitText("main", "30 Nov 1987")

	// The clinic's date format, changed in the settings.
	f.navigate(clinic("/settings"))
	f.do("choosing ISO dates", chromedp.SetValue(chromedp.CSS(`#f-dateFormat`), "2006-01-02"))
	f.click(`form[action="/settings"] button[type=submit]`)
	f.waitPath("/settings")
	f.waitText("#flash", "Settings saved.")

	f.navigate(clinic("/patients"))
	f.waitText("#results", "1987-11-30")
	f.navigate(clinic(patient))
	f.waitText("main", "1987-11-30")
	f.navigate(clinic("/audit"))
	f.waitFor(`document.querySelector("#results time")`, "the audit log's entries")
	if got := f.text("#results time"); !isoDate.MatchString(got) {
		t.Errorf("the audit log shows the time %q, want the clinic's new format (YYYY-MM-DD …)", got)
	}
}
