package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
)

// TestStaffAccessChanges runs, on one Ward, the tests of the steps that
// change someone's access: each asks first, and can be undone.
func TestStaffAccessChanges(t *testing.T) {
	t.Parallel()
	startWard(t).Parallel(t, testRoleChangeNeedsAnExplicitConfirmedPost, testDeactivateConfirmThenReactivate, testStatusBadges)
}

// badge is the status badge of a person's row on the staff list.
func badge(t *testing.T, c *apptest.Client, host, userID string) string {
	t.Helper()
	r := c.Get(host, "/staff")
	apptest.WantStatus(t, "staff list", r, http.StatusOK)
	return strings.TrimSpace(r.Doc(t).Find("#user-" + userID + " .badge").Text())
}

func testRoleChangeNeedsAnExplicitConfirmedPost(t *testing.T, s *apptest.Server) {
	a, nina, _, c := withNurse(t, s, "role-confirm")

	// The list's dropdown changes nothing by itself: its form asks for the
	// confirmation page with an explicit button.
	row := c.Get(a.Host, "/staff").Doc(t).Find("#user-" + nina.ID)
	form := row.Find("form:has(select)")
	if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/staff/"+nina.ID+"/role" || form.AttrOr("hx-trigger", "") != "" ||
		!strings.HasPrefix(strings.TrimSpace(form.Find("button[type=submit]").Text()), "Change role") {
		html, _ := row.Html()
		t.Fatalf("the role form is not a dropdown with a Change role button leading to a confirmation:\n%s", html)
	}

	// The confirmation: what the new role adds and takes away, and the
	// button that posts the change.
	r := c.Get(a.Host, "/staff/"+nina.ID+"/role?roleKey=admin")
	apptest.WantStatus(t, "confirmation", r, http.StatusOK)
	d := r.Doc(t)
	if got := d.Find("h1").Text(); got != "Change Nina Nurse's role to Admin?" {
		t.Errorf("confirmation title %q", got)
	}
	if gains := d.Find("main ul li").Text(); !strings.Contains(gains, "Staff: view, add, change") {
		t.Errorf("the confirmation does not list what Admin adds: %q", gains)
	}
	post := d.Find(`form[method=post][action="/staff/` + nina.ID + `/role"]`)
	if post.Find(`input[name=roleKey][value=admin]`).Length() != 1 || post.Find(`input[name=confirm][value="1"]`).Length() != 1 ||
		post.Find("input[name=csrf_token]").Length() != 1 || d.Find(`a[href="/staff"]`).Length() == 0 {
		t.Fatal("the confirmation has no form posting the change with confirm=1, or no way back")
	}
	if got := user(t, a, nina.ID).RoleKey; got != "nurse" {
		t.Fatalf("asking for the confirmation changed the role to %q", got)
	}

	// A post without the confirmation changes nothing: it answers with the
	// confirmation.
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/role", url.Values{"roleKey": {"admin"}})
	apptest.WantStatus(t, "post without confirm", r, http.StatusOK)
	if r.Doc(t).Find(`input[name=confirm][value="1"]`).Length() != 1 || user(t, a, nina.ID).RoleKey != "nurse" {
		t.Fatal("a role change without confirm=1 was made, or did not answer with the confirmation")
	}
	if n := apptest.Count(t, a.DB.Collection(audit.Collection), db.And(db.Eq("action", audit.UserUpdate), db.Eq("target", "user:"+nina.ID))); n != 0 {
		t.Fatalf("%d audit entries before the confirmation", n)
	}

	// Confirmed: made, said, audited.
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}})
	apptest.WantRedirect(t, "confirmed", r, "/staff")
	c.WantFlash(a.Host, r, "Nina Nurse's role is now Doctor.")
	if got := user(t, a, nina.ID).RoleKey; got != "doctor" {
		t.Fatalf("role %q after the confirmed change", got)
	}

	// The role they have already: nothing to confirm.
	apptest.WantRedirect(t, "the same role", c.Get(a.Host, "/staff/"+nina.ID+"/role?roleKey=doctor"), "/staff")
	apptest.WantStatus(t, "an unknown role", c.Get(a.Host, "/staff/"+nina.ID+"/role?roleKey=superuser"), http.StatusBadRequest)
	b := s.NewClinic(t, "role-confirm-other")
	apptest.WantStatus(t, "another clinic's person", c.Get(a.Host, "/staff/"+b.Admin.ID+"/role?roleKey=nurse"), http.StatusNotFound)
}

