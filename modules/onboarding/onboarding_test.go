package onboarding_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules/landing"
	"github.com/wardclinic/ward/modules/onboarding"
	settingsmodule "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/policies"
)

const password = "tidal ginger lantern orbit"

func start(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, landing.New(), onboarding.New(), settingsmodule.New(), signin.New())
}

// form is a valid onboarding form for the subdomain.
func form(sub string) url.Values {
	return url.Values{
		"clinicName":    {"Sunrise Clinic"},
		"subdomain":     {sub},
		"adminName":     {"Ada Okafor"},
		"adminEmail":    {"Ada@Example.org"},
		"adminPassword": {password},
		"timezone":      {"Africa/Nairobi"},
		"currency":      {"KES"},
	}
}

// onboard opens the form as a person would and sends it.
func onboard(t *testing.T, s *apptest.Server, c *apptest.Client, v url.Values) *apptest.Response {
	t.Helper()
	if r := c.Get("localhost", "/tenant-onboard"); r.StatusCode != 200 {
		t.Fatalf("GET /tenant-onboard: %d", r.StatusCode)
	}
	return c.PostForm("localhost", "/tenant-onboard", v)
}

// tenantsWith returns the tenant records with the subdomain.
func tenantsWith(t *testing.T, s *apptest.Server, sub string) []tenant.Tenant {
	t.Helper()
	return apptest.Find[tenant.Tenant](t, s.DB.Platform("test").Collection(tenant.Collection), db.Eq("subdomain", sub))
}

// docsByTenant counts the documents of every collection that carry a
// tenantId, by tenant: collection → tenantId → count.
func docsByTenant(t *testing.T, s *apptest.Server) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for n, docs := range apptest.Everything[map[string]any](t, s) {
		if n == tenant.Collection || n == rbac.RulesCollection {
			continue
		}
		for _, d := range docs {
			id, ok := d[db.TenantField].(string)
			if !ok {
				continue
			}
			if out[n] == nil {
				out[n] = map[string]int{}
			}
			out[n][id]++
		}
	}
	return out
}

// ruleDomains counts casbin rules by their domain.
func ruleDomains(t *testing.T, s *apptest.Server) map[string]int {
	t.Helper()
	var rules []map[string]any
	if err := s.DB.Platform("test").Collection(rbac.RulesCollection).Find(context.Background(), db.Filter{}, &rules, db.FindOptions{}); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rules {
		dom := r["v1"]
		if r["ptype"] == "g" {
			dom = r["v2"]
		}
		out[fmt.Sprint(dom)]++
	}
	return out
}

