package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/policies"
)

// trial is the plan a new clinic starts on (policies/plans.json).
var trial = policies.SubscriptionPlans().Trial()

// staleAfter is how long a clinic may stay "provisioning" before another
// attempt may clean it up and claim the subdomain again. Provisioning takes
// well under a second; anything this old was interrupted.
const staleAfter = 2 * time.Minute

// errBeingSetUp: the subdomain is being provisioned by another request now.
var errBeingSetUp = errors.New("onboarding: subdomain is being set up")

// create provisions a clinic from a valid form. Ward's store has no
// transactions across documents, so creation is a sequence of idempotent steps under a
// "provisioning" tenant record that no one can reach: claim the subdomain
// (the unique index decides between concurrent attempts), write the clinic's
// records, then mark it active. A failed attempt is cleaned up at once; an
// interrupted one (a crash) is cleaned up by the next attempt on the same
// subdomain once it is stale.
func (m *Module) create(ctx context.Context, f Form) (*tenant.Tenant, error) {
	now := m.S.Now()
	t := &tenant.Tenant{
		ID:        db.NewID(),
		Name:      f.ClinicName,
		Subdomain: f.Subdomain,
		Status:    tenant.StatusProvisioning,
		Subscription: tenant.Subscription{
			Plan: trial.Key, Status: "trialing", ExpiresAt: trial.End(now),
		},
		CreatedAt:        now,
		UpdatedAt:        now,
		EmailUnconfirmed: true,
	}
	if err := m.claim(ctx, t, now); err != nil {
		return nil, err
	}
	if err := m.build(ctx, t, f, now); err != nil {
		if cerr := m.cleanup(context.WithoutCancel(ctx), t.ID); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup: %w", cerr))
		}
		return nil, err
	}
	t.Status = tenant.StatusActive
	return t, nil
}

// claim inserts the provisioning tenant; the subdomain's unique index lets
// exactly one of several concurrent attempts through.
func (m *Module) claim(ctx context.Context, t *tenant.Tenant, now time.Time) error {
	err := m.platform.Tenants().Insert(ctx, t)
	if !errors.Is(err, tenant.ErrTaken) {
		return err
	}
	old, err := m.platform.Tenants().BySubdomain(ctx, t.Subdomain)
	if errors.Is(err, tenant.ErrNotFound) {
		return m.platform.Tenants().Insert(ctx, t) // cleaned up in between: try once more
	}
	if err != nil {
		return err
	}
	if old.Status != tenant.StatusProvisioning {
		return tenant.ErrTaken
	}
	if now.Sub(old.UpdatedAt) < staleAfter {
		return errBeingSetUp
	}
	m.S.Log.Warn().Str("tenant", old.Subdomain).Str("tenant_id", old.ID).Msg("cleaning up an interrupted onboarding")
	if err := m.cleanup(ctx, old.ID); errors.Is(err, tenant.ErrNotProvisioning) {
		return tenant.ErrTaken // it finished after all
	} else if err != nil {
		return err
	}
	return m.platform.Tenants().Insert(ctx, t)
}

// build writes the clinic's records, each step safe to repeat.
func (m *Module) build(ctx context.Context, t *tenant.Tenant, f Form, now time.Time) error {
	tdb := m.platform.Clinic(t.ID)
	// First: no mail of the clinic leaves before its admin confirms the
	// address, except the confirmation.
	token, err := mail.HoldUntilConfirmed(ctx, tdb, f.AdminEmail, now)
	if err != nil {
		return err
	}
	if err := m.platform.Seed(ctx, tdb, settings.Settings{ClinicName: f.ClinicName, Timezone: f.Timezone, Currency: f.Currency}, now); err != nil {
		return err
	}
	admin := &auth.User{Email: f.AdminEmail, Name: f.AdminName, RoleKey: "admin"}
	if err := auth.CreateUser(ctx, tdb, admin, f.AdminPassword, now); err != nil {
		return err
	}
	if err := auth.CreateProfile(ctx, tdb, &auth.Profile{UserID: admin.ID, Name: f.AdminName, Title: "Administrator", CreatedAt: now}); err != nil {
		return err
	}
	if err := audit.ClinicCreated(ctx, tdb, admin.ID, admin.Email, t.Name, now); err != nil {
		return err
	}
	if err := mail.Queue(ctx, tdb, m.confirmationMail(t, admin, "confirm:"+admin.ID, token), now); err != nil {
		return err
	}
	cleanedUp := fmt.Errorf("onboarding: %s was cleaned up while being set up", t.Subdomain)
	if err := tenant.FinishClaim(ctx, tdb, now); errors.Is(err, db.ErrClaimed) {
		return cleanedUp // a later attempt is purging this one
	} else if err != nil {
		return err
	}
	ok, err := m.platform.Tenants().SetStatus(ctx, t.ID, tenant.StatusActive, now)
	if err != nil {
		return err
	}
	if !ok {
		return cleanedUp
	}
	return nil
}

// cleanup purges a half-made clinic.
func (m *Module) cleanup(ctx context.Context, tenantID string) error {
	return m.platform.Purge(ctx, tenantID)
}

// confirmationMail asks the admin to confirm their address with the link
// of token. It is the one mail a new clinic sends, so it also welcomes.
func (m *Module) confirmationMail(t *tenant.Tenant, admin *auth.User, key, token string) mail.Message {
	return mail.Message{
		Key:     key,
		To:      admin.Email,
		Account: true,
		Subject: "Confirm your email address for " + t.Name + " on Ward",
		Text: "Hello " + admin.Name + ",\n\n" +
			t.Name + " is ready on Ward. Sign in at\n\n    " + m.platform.Links().ClinicURL(t.Subdomain, "/login") + "\n\n" +
			"with this email address and the password you chose.\n\n" +
			"Please confirm that this address is yours with this link (it works once, for 48 hours):\n\n    " +
			m.platform.Links().ClinicURL(t.Subdomain, "/email/verify?token="+token) + "\n\n" +
			"Until then the clinic sends no other mail: staff invitations wait, and go out when you confirm.\n" +
			"If you did not sign up a clinic on Ward, ignore this message: unconfirmed, the clinic sends no mail to anyone.\n\n" +
			"Your free trial runs for " + strconv.Itoa(trial.Days) + " days, until " + t.Subscription.ExpiresAt.Format("2 January 2006") + ".\n" +
			"Your first steps: add your staff, check the roles and their permissions, and register your first patient.\n\n" +
			"— Ward\n",
	}
}

// InvalidError lists what is wrong with a form given to CreateClinic.
type InvalidError map[string]string

func (e InvalidError) Error() string {
	msg := "invalid clinic:"
	for f, m := range e {
		msg += " " + f + ": " + m
	}
	return msg
}

// CreateClinic validates f and provisions the clinic exactly as the sign-up
// form does; operator commands (demo data) use it.
func (m *Module) CreateClinic(ctx context.Context, f Form) (*tenant.Tenant, error) {
	f = formFromValues(func(k string) string {
		return map[string]string{"clinicName": f.ClinicName, "subdomain": f.Subdomain, "adminName": f.AdminName,
			"adminEmail": f.AdminEmail, "adminPassword": f.AdminPassword, "timezone": f.Timezone, "currency": f.Currency}[k]
	})
	if errs := f.Validate(); len(errs) > 0 {
		return nil, InvalidError(errs)
	}
	return m.create(ctx, f)
}