func testDeactivateConfirmThenReactivate(t *testing.T, s *apptest.Server) {
	a, nina, ninaC, c := withNurse(t, s, "deactivate-confirm")

	// The list's Deactivate leads to a confirmation; nothing posts from the list.
	row := c.Get(a.Host, "/staff").Doc(t).Find("#user-" + nina.ID)
	if row.Find(`form input[name=status][value=inactive]`).Length() != 0 ||
		row.Find(`form[method=get][action="/staff/`+nina.ID+`/deactivate"] button`).Length() != 1 {
		html, _ := row.Html()
		t.Fatalf("the list deactivates without a confirmation:\n%s", html)
	}
	r := c.Get(a.Host, "/staff/"+nina.ID+"/deactivate")
	apptest.WantStatus(t, "confirmation", r, http.StatusOK)
	d := r.Doc(t)
	if text := d.Find("main").Text(); !strings.Contains(text, "Deactivate Nina Nurse?") || !strings.Contains(text, "signed out everywhere") ||
		!strings.Contains(text, "reactivate") {
		t.Errorf("the confirmation does not say what deactivating does:\n%s", text)
	}
	post := d.Find(`form[method=post][action="/staff/` + nina.ID + `/status"]`)
	if post.Find(`input[name=status][value=inactive]`).Length() != 1 || post.Find(`input[name=confirm][value="1"]`).Length() != 1 {
		t.Fatal("the confirmation has no form posting the deactivation with confirm=1")
	}

	// Without the confirmation: nothing changes.
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"inactive"}})
	apptest.WantStatus(t, "post without confirm", r, http.StatusOK)
	if user(t, a, nina.ID).Status != auth.UserActive {
		t.Fatal("deactivated without confirm=1")
	}
	apptest.WantStatus(t, "Nina still works", ninaC.Get(a.Host, "/dashboard"), http.StatusOK)

	// Confirmed: the list says so and offers to undo it.
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}})
	apptest.WantRedirect(t, "confirmed", r, "/staff?deactivated="+nina.ID)
	if user(t, a, nina.ID).Status != auth.UserInactive {
		t.Fatal("not deactivated")
	}
	list := c.Get(a.Host, r.Header.Get("Location")).Doc(t)
	undo := list.Find("#undo")
	if !strings.Contains(undo.Text(), "Nina Nurse was deactivated.") ||
		undo.Find(`form[method=post][action="/staff/`+nina.ID+`/status"] input[name=status][value=active]`).Length() != 1 ||
		!strings.HasPrefix(strings.TrimSpace(undo.Find("button").Text()), "Reactivate") {
		t.Fatalf("after deactivating, no message with a Reactivate button: %q", undo.Text())
	}
	if got := strings.TrimSpace(list.Find("#user-" + nina.ID + " .badge").Text()); got != "Deactivated" {
		t.Errorf("Nina's badge %q", got)
	}
	// Someone else's id, or an active person's, shows no such message.
	for _, id := range []string{a.Admin.ID, "000000000000000000000000"} {
		if c.Get(a.Host, "/staff?deactivated="+id).Doc(t).Find("#undo").Length() != 0 {
			t.Errorf("?deactivated=%s shows an undo", id)
		}
	}

	// Reactivate: the undo.
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"active"}})
	apptest.WantRedirect(t, "reactivate", r, "/staff")
	c.WantFlash(a.Host, r, "Nina Nurse was reactivated.")
	if user(t, a, nina.ID).Status != auth.UserActive {
		t.Fatal("not reactivated")
	}
	if c.Get(a.Host, "/staff?deactivated="+nina.ID).Doc(t).Find("#undo").Length() != 0 {
		t.Error("the undo still shows once Nina is active again")
	}
	// Someone already deactivated: nothing to confirm.
	c.Get(a.Host, "/staff")
	c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}})
	apptest.WantRedirect(t, "deactivate page of someone inactive", c.Get(a.Host, "/staff/"+nina.ID+"/deactivate"), "/staff")
	b := s.NewClinic(t, "deactivate-confirm-other")
	apptest.WantStatus(t, "another clinic's person", c.Get(a.Host, "/staff/"+b.Admin.ID+"/deactivate"), http.StatusNotFound)
}