func count(t *testing.T, s *apptest.Server, tenantID, coll string) int64 {
	t.Helper()
	n, err := s.DB.ForTenant(tenantID).Collection(coll).Count(context.Background(), db.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkClinic verifies exactly the records onboarding leaves for a clinic
// and returns its admin.
func checkClinic(t *testing.T, s *apptest.Server, tn tenant.Tenant, v url.Values) *auth.User {
	t.Helper()
	ctx := context.Background()
	tdb := s.DB.ForTenant(tn.ID)
	now := s.Clock.Now()

	if tn.Status != tenant.StatusActive || tn.Name != v.Get("clinicName") || tn.Subdomain != strings.ToLower(strings.TrimSpace(v.Get("subdomain"))) {
		t.Errorf("tenant = %+v", tn)
	}
	if sub := tn.Subscription; sub.Plan != "trial" || sub.Status != "trialing" || !sub.ExpiresAt.Equal(now.Add(7*24*time.Hour)) {
		t.Errorf("subscription = %+v, want trial/trialing until %v", sub, now.Add(7*24*time.Hour))
	}
	if !tn.CreatedAt.Equal(now) {
		t.Errorf("createdAt = %v, want %v", tn.CreatedAt, now)
	}

	// Roles: the six defaults, with exactly their grants.
	roles := apptest.Find[rbac.Role](t, tdb.Collection(rbac.RolesCollection), db.Filter{})
	defaults := policies.DefaultRoles()
	var gotKeys, wantKeys []string
	for _, r := range roles {
		gotKeys = append(gotKeys, r.Key)
		if !r.Builtin || r.TenantID != tn.ID {
			t.Errorf("role %+v", r)
		}
	}
	wantGrants := map[string]bool{}
	for _, r := range defaults {
		wantKeys = append(wantKeys, r.Key)
		for _, g := range r.SortedGrants() {
			wantGrants[strings.Join([]string{"p", rbac.RoleSubject(r.Key), tn.ID, g.Resource, g.Action}, " ")] = true
		}
	}
	sort.Strings(gotKeys)
	sort.Strings(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) || len(roles) != 6 {
		t.Errorf("roles %v, want %v", gotKeys, wantKeys)
	}
	rules, err := rbac.Rules(ctx, s.DB, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotGrants := map[string]bool{}
	var assignments []string
	for _, r := range rules {
		if r.PType == "g" {
			assignments = append(assignments, r.V0+" "+r.V1+" "+r.V2)
			continue
		}
		k := strings.Join([]string{r.PType, r.V0, r.V1, r.V2, r.V3}, " ")
		if gotGrants[k] {
			t.Errorf("rule twice: %s", k)
		}
		gotGrants[k] = true
	}
	for k := range wantGrants {
		if !gotGrants[k] {
			t.Errorf("missing grant: %s", k)
		}
	}
	for k := range gotGrants {
		if !wantGrants[k] {
			t.Errorf("unexpected grant: %s", k)
		}
	}

	// The admin.
	users := apptest.Find[auth.User](t, tdb.Collection(auth.UsersCollection), db.Filter{})
	if len(users) != 1 {
		t.Fatalf("%d users, want 1", len(users))
	}
	u := users[0]
	if u.Email != strings.ToLower(v.Get("adminEmail")) || u.Name != v.Get("adminName") || u.RoleKey != "admin" || u.Status != auth.UserActive || u.TenantID != tn.ID {
		t.Errorf("admin = %+v", u)
	}
	if !strings.HasPrefix(u.PasswordHash, "$2") || !auth.CheckPassword(u.PasswordHash, v.Get("adminPassword")) {
		t.Errorf("password hash %q does not check", u.PasswordHash)
	}
	if auth.CheckPassword(u.PasswordHash, v.Get("adminPassword")+"x") {
		t.Error("a wrong password checks")
	}
	// Ward assigns roles through the user's roleKey (rbac.Enforcer.Allowed
	// takes the role key); a user→role "g" rule, if there is one, must say
	// the same thing.
	for _, a := range assignments {
		if a != rbac.UserSubject(u.ID)+" "+rbac.RoleSubject("admin")+" "+tn.ID {
			t.Errorf("unexpected assignment rule %q", a)
		}
	}
	fresh, err := s.Platform.Tenants().ByID(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		role, res, act string
		want           bool
	}{
		{"admin", "settings", "update", true},
		{"admin", "roles", "delete", true},
		{"doctor", "prescriptions", "create", true},
		{"doctor", "invoices", "read", false},
		{"medrep", "patients", "read", false},
	} {
		ok, err := s.Ward.RBAC().Allowed(ctx, tn.ID, fresh.PolicyVersion, q.role, q.res, q.act)
		if err != nil || ok != q.want {
			t.Errorf("%s may %s %s: %v %v, want %v", q.role, q.act, q.res, ok, err, q.want)
		}
	}

	profiles := apptest.Find[auth.Profile](t, tdb.Collection(auth.ProfilesCollection), db.Filter{})
	if len(profiles) != 1 || profiles[0].UserID != u.ID || profiles[0].Name != u.Name || profiles[0].Title != "Administrator" {
		t.Errorf("profiles = %+v", profiles)
	}

	saved := apptest.Find[settings.Settings](t, tdb.Collection(settings.Collection), db.Filter{})
	if len(saved) != 1 {
		t.Fatalf("settings = %+v", saved)
	}
	if st := saved[0]; st.ClinicName != v.Get("clinicName") || st.Timezone != v.Get("timezone") || st.Currency != strings.ToUpper(v.Get("currency")) ||
		st.DateFormat != settings.DefaultDateFormat || st.IdleMinutes != settings.DefaultIdleMinutes {
		t.Errorf("settings = %+v", st)
	}

	mails := apptest.Find[mail.Message](t, tdb.Collection(mail.Collection), db.Filter{})
	// One mail: the confirmation of the admin's address, which welcomes
	// too; the clinic's other mail is held until it is used.
	if len(mails) != 1 {
		t.Fatalf("mails = %+v", mails)
	}
	if m := mails[0]; m.To != u.Email || m.Status != mail.StatusQueued || m.Key != "confirm:"+u.ID || !m.Account ||
		!strings.Contains(m.Subject, tn.Name) || !strings.Contains(m.Text, "http://"+tn.Subdomain+".localhost:") || !strings.Contains(m.Text, "/login") ||
		!strings.Contains(m.Text, "/email/verify?token=") {
		t.Errorf("confirmation mail = %+v", m)
	}
	if !tn.EmailUnconfirmed {
		t.Error("the new clinic's address is not waiting for confirmation")
	}
	if h, err := mail.CurrentHold(ctx, tdb); err != nil || h.Address != u.Email || !h.ExpiresAt.Equal(now.Add(mail.ConfirmTTL)) {
		t.Errorf("the clinic's mail is not held for %s: %+v %v", u.Email, h, err)
	}
	return &u
}

func TestOnboardingHappyPath(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	v := form("sunrise")

	page := c.Get("localhost", "/tenant-onboard")
	if page.StatusCode != 200 {
		t.Fatalf("GET /tenant-onboard: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	for _, f := range []string{"clinicName", "subdomain", "adminName", "adminEmail", "adminPassword", "timezone", "currency", "csrf_token"} {
		if doc.Find(`form[action="/tenant-onboard"] input[name="`+f+`"]`).Length() != 1 {
			t.Errorf("the form has no %s field", f)
		}
	}
	r := c.PostForm("localhost", "/tenant-onboard", v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d\n%s", r.StatusCode, r.Body)
	}
	if got := r.Header.Get("Location"); !isArrival(s, "sunrise", got) {
		t.Errorf("Location = %q, want %s…", got, arrival(s, "sunrise"))
	}

	ts, err := s.Platform.Tenants().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 {
		t.Fatalf("tenants = %+v", ts)
	}
	checkClinic(t, s, ts[0], v)
	for coll, byTenant := range docsByTenant(t, s) {
		for id := range byTenant {
			if id != ts[0].ID {
				t.Errorf("%s holds documents of another tenant %s", coll, id)
			}
		}
	}
	if rd := ruleDomains(t, s); len(rd) != 1 || rd[ts[0].ID] == 0 {
		t.Errorf("rule domains = %v", rd)
	}

	// The clinic is reachable at once and its admin can sign in.
	if r := c.Get("sunrise.localhost", "/login"); r.StatusCode != 200 {
		t.Fatalf("GET sunrise /login: %d\n%s", r.StatusCode, r.Body)
	}
	r = c.PostForm("sunrise.localhost", "/login", url.Values{"email": {"ada@example.org"}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Errorf("sign-in: %d %q", r.StatusCode, r.Header.Get("Location"))
	}

	// The same subdomain again is taken.
	r = onboard(t, s, s.Client(t), v)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find("#subdomain-status").Text(), "already taken") {
		t.Errorf("second onboarding of sunrise: %d", r.StatusCode)
	}
}

func TestOnboardingViaHTMXRedirectsWithHeader(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	r := c.PostForm("localhost", "/tenant-onboard", form("htmxclinic"), "HX-Request", "true", "X-CSRF-Token", c.Token("localhost"))
	if r.StatusCode != 200 || !isArrival(s, "htmxclinic", r.Header.Get("HX-Redirect")) {
		t.Errorf("htmx onboarding: %d HX-Redirect=%q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
}

func TestSubdomainCheck(t *testing.T) {
	t.Parallel()
	s := start(t)
	now := s.Clock.Now()
	for _, tn := range []*tenant.Tenant{
		{ID: db.NewID(), Name: "Taken", Subdomain: "taken", Status: tenant.StatusActive, CreatedAt: now, UpdatedAt: now},
		{ID: db.NewID(), Name: "Closed", Subdomain: "closed", Status: tenant.StatusSuspended, CreatedAt: now, UpdatedAt: now},
		{ID: db.NewID(), Name: "Building", Subdomain: "building", Status: tenant.StatusProvisioning, CreatedAt: now, UpdatedAt: now},
		{ID: db.NewID(), Name: "Crashed", Subdomain: "crashed", Status: tenant.StatusProvisioning, CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)},
	} {
		if err := s.Platform.Tenants().Insert(context.Background(), tn); err != nil {
			t.Fatal(err)
		}
	}
	c := s.Client(t)
	host := func(sub string) string { return sub + ".localhost:" + s.Port }
	tests := []struct {
		name, q   string
		available bool
		want      string // the fragment's text
	}{
		{"available", "newclinic", true, host("newclinic") + " is available."},
		{"available, typed in capitals", "NewClinic", true, host("newclinic") + " is available."},
		{"taken", "taken", false, "This address is already taken. Please choose another."},
		{"taken by a suspended clinic", "closed", false, "This address is already taken. Please choose another."},
		{"being set up", "building", false, "This address is already taken"},
		{"interrupted long ago", "crashed", true, host("crashed") + " is available."},
		{"reserved", "admin", false, "This address is reserved. Please choose another."},
		{"too short", "ab", false, "Use 3 to 30 characters."},
		{"malformed", "sun_rise", false, "Use only lowercase letters a to z, digits and hyphens."},
		{"punycode", "xn--abc", false, "Two hyphens in the third and fourth places are not allowed."},
		{"homoglyph", "ѕunrise", false, "Use only the letters a to z, digits and hyphens (no accents or other scripts)."},
		{"empty", "", false, "Your clinic's address: yourclinic.localhost:" + s.Port + ". 3–30 lowercase letters, digits or hyphens."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Get("localhost", "/tenant-onboard/subdomain?subdomain="+url.QueryEscape(tt.q), "HX-Request", "true")
			if r.StatusCode != 200 {
				t.Fatalf("%d\n%s", r.StatusCode, r.Body)
			}
			if strings.Contains(r.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(r.Body), `<small id="subdomain-status"`) {
				t.Fatalf("not the fragment:\n%s", r.Body)
			}
			el := r.Doc(t).Find("#subdomain-status")
			if got := strings.TrimSpace(el.Text()); !strings.HasPrefix(got, tt.want) {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
			if tt.q != "" && el.HasClass("available") != tt.available {
				t.Errorf("class = %q, available %v", el.AttrOr("class", ""), tt.available)
			}
		})
	}
	// Only the platform host answers it.
	if r := c.Get("taken.localhost", "/tenant-onboard/subdomain?subdomain=x", "HX-Request", "true"); r.StatusCode != 404 {
		t.Errorf("subdomain check on a clinic host: %d", r.StatusCode)
	}
}

func TestOnboardingValidationErrors(t *testing.T) {
	t.Parallel()
	s := start(t)
	now := s.Clock.Now()
	if err := s.Platform.Tenants().Insert(context.Background(), &tenant.Tenant{ID: db.NewID(), Name: "Taken", Subdomain: "taken", Status: tenant.StatusActive, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t)
	const secret = "orchid Velvet 7 comet"
	tests := []struct {
		name, field, value, want string
	}{
		{"clinic name missing", "clinicName", "", "Enter the clinic's name."},
		{"clinic name too long", "clinicName", strings.Repeat("n", 101), "Use at most 100 characters."},
		{"clinic name bidi override", "clinicName", "Sun\u202erise", "Clinic name may not contain characters that change the direction of text."},
		{"subdomain malformed", "subdomain", "sun_rise", "Use only lowercase letters a to z, digits and hyphens."},
		{"subdomain reserved", "subdomain", "admin", "This address is reserved. Please choose another."},
		{"subdomain taken", "subdomain", "taken", "This address is already taken. Please choose another."},
		{"subdomain homoglyph", "subdomain", "ѕunrise", "Use only the letters a to z, digits and hyphens (no accents or other scripts)."},
		{"admin name missing", "adminName", "", "Enter your name."},
		{"email invalid", "adminEmail", "ada@", "Enter an email address such as name@example.com."},
		{"password short", "adminPassword", "orchid velvet", "Use at least 15 characters. A few unrelated words make a strong password that is easy to remember."},
		{"password common", "adminPassword", "passwordpassword", "This password is too common or too easy to guess. Try a few unrelated words."},
		{"password personal", "adminPassword", "sunrise " + secret, "Don't use your clinic's name or your email address in the password."},
		{"timezone unknown", "timezone", "Mars/Base", "Unknown time zone. Choose one such as Europe/London or America/New_York."},
		{"timezone traversal", "timezone", "../../etc/passwd", "Unknown time zone. Choose one such as Europe/London or America/New_York."},
		{"currency unknown", "currency", "XYZ", "Unknown currency code. Use a three-letter ISO 4217 code such as USD, EUR or KES."},
	}
	c.Get("localhost", "/tenant-onboard")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := form("fresh")
			v.Set("adminPassword", secret)
			v.Set(tt.field, tt.value)
			r := c.PostForm("localhost", "/tenant-onboard", v)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d\n%s", r.StatusCode, r.Body)
			}
			doc := r.Doc(t)
			sel := "#e-" + tt.field
			if tt.field == "subdomain" {
				sel = "#subdomain-status"
			}
			if got := strings.TrimSpace(doc.Find(sel).Text()); got != tt.want {
				t.Errorf("%s = %q, want %q", sel, got, tt.want)
			}
			if n := doc.Find(".field-error").Length(); n != 1 {
				t.Errorf("%d field errors, want 1", n)
			}
			if doc.Find(`[role="alert"]`).Length() == 0 {
				t.Error("no summary of the errors")
			}
			// The password is never sent back; the other values are kept.
			if strings.Contains(r.Body, secret) || strings.Contains(r.Body, "orchid") {
				t.Error("the page echoes the password")
			}
			if val, _ := doc.Find(`input[name="adminPassword"]`).Attr("value"); val != "" {
				t.Errorf("password field value = %q", val)
			}
			for _, f := range []string{"clinicName", "subdomain", "adminName", "adminEmail", "timezone", "currency"} {
				want := strings.TrimSpace(v.Get(f))
				if f == "subdomain" {
					want = strings.ToLower(want)
				}
				if f == "adminEmail" && tt.field != f {
					want = strings.ToLower(want) // normalized once valid
				}
				if f == "currency" {
					want = strings.ToUpper(want)
				}
				if got, _ := doc.Find(`input[name="` + f + `"]`).Attr("value"); got != want {
					t.Errorf("%s kept as %q, want %q", f, got, want)
				}
			}
			// The page is still a working form: it carries a CSRF token.
			if doc.Find(`input[name="csrf_token"]`).Length() != 1 {
				t.Error("the re-rendered form has no CSRF token")
			}
		})
	}
	if ts, _ := s.Platform.Tenants().List(context.Background()); len(ts) != 1 {
		t.Errorf("tenants after invalid posts: %d", len(ts))
	}
}

func TestOnboardingBadInput(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	token := c.Token("localhost")
	if token == "" {
		t.Fatal("no CSRF token on the form page")
	}
	// post sends a raw body with same-origin headers and the token header.
	post := func(ct string, body io.Reader, headers ...string) *apptest.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL("localhost", "/tenant-onboard"), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", "http://localhost:"+s.Port)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return c.Do(req)
	}
	const notAForm = "Send the form from the sign-up page (the request was not a form)."
	const damaged = "The form could not be read: it is too large or damaged. Please try again."

	t.Run("json body", func(t *testing.T) {
		r := post("application/json", strings.NewReader(`{"clinicName":"Sunrise","subdomain":"sunrise"}`), "X-CSRF-Token", token)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, notAForm) {
			t.Errorf("%d\n%s", r.StatusCode, r.Body)
		}
	})
	t.Run("no content type", func(t *testing.T) {
		r := post("", strings.NewReader("clinicName=x"), "X-CSRF-Token", token)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, notAForm) {
			t.Errorf("%d\n%s", r.StatusCode, r.Body)
		}
	})
	t.Run("missing fields", func(t *testing.T) {
		r := c.PostForm("localhost", "/tenant-onboard", url.Values{})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%d\n%s", r.StatusCode, r.Body)
		}
		doc := r.Doc(t)
		for sel, want := range map[string]string{
			"#e-clinicName": "Enter the clinic's name.", "#subdomain-status": "Choose the address of your clinic.",
			"#e-adminName": "Enter your name.", "#e-adminEmail": "Enter an email address.", "#e-adminPassword": "Choose a password.",
			"#e-timezone": "Choose the clinic's time zone.", "#e-currency": "Choose the currency the clinic bills in.",
		} {
			if got := strings.TrimSpace(doc.Find(sel).Text()); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
	})
	t.Run("repeated fields", func(t *testing.T) {
		v := form("twice")
		v.Add("subdomain", "admin") // the first value counts
		v.Set("adminPassword", "short")
		r := c.PostForm("localhost", "/tenant-onboard", v)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find("#e-adminPassword").Length() != 1 {
			t.Errorf("%d", r.StatusCode)
		}
	})
	t.Run("invalid UTF-8 and percent-encoding", func(t *testing.T) {
		r := post("application/x-www-form-urlencoded", strings.NewReader("clinicName=%FF%FE&subdomain=%ZZ&csrf_token="+url.QueryEscape(token)))
		if r.StatusCode >= 500 {
			t.Errorf("%d\n%s", r.StatusCode, r.Body)
		}
		t.Logf("damaged url-encoding: %d", r.StatusCode)
	})
	t.Run("1 MB clinic name", func(t *testing.T) {
		v := form("bigname")
		v.Set("clinicName", strings.Repeat("a", 1<<20))
		r := c.PostForm("localhost", "/tenant-onboard", v)
		if r.StatusCode != http.StatusUnprocessableEntity || strings.TrimSpace(r.Doc(t).Find("#e-clinicName").Text()) != "Use at most 100 characters." {
			t.Errorf("%d", r.StatusCode)
		}
		t.Logf("1 MB clinic name: %d, page of %d bytes", r.StatusCode, len(r.Body))
	})
	t.Run("body above the limit, token in a header", func(t *testing.T) {
		v := form("hugebody")
		v.Set("clinicName", strings.Repeat("a", 3<<20))
		r := post("application/x-www-form-urlencoded", strings.NewReader(v.Encode()), "X-CSRF-Token", token)
		if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%d\n%.500s", r.StatusCode, r.Body)
		}
		if r.StatusCode == http.StatusUnprocessableEntity && !strings.Contains(r.Body, damaged) {
			t.Errorf("422 without the message:\n%.2000s", r.Body)
		}
		t.Logf("3 MB body, token in header: %d", r.StatusCode)
	})
	t.Run("body above the limit, token in the form", func(t *testing.T) {
		// What a browser sends: the token is a form field, so it cannot be
		// read from a body that is refused.
		v := form("hugebody")
		v.Set("clinicName", strings.Repeat("a", 3<<20))
		v.Set("csrf_token", token)
		r := post("application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
		if r.StatusCode >= 500 || r.StatusCode < 400 {
			t.Errorf("%d\n%.500s", r.StatusCode, r.Body)
		}
		t.Logf("3 MB body, token in form: %d %s", r.StatusCode, strings.TrimSpace(r.Doc(t).Find("article p").First().Text()))
	})
	t.Run("huge multipart body", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("csrf_token", token)
		_ = w.WriteField("clinicName", strings.Repeat("a", 3<<20))
		_ = w.Close()
		r := post(w.FormDataContentType(), &buf, "X-CSRF-Token", token)
		if r.StatusCode >= 500 || r.StatusCode < 400 {
			t.Errorf("%d\n%.500s", r.StatusCode, r.Body)
		}
		t.Logf("3 MB multipart body: %d", r.StatusCode)
	})
	t.Run("multipart form works", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("csrf_token", token)
		for k, vs := range form("multipart") {
			_ = w.WriteField(k, vs[0])
		}
		_ = w.Close()
		r := post(w.FormDataContentType(), &buf)
		if r.StatusCode != http.StatusSeeOther || !isArrival(s, "multipart", r.Header.Get("Location")) {
			t.Errorf("%d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
	})
	t.Run("no token", func(t *testing.T) {
		r := c.PostRaw("localhost", "/tenant-onboard", form("notoken"))
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%d", r.StatusCode)
		}
	})
	t.Run("cross-origin", func(t *testing.T) {
		r := c.PostForm("localhost", "/tenant-onboard", form("crossorigin"), "Origin", "http://evil.localhost:"+s.Port, "Sec-Fetch-Site", "same-site")
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%d", r.StatusCode)
		}
	})

	// Nothing but the multipart clinic was created.
	ts, err := s.Platform.Tenants().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Subdomain != "multipart" {
		t.Errorf("tenants: %+v", ts)
	}
}

