package onboarding

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

// "Find my clinic" is signing in from the platform host: each clinic signs
// its staff in on its own address, so the platform leads there — from the
// address typed, or, for someone who forgot it, by mail to their email
// address with the sign-in links of their clinics. The page answers the same
// whether the address is anyone's or not: it tells no one who works where.

var findPage = web.NewPage("onboarding/find")

// findPath is the "find my clinic" page.
const findPath = "/find-clinic"

// msgFindSent is the one answer to a request by email.
const msgFindSent = "If that address belongs to anyone at a Ward clinic, we've emailed the sign-in links."

// findView is what the find page shows.
type findView struct {
	Address string
	Email   string
	Domain  string // the platform's host: clinics are its subdomains
}

// toFind sends sign-ins on the platform host to "find my clinic".
func (m *Module) toFind(c *gin.Context) error {
	c.Redirect(http.StatusSeeOther, findPath)
	return nil
}

func (m *Module) showFind(c *gin.Context) error {
	return m.renderFind(c, http.StatusOK, findView{}, nil)
}

func (m *Module) renderFind(c *gin.Context, status int, v findView, errs map[string]string) error {
	v.Domain = m.platform.Links().PlatformHost()
	return m.S.Render.Page(c, status, findPage, web.Page{Title: "Sign in to your clinic", Data: v, Errors: errs})
}

// findByAddress goes to the sign-in page of the clinic whose address was
// typed. It says only what opening the address itself would: whether a
// clinic is there.
func (m *Module) findByAddress(c *gin.Context) error {
	typed := c.PostForm("address")
	v := findView{Address: strings.TrimSpace(typed)}
	if len(typed) > 300 {
		v.Address = ""
	}
	sub, msg := m.subdomainOf(typed)
	if msg == "" {
		t, err := m.platform.Tenants().BySubdomain(c.Request.Context(), sub)
		switch {
		case err == nil && t.Status != tenant.StatusProvisioning:
			web.Redirect(c, m.platform.Links().ClinicURL(t.Subdomain, "/login"))
			return nil
		case err != nil && !errors.Is(err, tenant.ErrNotFound):
			return err
		}
		msg = "No clinic has the address " + m.platform.Links().ClinicHost(sub) + ". Check the spelling, or have the sign-in links sent to your email address below."
	}
	return m.renderFind(c, http.StatusUnprocessableEntity, v, map[string]string{"address": msg})
}

// subdomainOf reads the clinic's subdomain from what was typed.
func (m *Module) subdomainOf(typed string) (string, string) {
	return subdomainFrom(typed, m.platform.Links().PlatformHost())
}

// subdomainFrom reads a clinic's subdomain from what was typed: the
// subdomain itself, or the clinic's whole address, even as a link, on the
// platform host given (with or without its port). It returns the subdomain
// or a message.
func subdomainFrom(typed, platformHost string) (string, string) {
	s := strings.ToLower(strings.TrimSpace(typed))
	if s == "" {
		return "", "Enter your clinic's address, such as sunrise."
	}
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	bare, _, err := net.SplitHostPort(platformHost)
	if err != nil {
		bare = platformHost
	}
	for _, suffix := range []string{"." + platformHost, "." + bare} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			s = t
			break
		}
	}
	if strings.Contains(s, ".") {
		return "", "Type only the first part of your clinic's address: sunrise for sunrise." + bare + "."
	}
	if msg := tenant.CheckSubdomain(s); msg != "" {
		return "", msg
	}
	return s, ""
}

// findFloor is the least time findByEmail takes to answer: looking up and
// mailing a known address's clinics takes longer than finding none, and the
// time must not tell which addresses belong to someone.
const findFloor = 150 * time.Millisecond

// findByEmail mails the person at the address typed the sign-in links of
// their clinics, and answers the same, as fast, whether there are any or
// not; a failure while mailing is logged, not shown.
func (m *Module) findByEmail(c *gin.Context) error {
	began := time.Now() // real time, not the clock: this is about response times
	ctx := c.Request.Context()
	now := m.S.Now()
	email, msg := auth.NormalizeEmail(c.PostForm("email"))
	if msg != "" {
		v := findView{Email: strings.TrimSpace(c.PostForm("email"))}
		if len(v.Email) > 300 {
			v.Email = ""
		}
		return m.renderFind(c, http.StatusUnprocessableEntity, v, map[string]string{"email": msg})
	}
	finds := m.platform.Finds()
	ok, until, err := finds.Allow(ctx, tenant.FindKeyIP(c.ClientIP()), tenant.MaxFindsPerIP, now)
	if err != nil {
		return err
	}
	if !ok {
		wait := until.Sub(now)
		c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
		return m.renderFind(c, http.StatusTooManyRequests, findView{Email: email}, map[string]string{
			"email": "Too many requests from your network just now. Please try again in " + auth.WaitText(wait) + "."})
	}
	// Counted for every address, known or not, so both take the same steps.
	ok, _, err = finds.Allow(ctx, finds.KeyEmail(email), tenant.MaxFindMailsPerAddress, now)
	if err != nil {
		return err
	}
	if ok {
		if err := m.mailSignInLinks(ctx, email); err != nil {
			logging.FromContext(ctx).Error().Err(err).Msg("find my clinic: sign-in links not mailed")
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(began.Add(findFloor))):
	}
	web.Flash(c, msgFindSent)
	web.Redirect(c, findPath)
	return nil
}

// mailSignInLinks mails email the sign-in links of its clinics, if it has
// any that may be named to it.
func (m *Module) mailSignInLinks(ctx context.Context, email string) error {
	clinics, err := m.platform.StaffClinics(ctx, email)
	if err != nil {
		return err
	}
	var list strings.Builder
	n := 0
	for _, t := range clinics {
		ok, err := m.mayName(ctx, t, email)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		n++
		list.WriteString("    " + t.Name + "\n    " + m.platform.Links().ClinicURL(t.Subdomain, "/login") + "\n\n")
	}
	if n == 0 {
		return nil
	}
	logging.FromContext(ctx).Info().Int("clinics", n).Msg("find my clinic: sign-in links mailed")
	return m.platform.Mail(ctx, mail.Message{
		To:      email,
		Account: true,
		Subject: "Your sign-in links on Ward",
		Text: "Hello,\n\n" +
			"Someone, we hope you, asked on Ward which clinics this address signs in to. Here they are:\n\n" +
			list.String() +
			"Sign in with this email address and your password. Forgot your password? Use \"Forgot your password?\" on the sign-in page.\n" +
			"If you did not ask, ignore this message: nothing has changed.\n\n" +
			"— Ward\n",
	})
}

// mayName reports whether a mail to email may name clinic t. A clinic
// whose admin has not confirmed their address sends no mail but to that
// address (core/mail's hold); the platform's mail keeps the rule, or
// anyone could have Ward mail anyone a clinic name of their choosing.
func (m *Module) mayName(ctx context.Context, t *tenant.Tenant, email string) (bool, error) {
	if !t.EmailUnconfirmed {
		return true, nil
	}
	h, err := mail.CurrentHold(ctx, m.platform.Clinic(t.ID))
	if errors.Is(err, mail.ErrNotHeld) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return strings.EqualFold(h.Address, email), nil
}