// testStatusBadges: the list tells Active, Invited (no password chosen
// yet) and Deactivated apart.
func testStatusBadges(t *testing.T, s *apptest.Server) {
	a, nina, _, c := withNurse(t, s, "badges")
	r := c.PostForm(a.Host, "/staff", url.Values{"name": {"Ivy Invited"}, "email": {"ivy@sunrise.test"}, "roleKey": {"nurse"}})
	apptest.WantRedirect(t, "add", r, "/staff")
	ivy, err := auth.UserByEmail(t.Context(), a.DB, "ivy@sunrise.test")
	if err != nil {
		t.Fatal(err)
	}
	doc := c.Get(a.Host, "/staff").Doc(t)
	for id, want := range map[string]string{a.Admin.ID: "Active", nina.ID: "Active", ivy.ID: "Invited"} {
		if got := strings.TrimSpace(doc.Find("#user-" + id + " .badge").Text()); got != want {
			t.Errorf("badge of %s: %q, want %q", id, got, want)
		}
	}
	if doc.Find(`#user-`+ivy.ID+` form[action="/staff/`+ivy.ID+`/invitation"] button`).Length() != 1 {
		t.Error("no Resend invitation button for someone invited")
	}
	if doc.Find(`#user-`+nina.ID+` form[action$="/invitation"]`).Length() != 0 {
		t.Error("a Resend invitation button for someone who has a password")
	}
	c.Get(a.Host, "/staff")
	c.PostForm(a.Host, "/staff/"+ivy.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}})
	if got := badge(t, c, a.Host, ivy.ID); got != "Deactivated" {
		t.Errorf("badge of a deactivated person: %q", got)
	}
}

// inviteTokens are the invitation links' tokens of the mail to email, oldest first.
func inviteTokens(t *testing.T, a *apptest.Clinic, email string) []string {
	t.Helper()
	var out []string
	for _, m := range apptest.Find[mail.Message](t, a.DB.Collection(mail.Collection), db.Eq("to", email), db.Asc("createdAt"), db.Asc(db.IDField)) {
		if l := inviteLink.FindStringSubmatch(m.Text); l != nil {
			out = append(out, l[1])
		}
	}
	return out
}

// TestResendInvitation: someone who has not chosen a password yet can be
// sent a new invitation, at most once a minute; the new link replaces the
// old one. It has a Ward of its own: it moves the clock.
func TestResendInvitation(t *testing.T) {
	s, a := start(t)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	c.Get(a.Host, "/staff/new")
	apptest.WantRedirect(t, "add", c.PostForm(a.Host, "/staff", url.Values{"name": {"Dora Doctor"}, "email": {"dora@sunrise.test"}, "roleKey": {"doctor"}}), "/staff")
	dora, err := auth.UserByEmail(t.Context(), a.DB, "dora@sunrise.test")
	if err != nil {
		t.Fatal(err)
	}
	resend := func() *apptest.Response {
		c.Get(a.Host, "/staff")
		return c.PostForm(a.Host, "/staff/"+dora.ID+"/invitation", url.Values{})
	}

	// At once: refused, so a double click sends one mail.
	r := resend()
	apptest.WantStatus(t, "resend at once", r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "less than a minute ago") {
		t.Errorf("the refusal does not say why:\n%s", r.Body)
	}
	if toks := inviteTokens(t, a, dora.Email); len(toks) != 1 {
		t.Fatalf("%d invitations after a refused resend", len(toks))
	}

	s.Clock.Advance(time.Minute)
	r = resend()
	apptest.WantRedirect(t, "resend", r, "/staff")
	c.WantFlash(a.Host, r, "A new invitation was sent to dora@sunrise.test. The link in the earlier one no longer works.")
	toks := inviteTokens(t, a, dora.Email)
	if len(toks) != 2 || toks[0] == toks[1] {
		t.Fatalf("invitation links %v, want two different ones", toks)
	}
	entries := apptest.Find[audit.Entry](t, a.DB.Collection(audit.Collection), db.Eq("action", "user.invite"))
	if len(entries) != 1 || entries[0].Target != "user:"+dora.ID || entries[0].ActorID != a.Admin.ID {
		t.Fatalf("user.invite audit entries %+v", entries)
	}
	apptest.WantStatus(t, "resend again within the minute", resend(), http.StatusTooManyRequests)

	// The new link replaces the old one.
	dc := s.Client(t)
	apptest.WantStatus(t, "the old link", dc.Get(a.Host, "/invitation?token="+toks[0]), http.StatusGone)
	page := dc.Get(a.Host, "/invitation?token="+toks[1])
	apptest.WantStatus(t, "the new link", page, http.StatusOK)
	if got := badge(t, c, a.Host, dora.ID); got != "Invited" {
		t.Errorf("badge before Dora chooses a password: %q", got)
	}
	r = dc.PostForm(a.Host, "/password/reset", url.Values{"token": {toks[1]}, "invite": {"1"}, "password": {newPassword}, "confirm": {newPassword}})
	apptest.WantRedirect(t, "Dora chooses her password", r, "/login")
	dc.WantFlash(a.Host, r, "Your password is saved. Welcome to Clinic sunrise: sign in with your email and the new password.")

	// Once she has a password she is Active, and there is nothing to resend.
	if got := badge(t, c, a.Host, dora.ID); got != "Active" {
		t.Errorf("badge after Dora chose a password: %q", got)
	}
	s.Clock.Advance(time.Minute)
	r = resend()
	apptest.WantStatus(t, "resend to someone with a password", r, http.StatusConflict)
	if !strings.Contains(r.Body, "already chosen a password") {
		t.Errorf("the refusal does not say why:\n%s", r.Body)
	}
	b := s.NewClinic(t, "elsewhere")
	c.Get(a.Host, "/staff")
	apptest.WantStatus(t, "another clinic's person", c.PostForm(a.Host, "/staff/"+b.Admin.ID+"/invitation", url.Values{}), http.StatusNotFound)
	// Only who may add people may send invitations.
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	nc := s.SignedIn(t, a.Host, nina.Email)
	nc.Get(a.Host, "/dashboard")
	apptest.WantStatus(t, "a nurse resends", nc.PostForm(a.Host, "/staff/"+dora.ID+"/invitation", url.Values{}), http.StatusForbidden)
}

