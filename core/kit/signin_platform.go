package kit

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/tenant"
)

// The platform's part in signing in: the hand-off that signs a new clinic's
// admin in on the clinic's host after the sign-up, and "find my clinic"
// (the clinics an email address belongs to, mailed from the platform's
// own outbox).

// platformMailbox is the outbox of the platform's own mail, which is no
// clinic's (the sign-in links "find my clinic" sends). Clinic ids are
// ObjectIDs, so it is never a clinic's; nothing holds its mail.
const platformMailbox = "platform"

// maxStaffClinics bounds the clinics one address is looked up in.
const maxStaffClinics = 50

// platformIndexes are the indexes of the platform's sign-in help: the
// hand-offs' clean-up, the "find my clinic" counts, and staff accounts by
// email across clinics (led by email, then tenantId, so that no clinic's
// query on email is taken as served by it).
var platformIndexes = append(append([]db.Index{
	{Collection: auth.UsersCollection, Keys: []string{"email", db.TenantField}, Platform: true},
}, tenant.HandoffIndexes...), tenant.FindIndexes...)

// Handoff makes the one-time token that signs userID in on the host of
// clinic tenantID (tenant.NewHandoff): the last step of a sign-up.
func (p *Platform) Handoff(ctx context.Context, tenantID, userID, ip string) (string, error) {
	return tenant.NewHandoff(ctx, p.Clinic(tenantID), userID, ip, p.s.Now())
}

// DeleteExpiredHandoffs removes the hand-offs and welcomes no one can use
// any more (clean-up job).
func (p *Platform) DeleteExpiredHandoffs(ctx context.Context) (int64, error) {
	return tenant.DeleteExpiredHandoffs(ctx, p.s.store, p.s.Now())
}

// Finds counts "find my clinic" requests, per client and per address.
func (p *Platform) Finds() *tenant.Finds { return p.s.finds }

// StaffClinics returns the active clinics, by name, in which email is the
// address of an active staff account.
func (p *Platform) StaffClinics(ctx context.Context, email string) ([]*tenant.Tenant, error) {
	var users []auth.User
	err := p.s.store.Platform("find my clinic").Collection(auth.UsersCollection).Find(ctx,
		db.And(db.Eq("email", email), db.Eq("status", auth.UserActive)), &users, db.FindOptions{Limit: maxStaffClinics})
	if err != nil {
		return nil, err
	}
	var out []*tenant.Tenant
	for _, u := range users {
		t, err := p.Tenants().ByID(ctx, u.TenantID)
		if errors.Is(err, tenant.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.Status == tenant.StatusActive {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Mail queues m in the platform's outbox; the sender delivers it.
func (p *Platform) Mail(ctx context.Context, m mail.Message) error {
	return mail.Queue(ctx, p.s.store.ForTenant(platformMailbox), m, p.s.Now())
}

// Outbox lists the platform's mail, newest first.
func (p *Platform) Outbox(ctx context.Context, limit int64) ([]mail.Message, error) {
	return mail.Outbox(ctx, p.s.store.ForTenant(platformMailbox), limit)
}

// Handoff uses a hand-off token on the request's clinic and returns the
// user it signs in; tenant.ErrHandoffInvalid when the token is unknown
// here, used or expired, or its user can no longer sign in.
func (a SignIn) Handoff(c *gin.Context, token string) (*auth.User, error) {
	ctx, tdb := c.Request.Context(), a.s.Clinic(c)
	id, err := tenant.UseHandoff(ctx, tdb, token, c.ClientIP(), a.s.Now())
	if err != nil {
		return nil, err
	}
	u, err := auth.UserByID(ctx, tdb, id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, tenant.ErrHandoffInvalid
	}
	if err != nil {
		return nil, err
	}
	if u.Status != auth.UserActive || u.TOTPEnabled {
		// A second factor is never skipped: sign-in asks for it.
		return nil, tenant.ErrHandoffInvalid
	}
	return u, nil
}

// Welcome reports, once, that the signed-in user was just signed in by the
// sign-up's hand-off: the dashboard then shows the first steps.
func (s *Services) Welcome(c *gin.Context) (bool, error) {
	u, t := s.User(c), s.Tenant(c)
	if u == nil || t == nil || s.Now().Sub(t.CreatedAt) > welcomeAge {
		return false, nil // only a new clinic has a welcome waiting
	}
	return tenant.TakeWelcome(c.Request.Context(), s.Clinic(c), u.ID)
}

// welcomeAge is how old a clinic may be for its dashboard to look for a
// welcome.
const welcomeAge = 24 * time.Hour

// PlatformHost is the platform's public host name (BASE_DOMAIN, with
// PUBLIC_URL's port if it has one): clinics are its subdomains.
func (s *Services) PlatformHost() string { return s.resolver.PlatformHost() }
