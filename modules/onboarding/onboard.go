package onboarding

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

var page = web.NewPage("onboarding/form")

// msgBeingSetUp answers a second attempt while the first is still running
// (a double submit, or a retry right after a crash).
const msgBeingSetUp = "This address is already taken: a clinic is being set up on it right now. If that was you, wait two minutes and send the form again."

// view is what the form template shows.
type view struct {
	Form       Form
	Domain     string // clinics are its subdomains: BASE_DOMAIN with PUBLIC_URL's port
	Timezones  []string
	Currencies []string
	Status     subdomainStatus
}

// subdomainStatus is the live availability answer under the subdomain field.
type subdomainStatus struct {
	Subdomain string
	Host      string
	Available bool
	Message   string
}

// view is the form as typed; the address preview under the subdomain
// field shows the subdomain typed.
func (m *Module) view(f Form) view {
	return view{Form: f, Domain: m.platform.Links().PlatformHost(), Timezones: commonTimezones, Currencies: commonCurrencies,
		Status: subdomainStatus{Subdomain: f.Subdomain, Host: m.platform.Links().ClinicHost(f.Subdomain)}}
}

func (m *Module) show(c *gin.Context) error {
	return m.S.Render.Page(c, http.StatusOK, page, web.Page{
		Title: "Set up your clinic",
		Data:  m.view(Form{Currency: "USD"}),
	})
}

func (m *Module) submit(c *gin.Context) error {
	f, formErr := m.parse(c)
	if formErr != "" {
		return m.invalid(c, f, map[string]string{"form": formErr})
	}
	errs := f.Validate()
	if _, bad := errs["subdomain"]; !bad {
		// Say so now if the address is taken, with the other messages; the
		// unique index still decides at creation.
		st, err := m.availability(c, f.Subdomain)
		if err != nil {
			return err
		}
		if !st.Available {
			errs["subdomain"] = st.Message
		}
	}
	if len(errs) > 0 {
		return m.invalid(c, f, errs)
	}
	ctx := c.Request.Context()
	now := m.S.Now()
	signup, err := m.platform.Signups().Begin(ctx, c.ClientIP(), now)
	var limit *tenant.SignupLimitError
	switch {
	case errors.As(err, &limit):
		return m.tooMany(c, f, limit, now)
	case err != nil:
		return err
	}
	t, err := m.create(ctx, f)
	if err != nil {
		// Only clinics made count against the limits.
		if cerr := signup.Cancel(ctx); cerr != nil {
			logging.FromContext(ctx).Warn().Err(cerr).Msg("a sign-up that made no clinic is still counted")
		}
	}
	switch {
	case errors.Is(err, tenant.ErrTaken):
		return m.invalid(c, f, map[string]string{"subdomain": "This address is already taken. Please choose another."})
	case errors.Is(err, errBeingSetUp):
		return m.invalid(c, f, map[string]string{"subdomain": msgBeingSetUp})
	case err != nil:
		return err
	}
	logging.FromContext(ctx).Info().Str("tenant", t.Subdomain).Str("tenant_id", t.ID).Msg("clinic onboarded")
	web.Redirect(c, m.platform.Links().ClinicURL(t.Subdomain, m.arrival(ctx, t, f.AdminEmail, c.ClientIP())))
	return nil
}

// arrival is where on the new clinic's host its admin goes: /welcome with
// a hand-off token that signs them in there (a session of the platform
// host's is no use on the clinic's). Should the token not be made, the
// clinic is made all the same, and its sign-in page is the way in. The
// token works only from ip, the address that signed up.
func (m *Module) arrival(ctx context.Context, t *tenant.Tenant, adminEmail, ip string) string {
	u, err := auth.UserByEmail(ctx, m.platform.Clinic(t.ID), adminEmail)
	var tok string
	if err == nil {
		tok, err = m.platform.Handoff(ctx, t.ID, u.ID, ip)
	}
	if err != nil {
		logging.FromContext(ctx).Warn().Err(err).Str("tenant", t.Subdomain).Msg("no hand-off for the new clinic's admin: sent to sign in")
		return "/login"
	}
	return "/welcome?token=" + tok
}

// tooMany refuses a sign-up over a limit: 429, the form kept, nothing made.
func (m *Module) tooMany(c *gin.Context, f Form, limit *tenant.SignupLimitError, now time.Time) error {
	wait := limit.Until.Sub(now)
	msg := "Ward is setting up more new clinics than usual just now. Please try again in " + auth.WaitText(wait) + "."
	if limit.PerIP {
		msg = fmt.Sprintf("Too many clinics have been set up from your network in the last hour (at most %d). Please try again in %s.",
			tenant.MaxSignupsPerIP, auth.WaitText(wait))
	}
	c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
	return m.refuse(c, http.StatusTooManyRequests, f, map[string]string{"form": msg})
}

// parse reads the posted form. A body that is not a form, or too large, is
// an error for the person, not a 500.
func (m *Module) parse(c *gin.Context) (Form, string) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data" {
		return Form{}, "Send the form from the sign-up page (the request was not a form)."
	}
	var err error
	if ct == "multipart/form-data" {
		err = c.Request.ParseMultipartForm(64 << 10)
	} else {
		err = c.Request.ParseForm()
	}
	if err != nil {
		return Form{}, "The form could not be read: it is too large or damaged. Please try again."
	}
	return formFromValues(c.Request.PostForm.Get), ""
}

func (m *Module) invalid(c *gin.Context, f Form, errs map[string]string) error {
	return m.refuse(c, http.StatusUnprocessableEntity, f, errs)
}

// refuse shows the form again with its messages and status.
func (m *Module) refuse(c *gin.Context, status int, f Form, errs map[string]string) error {
	f.AdminPassword = "" // never echoed back
	// An oversized value is not sent back whole: its message says what is wrong.
	for _, v := range []*string{&f.ClinicName, &f.Subdomain, &f.AdminName, &f.AdminEmail, &f.Timezone, &f.Currency} {
		if r := []rune(*v); len(r) > 300 {
			*v = string(r[:300])
		}
	}
	return m.S.Render.Page(c, status, page, web.Page{
		Title:  "Set up your clinic",
		Data:   m.view(f),
		Errors: errs,
	})
}

// checkSubdomain answers the live availability check under the field. The
// answer is advice: the unique index decides at creation.
func (m *Module) checkSubdomain(c *gin.Context) error {
	sub := formFromValues(c.Query).Subdomain
	v := m.view(Form{})
	st, err := m.availability(c, sub)
	if err != nil {
		return err
	}
	v.Status = st
	return m.S.Render.Fragment(c, http.StatusOK, page, "subdomain-status", web.Page{Data: v})
}

// availability says whether sub can be had now.
func (m *Module) availability(c *gin.Context, sub string) (subdomainStatus, error) {
	st := subdomainStatus{Subdomain: sub, Host: m.platform.Links().ClinicHost(sub)}
	if sub == "" {
		return st, nil
	}
	if msg := checkSubdomain(sub); msg != "" {
		st.Message = msg
		return st, nil
	}
	t, err := m.platform.Tenants().BySubdomain(c.Request.Context(), sub)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		st.Available, st.Message = true, "is available."
	case err != nil:
		return st, err
	case t.Status == tenant.StatusProvisioning && m.S.Now().Sub(t.UpdatedAt) >= staleAfter:
		st.Available, st.Message = true, "is available."
	case t.Status == tenant.StatusProvisioning:
		st.Message = msgBeingSetUp
	default:
		st.Message = "This address is already taken. Please choose another."
	}
	return st, nil
}
