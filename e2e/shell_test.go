package e2e_test

// The application shell on a desktop and on a phone: the grouped
// navigation, the signed-in person, no page wider than the screen, the menu
// button, and a screenshot of every main page at both widths.

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules"
)

// screenshotsDir is where the shell's screenshots go: $WARD_SCREENSHOTS, else
// e2e/screenshots (ignored by git).
func screenshotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WARD_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// viewport is a screen the shell must fit.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

// emulate sizes the tab's viewport (as a phone for a phone: touch, and the
// page's meta viewport honoured).
func (vp viewport) emulate() chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.phone {
		opts = append(opts, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(vp.width, vp.height, opts...)
}

var viewports = []viewport{
	{name: "desktop", width: 1280, height: 800},
	{name: "phone", width: 390, height: 844, phone: true},
}

// mainPages are the pages every module's people spend their day on.
var mainPages = []struct{ name, path, h1 string }{
	{"dashboard", "/dashboard", "Good"},
	{"patients", "/patients", "Patients"},
	{"patient-new", "/patients/new", "Register a patient"},
	{"staff", "/staff", "Staff"},
	{"roles", "/roles", "Roles"},
	{"settings", "/settings", "Settings"},
	{"audit", "/audit", "Audit log"},
	{"services", "/services", "Services"},
	{"subscription", "/subscription", "Subscription"},
}

// overflowJS is "" when the document is no wider than the viewport, else
// what sticks out.
const overflowJS = `(() => {
	const vw = document.documentElement.clientWidth;
	const sw = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
	if (sw <= vw) return "";
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
		(typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "");
	const wide = [...document.querySelectorAll("body *")]
		.filter(e => e.getBoundingClientRect().right > vw + 1)
		.slice(0, 6).map(e => name(e) + " (right edge " + Math.round(e.getBoundingClientRect().right) + "px)");
	return "the document is " + sw + "px wide in a " + vw + "px viewport; sticking out: " + wide.join(", ");
})()`

// wrappedJS lists the buttons and labels whose own words break over two
// lines ("" when none do).
const wrappedJS = `(() => {
	const out = [];
	for (const e of document.querySelectorAll("main :is(button, [role=button], label, legend)")) {
		if (!e.getClientRects().length) continue;
		for (const n of e.childNodes) {
			if (n.nodeType !== Node.TEXT_NODE || !n.textContent.trim()) continue;
			const r = document.createRange();
			r.selectNodeContents(n);
			const tops = new Set([...r.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
			if (tops.size > 1) { out.push(e.tagName.toLowerCase() + " " + JSON.stringify(e.innerText.trim())); break; }
		}
	}
	return out.join(", ");
})()`

// visibleJS reports whether the element sel is shown on screen.
func visibleJS(sel string) string {
	return `(() => { const e = document.querySelector(` + js(sel) + `); if (!e) return false;
		const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight &&
		getComputedStyle(e).visibility !== "hidden"; })()`
}

// seedShell gives the clinic rows to show: patients, services, staff with
// long names (the audit log records it all).
func seedShell(t *testing.T, s *apptest.Server, cl *apptest.Clinic) {
	t.Helper()
	c := s.Client(t)
	c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
	c.Get(cl.Host, "/patients/new")
	for _, p := range []url.Values{
		{"firstName": {"Wanjiru"}, "lastName": {"Kamau-Njoroge"}, "dateOfBirth": {"1987-11-30"}, "phone": {"+254 712 345 678"}, "allergies": {"Penicillin"}},
		{"firstName": {"Maximilian Alexander"}, "lastName": {"Vanderbilt-Featherstonehaugh"}, "dateOfBirth": {"1954-02-01"}, "phone": {"+44 20 7946 0958"}},
		{"firstName": {"Li"}, "lastName": {"Na"}, "dateOfBirth": {"2019-06-15"}, "phone": {"+1 (555) 010-2030"}},
	} {
		if r := c.PostForm(cl.Host, "/patients", p); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("registering %v: %d\n%s", p, r.StatusCode, r.Body)
		}
	}
	c.Get(cl.Host, "/services/new")
	for _, v := range []url.Values{
		{"name": {"General consultation"}, "code": {"CONS"}, "minutes": {"20"}, "price": {"2500"}, "taxRate": {"0"}},
		{"name": {"Wound dressing, large, with antiseptic irrigation"}, "code": {"DRESS-L"}, "minutes": {"30"}, "price": {"1250.50"}, "taxRate": {"16"}},
	} {
		if r := c.PostForm(cl.Host, "/services", v); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding the service %v: %d\n%s", v, r.StatusCode, r.Body)
		}
	}
	s.NewUser(t, cl, "receptionist", "Bartholomew Oluwaseun Adeyemi-Richardson", "bartholomew.adeyemi-richardson@front-desk.shell.test")
	s.NewUser(t, cl, "accountant", "Chen Wei", "chen@shell.test")
}