// TestInvitationPage: the page the invitation opens welcomes the person to
// the clinic and names the account, as a username a password manager saves.
func TestInvitationPage(t *testing.T) {
	s, a := start(t)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	c.Get(a.Host, "/staff/new")
	c.PostForm(a.Host, "/staff", url.Values{"name": {"Dora Doctor"}, "email": {"dora@sunrise.test"}, "roleKey": {"doctor"}})
	toks := inviteTokens(t, a, "dora@sunrise.test")
	if len(toks) != 1 {
		t.Fatalf("invitation links %v", toks)
	}
	dc := s.Client(t)
	r := dc.Get(a.Host, "/invitation?token="+toks[0])
	apptest.WantStatus(t, "invitation", r, http.StatusOK)
	d := r.Doc(t)
	if got := d.Find("main h1").Text(); got != "Welcome to Clinic sunrise" {
		t.Errorf("title %q", got)
	}
	if got := d.Find("main hgroup p").Text(); !strings.Contains(got, "Dora Doctor") || !strings.Contains(got, "Clinic sunrise") {
		t.Errorf("welcome line %q", got)
	}
	account := d.Find(`form[action="/password/reset"] input[autocomplete=username]`)
	if account.AttrOr("value", "") != "dora@sunrise.test" || account.AttrOr("type", "") != "email" || goquery.NodeName(account) != "input" {
		t.Errorf("the username field: %d, value %q", account.Length(), account.AttrOr("value", ""))
	}
	if _, ro := account.Attr("readonly"); !ro {
		t.Error("the username field can be edited")
	}
	if d.Find(`input[name=password][autocomplete=new-password]`).Length() != 1 || d.Find(`input[name=invite][value="1"]`).Length() != 1 {
		t.Error("no new-password field, or the form does not say it is an invitation")
	}
	// A refused password keeps the welcome.
	r = dc.PostForm(a.Host, "/password/reset", url.Values{"token": {toks[0]}, "invite": {"1"}, "password": {"short"}, "confirm": {"short"}})
	apptest.WantStatus(t, "short password", r, http.StatusUnprocessableEntity)
	if got := r.Doc(t).Find("main h1").Text(); got != "Welcome to Clinic sunrise" || r.Doc(t).Find("#e-password").Length() != 1 {
		t.Errorf("after a refused password: title %q", got)
	}
	// An unknown or used link says what to do.
	r = dc.Get(a.Host, "/invitation?token=nonsense")
	apptest.WantStatus(t, "unknown link", r, http.StatusGone)
	if !strings.Contains(r.Body, "Ask whoever manages staff") {
		t.Errorf("an expired invitation does not say what to do:\n%s", r.Body)
	}
}
