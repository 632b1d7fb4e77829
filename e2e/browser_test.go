package e2e_test

// The browser side of the end-to-end tests: one headless Chromium for the
// whole package, tabs that report what their pages write to the console,
// and small helpers that act as a person would (type, click, read) and
// wait, within a bounded time, for what the person would see.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/wardclinic/ward/core/apptest"
)

const (
	// flowTimeout bounds each flow (a subtest); a stuck page fails the
	// flow instead of hanging the package.
	flowTimeout = 30 * time.Second
	// browserTZ is the time zone the browser reports to pages, so that the
	// onboarding form's detected zone is known in advance.
	browserTZ = "Africa/Nairobi"
)

// chromiumPath finds the browser: $CHROMIUM_PATH, else chromium (Debian's
// package) or Chrome on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser's path. Without one the tests fail
// when CI is set (CI must run them) and are skipped otherwise.
func requireChromium(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if p != "" {
		return p
	}
	msg := "Chromium not found (looked at $CHROMIUM_PATH and for chromium, chromium-browser, google-chrome on PATH); install it with `apt-get install -y chromium`"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ". CI is set, so the browser tests must run: .ci/run installs chromium before the tests.")
	}
	t.Skip(msg + ". Skipping the browser tests (they fail instead when CI is set).")
	return ""
}

// browser is one running Chromium shared by every flow.
type browser struct {
	ctx context.Context // its first tab, started with no deadline
}

// startBrowser starts headless Chromium with the flags this machine needs
// (no sandbox as root, no GPU, no network but loopback) and a fresh
// profile. It stops when the test ends.
func startBrowser(t *testing.T, execPath string) *browser {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	if rules := os.Getenv("WARD_E2E_HOST_RULES"); rules != "" {
		// e.g. "MAP *.localhost 127.0.0.1" where a Chromium does not
		// resolve *.localhost to loopback itself.
		opts = append(opts, chromedp.Flag("host-resolver-rules", rules))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do starts the browser and binds it to ctx, which has no
	// deadline; the wait for it is bounded all the same.
	doWithin(ctx, t, "starting Chromium ("+execPath+")")
	return &browser{ctx: ctx}
}

// doWithin runs the first actions on a chromedp context (which bind the
// browser or tab to ctx, so ctx must not carry a deadline) and gives up
// after 30 s.
func doWithin(ctx context.Context, t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx, steps...) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no answer within 30s", what)
	}
}