func TestConcurrentOnboardingOfOneSubdomain(t *testing.T) {
	t.Parallel()
	// Twenty people race for one address, each from their own network
	// (from one, the sign-up limit would refuse all but a few).
	s := startBehindProxy(t)
	const n = 20
	clients := make([]*apptest.Client, n)
	forms := make([]url.Values, n)
	for i := range clients {
		clients[i] = s.Client(t)
		clients[i].Get("localhost", "/tenant-onboard")
		forms[i] = form("race")
		forms[i].Set("adminName", fmt.Sprintf("Admin %d", i))
		forms[i].Set("adminEmail", fmt.Sprintf("admin%d@example.org", i))
	}
	results := make([]*apptest.Response, n)
	apptest.AtOnce(n, func(i int) {
		r, err := clients[i].TryPost("localhost", "/tenant-onboard", forms[i], "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
		results[i] = r
	})

	wins, beingSetUp := 0, 0
	for i, r := range results {
		if r == nil {
			continue
		}
		if strings.Contains(r.Body, "being set up") {
			beingSetUp++
		}
		switch r.StatusCode {
		case http.StatusSeeOther:
			wins++
			if loc := r.Header.Get("Location"); !isArrival(s, "race", loc) {
				t.Errorf("winner's Location %q", loc)
			}
		case http.StatusUnprocessableEntity:
			if !strings.Contains(r.Body, "already taken") {
				t.Errorf("client %d: 422 without \"already taken\"", i)
			}
		default:
			t.Errorf("client %d: %d\n%.1000s", i, r.StatusCode, r.Body)
		}
	}
	if wins != 1 {
		t.Errorf("%d attempts won, want 1", wins)
	}
	t.Logf("%d won, %d refused while the winner was being set up, %d refused as taken", wins, beingSetUp, n-wins-beingSetUp)
	ts := tenantsWith(t, s, "race")
	if len(ts) != 1 {
		t.Fatalf("%d tenants with the subdomain", len(ts))
	}
	all, _ := s.Platform.Tenants().List(context.Background())
	if len(all) != 1 {
		t.Errorf("%d tenants in all", len(all))
	}
	winner := ts[0]
	if winner.Status != tenant.StatusActive {
		t.Errorf("winner is %s", winner.Status)
	}
	// No orphan records of the losing attempts: every document and rule
	// belongs to the winner.
	for coll, byTenant := range docsByTenant(t, s) {
		for id, k := range byTenant {
			if id != winner.ID {
				t.Errorf("%s: %d documents of a losing attempt %s", coll, k, id)
			}
		}
	}
	for dom, k := range ruleDomains(t, s) {
		if dom != winner.ID {
			t.Errorf("casbin_rule: %d rules of a losing attempt %s", k, dom)
		}
	}
	if n := count(t, s, winner.ID, auth.UsersCollection); n != 1 {
		t.Errorf("%d users", n)
	}
	if n := count(t, s, winner.ID, rbac.RolesCollection); n != 6 {
		t.Errorf("%d roles", n)
	}
}

func TestInterruptedOnboardingIsCleanedUp(t *testing.T) {
	t.Parallel()
	s := start(t)
	ctx := context.Background()
	now := s.Clock.Now()

	// A crash between steps: the provisioning record, the roles and grants,
	// a user, settings and a mail — but never marked active.
	old := &tenant.Tenant{ID: db.NewID(), Name: "Sunrise Clinic", Subdomain: "sunrise", Status: tenant.StatusProvisioning,
		Subscription: tenant.Subscription{Plan: "trial", Status: "trialing", ExpiresAt: now.AddDate(0, 0, 7)}, CreatedAt: now, UpdatedAt: now}
	if err := s.Platform.Tenants().Insert(ctx, old); err != nil {
		t.Fatal(err)
	}
	otdb := s.DB.ForTenant(old.ID)
	if err := rbac.SeedDefaults(ctx, s.DB, otdb, now); err != nil {
		t.Fatal(err)
	}
	crashed := &auth.User{Email: "first@example.org", Name: "First Try", RoleKey: "admin"}
	if err := auth.CreateUser(ctx, otdb, crashed, password, now); err != nil {
		t.Fatal(err)
	}
	if err := settings.Create(ctx, otdb, settings.Settings{ClinicName: "Sunrise Clinic", Timezone: "UTC", Currency: "USD"}, now); err != nil {
		t.Fatal(err)
	}
	if err := mail.Queue(ctx, otdb, mail.Message{Key: "welcome:" + crashed.ID, To: crashed.Email, Subject: "Welcome"}, now); err != nil {
		t.Fatal(err)
	}
	if rules, _ := rbac.Rules(ctx, s.DB, old.ID); len(rules) == 0 {
		t.Fatal("the half-made clinic has no rules to clean up")
	}

	c := s.Client(t)
	v := form("sunrise")

	// Right away: someone (maybe this person, a moment ago) is setting it up.
	r := onboard(t, s, c, v)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST during provisioning: %d\n%s", r.StatusCode, r.Body)
	}
	if got := r.Doc(t).Find("#subdomain-status").Text(); !strings.Contains(got, "being set up") {
		t.Errorf("the message for a clinic being set up is %q, want the \"being set up\" message", got)
	}
	// Meanwhile the clinic is not reachable.
	if r := c.Get("sunrise.localhost", "/login"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "No clinic at this address") {
		t.Fatalf("GET sunrise /login during provisioning: %d", r.StatusCode)
	}
	if r := c.Get("localhost", "/tenant-onboard/subdomain?subdomain=sunrise", "HX-Request", "true"); strings.Contains(r.Body, "is available") {
		t.Errorf("a clinic being set up is offered as available:\n%s", r.Body)
	}

	// Two minutes on, the attempt is stale: the next one cleans it up.
	s.Clock.Advance(3 * time.Minute)
	if r := c.Get("localhost", "/tenant-onboard/subdomain?subdomain=sunrise", "HX-Request", "true"); !strings.Contains(r.Body, "is available") {
		t.Errorf("a stale attempt's subdomain is not offered:\n%s", r.Body)
	}
	r = onboard(t, s, c, v)
	if r.StatusCode != http.StatusSeeOther || !isArrival(s, "sunrise", r.Header.Get("Location")) {
		t.Fatalf("POST after the attempt went stale: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}

	ts := tenantsWith(t, s, "sunrise")
	if len(ts) != 1 {
		t.Fatalf("%d tenants for sunrise", len(ts))
	}
	if ts[0].ID == old.ID {
		t.Fatal("the half-made tenant record was reused")
	}
	admin := checkClinic(t, s, ts[0], v)
	if admin.Email == crashed.Email {
		t.Error("the crashed attempt's user survived")
	}
	for coll, byTenant := range docsByTenant(t, s) {
		if k := byTenant[old.ID]; k != 0 {
			t.Errorf("%s still holds %d documents of the half-made clinic", coll, k)
		}
	}
	if rules, err := rbac.Rules(ctx, s.DB, old.ID); err != nil || len(rules) != 0 {
		t.Errorf("the half-made clinic still has %d rules (%v)", len(rules), err)
	}
	if _, err := s.Platform.Tenants().ByID(ctx, old.ID); err != tenant.ErrNotFound {
		t.Errorf("half-made tenant record: %v", err)
	}
	if r := c.Get("sunrise.localhost", "/login"); r.StatusCode != 200 {
		t.Errorf("GET sunrise /login after onboarding: %d", r.StatusCode)
	}
}

func TestSameAdminEmailForTwoClinics(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	first := form("sunrise")
	if r := onboard(t, s, c, first); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first clinic: %d\n%s", r.StatusCode, r.Body)
	}
	second := form("moonrise")
	second.Set("clinicName", "Moonrise Health")
	if r := onboard(t, s, c, second); r.StatusCode != http.StatusSeeOther || !isArrival(s, "moonrise", r.Header.Get("Location")) {
		t.Fatalf("second clinic: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	var ids []string
	for _, sub := range []string{"sunrise", "moonrise"} {
		ts := tenantsWith(t, s, sub)
		if len(ts) != 1 {
			t.Fatalf("%s: %d tenants", sub, len(ts))
		}
		ids = append(ids, ts[0].ID)
		if n := count(t, s, ts[0].ID, auth.UsersCollection); n != 1 {
			t.Errorf("%s: %d users", sub, n)
		}
		if u, err := auth.UserByEmail(context.Background(), s.DB.ForTenant(ts[0].ID), "ada@example.org"); err != nil || u.RoleKey != "admin" {
			t.Errorf("%s admin: %+v %v", sub, u, err)
		}
	}
	if ids[0] == ids[1] {
		t.Error("one tenant for two clinics")
	}
}