// TestShell checks the application shell: its markup for people of
// different roles, then, in Chromium, every main page at a desktop's and a
// phone's width.
func TestShell(t *testing.T) {
	requireAssets(t)
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	cl := s.NewClinic(t, "shell")
	seedShell(t, s, cl)

	t.Run("navigation by role", func(t *testing.T) {
		cases := []struct {
			email, role string
			groups      string // the headings, in order
			links       string // every link of the navigation, in order
			search      bool   // the header-search slot
		}{
			{cl.Admin.Email, "Admin", "Front desk|Billing|Admin", "/dashboard|/patients|/appointments|/appointments/queue|/appointments/free|/appointments/requests|/appointments/hours|/services|/staff|/roles|/settings|/appointments/settings/reminders|/subscription|/audit", true},
			{"chen@shell.test", "Accountant", "Front desk|Billing", "/dashboard|/appointments|/appointments/queue|/appointments/free|/appointments/requests|/appointments/hours|/services", false},
		}
		for _, tc := range cases {
			c := s.Client(t)
			c.SignIn(cl.Host, tc.email, apptest.Password)
			r := c.Get(cl.Host, "/dashboard")
			apptest.WantStatus(t, "dashboard", r, http.StatusOK)
			d := r.Doc(t)
			if got := strings.Join(d.Find("header nav .nav-heading").Map(func(_ int, s *goquery.Selection) string { return s.Text() }), "|"); got != tc.groups {
				t.Errorf("%s sees the headings %q, want %q", tc.role, got, tc.groups)
			}
			if got := strings.Join(d.Find("header nav a").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") }), "|"); got != tc.links {
				t.Errorf("%s sees the links %q, want %q", tc.role, got, tc.links)
			}
			if got := d.Find("header .app-user .user-role").Text(); got != tc.role {
				t.Errorf("the header names the role %q, want %q", got, tc.role)
			}
			if got := d.Find(`header .app-user a[href="/profile"]`).Text(); got != "My profile" {
				t.Errorf("the person's menu links %q to their profile, want My profile", got)
			}
			if d.Find(`header .app-user form[action="/logout"] button`).Length() != 1 {
				t.Error("no sign-out button beside the person's name")
			}
			if got := d.Find(".header-search").Length() == 1; got != tc.search {
				t.Errorf("%s: header-search slot shown %v, want %v (only for who may read patients)", tc.role, got, tc.search)
			}
			btn := d.Find("button[data-menu-button]")
			if btn.AttrOr("aria-expanded", "") != "false" || btn.AttrOr("aria-controls", "") != "app-menu" || d.Find("#app-menu nav").Length() != 1 {
				t.Error(`the menu button needs aria-expanded="false" and aria-controls naming the menu (#app-menu) that holds the navigation`)
			}
		}
	})

	t.Run("browser", func(t *testing.T) {
		chromium := requireChromium(t)
		shots := screenshotsDir(t)
		b := startBrowser(t, chromium)
		tb := b.newTab(t, "shell", &consoleLog{})
		clinic := func(path string) string { return s.URL(cl.Host, path) }

		// Before signing in: the public pages, at both widths.
		f := tb.flow(t)
		for _, vp := range viewports {
			f.do(fmt.Sprintf("resizing to %dx%d", vp.width, vp.height), vp.emulate())
			for _, p := range []struct{ name, url, h1 string }{
				{"landing", s.URL("localhost", "/"), "Ward"},
				{"onboarding", s.URL("localhost", "/tenant-onboard"), "Set up your clinic"},
				{"login", clinic("/login"), "Sign in"},
			} {
				f.navigate(p.url)
				f.waitFor(`document.readyState === "complete" && (document.querySelector("main h1")?.innerText || "").startsWith(`+js(p.h1)+`)`, p.url+"'s title")
				if got := eval[string](f, overflowJS); got != "" {
					t.Errorf("%s at %dpx scrolls sideways: %s", p.url, vp.width, got)
				}
				f.screenshot(shots, p.name+"-"+vp.name)
			}
		}

		f.signIn(clinic("/login"), cl.Admin.Email)

		for _, vp := range viewports {
			t.Run(vp.name, func(t *testing.T) {
				f := tb.flow(t)
				f.do(fmt.Sprintf("resizing to %dx%d", vp.width, vp.height), vp.emulate())
				for _, p := range mainPages {
					f.navigate(clinic(p.path))
					f.waitFor(`document.readyState === "complete" && (document.querySelector("main h1")?.innerText || "").startsWith(`+js(p.h1)+`)`, p.path+"'s title")
					if got := eval[string](f, overflowJS); got != "" {
						t.Errorf("%s at %dpx scrolls sideways: %s", p.path, vp.width, got)
					}
					if got := eval[string](f, wrappedJS); !vp.phone && got != "" {
						t.Errorf("%s at %dpx: labels broken over two lines: %s", p.path, vp.width, got)
					}
					f.screenshot(shots, p.name+"-"+vp.name)
				}
				if vp.phone {
					checkPhoneMenu(f, clinic)
				} else {
					f.navigate(clinic("/patients"))
					if !eval[bool](f, visibleJS(`header nav a[href="/services"]`)) || eval[bool](f, visibleJS(`button[data-menu-button]`)) {
						t.Error("at 1280px the navigation should be shown and the menu button not")
					}
					if got := f.text(`header nav a[aria-current="page"]`); got != "Patients" {
						t.Errorf("the current page's link reads %q, want Patients", got)
					}
				}
			})
		}
	})
}