// cspWatch runs in every document before the page's own scripts: a
// Content-Security-Policy violation becomes a console error the tests see,
// whether or not Chromium also logs it.
const cspWatch = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});`

// tab is one browser tab whose console goes to a consoleLog.
type tab struct {
	name    string
	ctx     context.Context
	console *consoleLog
}

// newTab opens a tab in the browser's (shared) browser context: tabs share
// cookies, as two tabs of one person's browser do.
func (b *browser) newTab(t *testing.T, name string, cl *consoleLog) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(cl.listener(name)))
	t.Cleanup(cancel)
	setup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
			return fmt.Errorf("adding the CSP watcher: %w", err)
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: browserTZ}); err != nil {
			return fmt.Errorf("setting the time zone: %w", err)
		}
		return nil
	})
	// The first Do opens the tab and binds it to ctx (no deadline); flows
	// put their deadlines on contexts derived from it.
	doWithin(ctx, t, "opening tab "+name, setup)
	return &tab{name: name, ctx: ctx, console: cl}
}

// consoleEntry is one thing a page wrote to the console.
type consoleEntry struct {
	Tab, Kind, Text, URL string
	Bad                  bool // a JS exception, a console error or a CSP violation
}

func (e consoleEntry) String() string {
	s := fmt.Sprintf("[%s] %s: %s", e.Tab, e.Kind, e.Text)
	if e.URL != "" {
		s += " (" + e.URL + ")"
	}
	return s
}

// consoleLog collects console messages, exceptions and browser log entries
// from tabs.
type consoleLog struct {
	// allowCSP records CSP violations without counting them as problems
	// (for the tab that provokes one on purpose).
	allowCSP bool

	mu      sync.Mutex
	entries []consoleEntry
}

func isCSP(text string) bool {
	l := strings.ToLower(text)
	return strings.Contains(l, "content security policy") || strings.Contains(l, "content-security-policy") || strings.Contains(l, "csp violation")
}

// listener is called by chromedp in the tab's event loop: it only records.
func (c *consoleLog) listener(tabName string) func(ev any) {
	return func(ev any) {
		var e consoleEntry
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			e = consoleEntry{Kind: "exception", Text: text, URL: fmt.Sprintf("%s:%d", d.URL, d.LineNumber+1), Bad: true}
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				var s string
				if len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil {
					parts = append(parts, s)
				} else if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			text := strings.Join(parts, " ")
			e = consoleEntry{Kind: "console." + string(ev.Type), Text: text,
				Bad: ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert || isCSP(text)}
		case *log.EventEntryAdded:
			en := ev.Entry
			// "Failed to load resource: … 422/409" is the network log
			// reporting a status the flows expect (a form with errors, an
			// edit conflict); it is recorded, not an error in itself.
			bad := isCSP(en.Text) || en.Source == log.EntrySourceSecurity ||
				(en.Level == log.EntryLevelError && en.Source != log.EntrySourceNetwork)
			e = consoleEntry{Kind: "log." + string(en.Source) + "." + string(en.Level), Text: en.Text, URL: en.URL, Bad: bad}
		default:
			return
		}
		e.Tab = tabName
		if c.allowCSP && isCSP(e.Text) {
			e.Bad = false
		}
		c.mu.Lock()
		c.entries = append(c.entries, e)
		c.mu.Unlock()
	}
}

// mark is the position to look from.
func (c *consoleLog) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// since returns the entries from mark on.
func (c *consoleLog) since(mark int) []consoleEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]consoleEntry(nil), c.entries[mark:]...)
}

// checkClean fails t for every exception, console error or CSP violation
// since mark.
func (c *consoleLog) checkClean(t *testing.T, mark int) {
	t.Helper()
	for _, e := range c.since(mark) {
		if e.Bad {
			t.Errorf("the page reported a problem (JS exception, console error or Content-Security-Policy violation): %s", e)
		}
	}
}

// flow is one subtest's view of a tab, with a deadline.
type flow struct {
	t   *testing.T
	tab *tab
	ctx context.Context
}

// flow gives t the tab for at most flowTimeout; at the end it checks that
// the tab's pages reported no problem meanwhile.
func (tb *tab) flow(t *testing.T) *flow {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, flowTimeout)
	mark := tb.console.mark()
	t.Cleanup(func() {
		cancel()
		time.Sleep(50 * time.Millisecond) // let the last events of the flow arrive
		tb.console.checkClean(t, mark)
	})
	return &flow{t: t, tab: tb, ctx: ctx}
}

func (f *flow) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(f.ctx, steps...); err != nil {
		f.t.Fatalf("[%s] %s: %v\n%s", f.tab.name, what, err, f.state())
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// eval evaluates expr; errors fail the test.
func eval[T any](f *flow, expr string) T {
	f.t.Helper()
	v, err := chromedp.Run(f.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		f.t.Fatalf("[%s] evaluating %s: %v\n%s", f.tab.name, expr, err, f.state())
	}
	return v
}

// state describes the page for a failure message: its address and the
// start of its text. It never fails.
func (f *flow) state() string {
	ctx, cancel := context.WithTimeout(f.tab.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText : "").slice(0, 1500)`))
	if err != nil {
		return "(page state unavailable: " + err.Error() + ")"
	}
	return "page now: " + s
}

// navigate opens url and waits for it to load.
func (f *flow) navigate(url string) {
	f.t.Helper()
	f.do("opening "+url, chromedp.Navigate(url))
}

