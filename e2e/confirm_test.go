package e2e_test

// Changes of someone's access, and archiving a patient, ask first: a
// confirmation page says what will happen, its button does it, and the page
// after it offers the undo.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/modules"
)

// TestConfirmBeforeDeactivating: a confirmation is required before
// deactivating a staff member, and the list then offers to reactivate them;
// changing a role takes the dropdown, a button and a confirmation; archiving
// a patient asks too, and the patient page offers Restore. The confirmations
// are done from the keyboard.
func TestConfirmBeforeDeactivating(t *testing.T) {
	requireAssets(t)
	chromium := requireChromium(t)
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	cl := s.NewClinic(t, "confirm")
	nina := s.NewUser(t, cl, "nurse", "Nina Nurse", "nina@confirm.test")
	clinic := func(path string) string { return s.URL(cl.Host, path) }
	ctx := context.Background()
	current := func() *auth.User {
		t.Helper()
		u, err := auth.UserByID(ctx, cl.DB, nina.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	b := startBrowser(t, chromium)
	tb := b.newTab(t, "confirm", &consoleLog{})
	f := tb.flow(t)
	f.signIn(clinic("/login"), cl.Admin.Email)

	t.Run("deactivate", func(t *testing.T) {
		f := tb.flow(t)
		row := "#user-" + nina.ID
		f.navigate(clinic("/staff"))
		f.waitText(row, "Nina Nurse")
		if got := f.text(row + " .badge"); got != "Active" {
			t.Errorf("Nina's badge reads %q, want Active", got)
		}
		f.click(row + ` form[action$="/deactivate"] button`)
		f.waitPath("/staff/" + nina.ID + "/deactivate")
		f.waitText("main h1", "Deactivate Nina Nurse?")
		if got := f.text("main"); !strings.Contains(got, "signed out everywhere") {
			t.Errorf("the confirmation does not say what deactivating does: %q", got)
		}
		if current().Status != auth.UserActive {
			t.Fatal("Nina was deactivated before the confirmation")
		}

		// Confirmed from the keyboard: focus the button, press Enter.
		f.do("confirming with Enter", chromedp.Focus(chromedp.CSS(`main form button[type=submit]`)), chromedp.KeyEvent("\r"))
		f.waitPath("/staff?deactivated=" + nina.ID)
		f.waitText("#undo", "Nina Nurse was deactivated.")
		if current().Status != auth.UserInactive {
			t.Fatal("the confirmed deactivation was not made")
		}
		if got := f.text(row + " .badge"); got != "Deactivated" {
			t.Errorf("Nina's badge reads %q after deactivating, want Deactivated", got)
		}

		// The undo.
		f.click(`#undo button[type=submit]`)
		f.waitPath("/staff")
		f.waitText("#flash", "Nina Nurse was reactivated.")
		if current().Status != auth.UserActive {
			t.Fatal("Reactivate did not reactivate Nina")
		}
	})

	t.Run("change role", func(t *testing.T) {
		f := tb.flow(t)
		row := "#user-" + nina.ID
		f.navigate(clinic("/staff"))
		f.waitText(row, "Nina Nurse")
		if eval[bool](f, `!!document.querySelector(`+js(row+" select")+`).closest("[hx-trigger], [hx-post], [hx-get]")`) {
			t.Error("the role dropdown saves by itself (htmx on change)")
		}
		f.do("choosing Doctor", chromedp.SetValue(chromedp.CSS(row+" select"), "doctor"))
		f.click(row + ` form:has(select) button[type=submit]`)
		f.waitPath("/staff/" + nina.ID + "/role?roleKey=doctor")
		f.waitText("main h1", "Change Nina Nurse's role to Doctor?")
		if current().RoleKey != "nurse" {
			t.Fatal("the role changed before the confirmation")
		}
		f.do("confirming with Enter", chromedp.Focus(chromedp.CSS(`main form[method=post] button[type=submit]`)), chromedp.KeyEvent("\r"))
		f.waitPath("/staff")
		f.waitText("#flash", "Nina Nurse's role is now Doctor.")
		if current().RoleKey != "doctor" {
			t.Fatal("the confirmed role change was not made")
		}
	})

	t.Run("archive a patient", func(t *testing.T) {
		f := tb.flow(t)
		f.navigate(clinic("/patients"))
		f.waitFor(`!!document.querySelector("#results .empty a[href='/patients/new']")`, "the empty list's invitation to register the first patient")
		f.click(`#results .empty a[href="/patients/new"]`)
		f.waitPath("/patients/new")
		f.typeInto("#f-firstName", "Wanjiru")
		f.typeInto("#f-lastName", "Kamau")
		f.click(`#patient-form button[type=submit]`)
		f.waitFor(`/^\/patients\/[0-9a-f]{24}$/.test(location.pathname) && document.querySelector("main h1")?.innerText === "Wanjiru Kamau"`, "the new patient's page")
		patient := eval[string](f, `location.pathname`)

		f.click(`a[href="` + patient + `/archive"]`)
		f.waitPath(patient + "/archive")
		f.waitText("main h1", "Archive Wanjiru Kamau?")
		f.do("confirming with Enter", chromedp.Focus(chromedp.CSS(`main form button[type=submit]`)), chromedp.KeyEvent("\r"))
		f.waitPath(patient)
		f.waitText("#flash", "Wanjiru Kamau was archived.")
		f.click(`.archived form[action$="/restore"] button[type=submit]`)
		f.waitText("#flash", "Wanjiru Kamau was restored.")
		if f.exists(".archived") {
			t.Error("the patient still shows as archived after Restore")
		}
	})
}