// checkPhoneMenu opens the navigation with the menu button, by mouse and by
// keyboard, and follows a link.
func checkPhoneMenu(f *flow, clinic func(string) string) {
	t := f.t
	t.Helper()
	f.navigate(clinic("/dashboard"))
	link := `header nav a[href="/services"]`
	if eval[bool](f, visibleJS(link)) {
		t.Error("at 390px the navigation shows before the menu button is pressed")
	}
	if !eval[bool](f, visibleJS(`button[data-menu-button]`)) {
		t.Fatal("at 390px there is no menu button to be seen")
	}
	f.click(`button[data-menu-button]`)
	f.waitFor(visibleJS(link), "the navigation to open")
	if got := eval[string](f, `document.querySelector("button[data-menu-button]").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("the open menu's button has aria-expanded=%q, want true", got)
	}
	if got := eval[string](f, overflowJS); got != "" {
		t.Errorf("the open menu scrolls sideways: %s", got)
	}
	f.screenshot(screenshotsDir(t), "menu-phone")

	// Escape closes it and gives the focus back to the button.
	f.do("pressing Escape", chromedp.KeyEvent("\x1b"))
	f.waitFor(`!(`+visibleJS(link)+`)`, "Escape to close the menu")
	if !eval[bool](f, `document.activeElement === document.querySelector("button[data-menu-button]")`) {
		t.Error("after Escape the focus is not on the menu button")
	}
	// The keyboard opens it too: Enter on the focused button.
	f.do("pressing Enter on the menu button", chromedp.Focus(chromedp.CSS(`button[data-menu-button]`)), chromedp.KeyEvent("\r"))
	f.waitFor(visibleJS(link), "Enter to open the menu")

	f.click(link)
	f.waitPath("/services")
	if eval[bool](f, visibleJS(link)) {
		t.Error("on the next page the menu is open again")
	}
}