// poll reports whether the JavaScript condition becomes true in the tab's
// current document within d (and the flow's deadline). Errors while a new
// page loads count as false.
func (f *flow) poll(cond string, d time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(f.ctx, d)
	defer cancel()
	expr := `(() => { try { return !!(` + cond + `); } catch (e) { return false; } })()`
	var last error
	for {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(actx, chromedp.Evaluate[bool](expr))
		acancel()
		if err == nil && ok {
			return true, nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return false, last
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitFor waits until the JavaScript condition is true, or fails the flow
// at its deadline.
func (f *flow) waitFor(cond, what string) {
	f.t.Helper()
	if ok, err := f.poll(cond, flowTimeout); !ok {
		f.t.Fatalf("[%s] gave up waiting for %s (last error: %v)\n%s", f.tab.name, what, err, f.state())
	}
}

// waitText waits until the element sel shows text containing want.
func (f *flow) waitText(sel, want string) {
	f.t.Helper()
	f.waitFor(`(document.querySelector(`+js(sel)+`)?.innerText || "").includes(`+js(want)+`)`,
		fmt.Sprintf("%s to show %q", sel, want))
}

// waitPath waits until the page's path (and query) is want.
func (f *flow) waitPath(want string) {
	f.t.Helper()
	f.waitFor(`document.readyState !== "loading" && location.pathname + location.search === `+js(want), "the page "+want)
}

// text is the visible text of the first element matching sel ("" if none).
func (f *flow) text(sel string) string {
	f.t.Helper()
	return eval[string](f, `document.querySelector(`+js(sel)+`)?.innerText ?? ""`)
}

// value is the current value of the form field sel.
func (f *flow) value(sel string) string {
	f.t.Helper()
	return eval[string](f, `document.querySelector(`+js(sel)+`)?.value ?? "(no element `+strings.ReplaceAll(sel, `"`, `'`)+`)"`)
}

// exists says whether sel matches an element.
func (f *flow) exists(sel string) bool {
	f.t.Helper()
	return eval[bool](f, `!!document.querySelector(`+js(sel)+`)`)
}

// typeInto focuses the field and types text with real key events.
func (f *flow) typeInto(sel, text string) {
	f.t.Helper()
	f.do(fmt.Sprintf("typing %q into %s", text, sel), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// clearField empties a field as a person would: select all, delete.
func (f *flow) clearField(sel string) {
	f.t.Helper()
	f.do("clearing "+sel,
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(sel)+`).select()`),
		chromedp.KeyEvent("\b"),
	)
	if v := f.value(sel); v != "" {
		f.t.Fatalf("[%s] %s still holds %q after clearing it", f.tab.name, sel, v)
	}
}

// replaceText clears the field and types text.
func (f *flow) replaceText(sel, text string) {
	f.t.Helper()
	f.clearField(sel)
	f.typeInto(sel, text)
}

// typeDate types an ISO date into a date input the way a person does in an
// en-US browser (month, day, year) and checks the field's value.
func (f *flow) typeDate(sel, iso string) {
	f.t.Helper()
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		f.t.Fatal(err)
	}
	// Focus puts the caret in the first segment (the month in en-US).
	f.do("typing a date into "+sel, chromedp.Focus(chromedp.CSS(sel)),
		chromedp.KeyEvent(d.Format("01")+d.Format("02")+d.Format("2006")))
	if got := f.value(sel); got != iso {
		f.t.Fatalf("[%s] typed the date %s into %s but the field holds %q (is the browser's locale en-US?)", f.tab.name, iso, sel, got)
	}
}

// signIn signs in at the clinic's sign-in page loginURL with the test
// password, on a desktop-sized tab, and waits for the dashboard.
func (f *flow) signIn(loginURL, email string) {
	f.t.Helper()
	f.do("resizing to the desktop", viewports[0].emulate())
	f.navigate(loginURL)
	f.typeInto("#f-email", email)
	f.typeInto("#f-password", apptest.Password)
	f.click(`form[action="/login"] button[type=submit]`)
	f.waitPath("/dashboard")
}

// click clicks the element sel with the mouse.
func (f *flow) click(sel string) {
	f.t.Helper()
	for try := 1; ; try++ {
		err := chromedp.Do(f.ctx, chromedp.Click(chromedp.CSS(sel)))
		if err == nil {
			return
		}
		// The page swapped the element out between finding it and
		// clicking it (a page still settling): find it again.
		if try < 3 && strings.Contains(err.Error(), "Could not find node with given id") {
			continue
		}
		f.t.Fatalf("[%s] clicking %s: %v\n%s", f.tab.name, sel, err, f.state())
	}
}

// screenshot saves a PNG of the whole page as dir/name.png.
func (f *flow) screenshot(dir, name string) string {
	f.t.Helper()
	buf, err := chromedp.Run(f.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		f.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.t.Logf("screenshot: %s", p)
	return p
}
