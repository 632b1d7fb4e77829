package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

// MonitorJob is the name of the subscription monitor's job.
const MonitorJob = "subscription monitor"

// monitorSource is who the monitor's history entries are by.
const monitorSource = "subscription monitor"

// Jobs implements app.JobDeclarer: the subscription monitor, once a day on
// one instance at a time (a lease per day). Access never waits for it: the
// gate computes the state on every request. `ward tenant monitor` runs a
// pass on demand.
func (m *Module) Jobs() []app.Job {
	return []app.Job{{Name: MonitorJob, Every: 24 * time.Hour, Single: true, Run: m.Monitor}}
}

// Monitor makes one pass over every clinic: it records the transitions
// the clock made (trial or paid period ended, grace ended) in the clinic's
// history and mails the reminders due to its admins. Everything it writes
// is claimed by a unique key — a history entry per transition, an outbox
// message per reminder, period and admin — so two instances (or a run on
// demand beside the daily one) write each once.
func (m *Module) Monitor(ctx context.Context) error {
	now := m.S.Now()
	return m.S.EachClinic(ctx, func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error {
		return m.monitorClinic(ctx, tdb, st, now)
	})
}

// monitorClinic is the monitor's pass over the clinic in ctx.
func (m *Module) monitorClinic(ctx context.Context, tdb *db.Tenant, st settings.Settings, now time.Time) error {
	t := tenant.FromContext(ctx)
	status := m.rules.At(t.Subscription.Plan, t.Subscription.ExpiresAt, now)
	var errs []error
	for _, e := range m.rules.Transitions(status) {
		e.RecordedAt, e.Source = now, monitorSource
		wrote, err := subscription.Record(ctx, tdb, e)
		if err != nil {
			errs = append(errs, fmt.Errorf("history %s: %w", e.Key, err))
		} else if wrote {
			logging.FromContext(ctx).Info().Str("from", string(e.From)).Str("to", string(e.To)).Msg("subscription changed")
		}
	}
	if rem, ok := m.rules.ReminderDue(status, st.Location()); ok {
		errs = append(errs, m.remind(ctx, tdb, st, status, rem, now))
	}
	return errors.Join(errs...)
}

// remind queues rem to each of the clinic's admins, once per period: the
// outbox keeps one message per key, and the key names the reminder, the
// period's end and the admin. An admin added before the reminder's window
// closes gets it too.
func (m *Module) remind(ctx context.Context, tdb *db.Tenant, st settings.Settings, status subscription.Status, rem subscription.Reminder, now time.Time) error {
	admins, err := m.S.UsersWhoCan(ctx, tdb, adminAccess.Resource, adminAccess.Action)
	if err != nil {
		return err
	}
	if len(admins) == 0 { // no one can act on it: say so where the operator looks
		logging.FromContext(ctx).Warn().Str("reminder", rem.Event).Msg("subscription reminder due, but the clinic has no active admin to mail")
		return nil
	}
	f := st.Formats()
	text := m.reminderText(status, rem, st.ClinicName, f, m.S.ClinicLink(ctx, subscription.Path))
	var errs []error
	for _, u := range admins {
		err := mail.Queue(ctx, tdb, mail.Message{Key: rem.Key(status.ExpiresAt) + ":" + u.ID, To: u.Email,
			Subject: rem.Subject, Text: "Hello " + u.Name + ",\n\n" + text}, now)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// reminderText is a reminder's mail, after the greeting.
func (m *Module) reminderText(st subscription.Status, rem subscription.Reminder, clinic string, f web.Formats, link string) string {
	var b strings.Builder
	when := f.DateTime(st.ExpiresAt)
	if st.State == subscription.Trial {
		b.WriteString(clinic + "'s free trial of Ward ends " + strings.TrimPrefix(rem.Subject, "Your trial ends ") + " (" + when + ").\n\n")
		b.WriteString("To keep working without interruption, choose a plan on the subscription page:\n")
	} else {
		b.WriteString(clinic + "'s Ward subscription (" + m.planName(st.Plan) + ") is paid until " + when + ".\n\n")
		b.WriteString("To keep working without interruption, renew it on the subscription page:\n")
	}
	b.WriteString(link + "\n\n")
	b.WriteString(fmt.Sprintf("If it is not renewed, Ward becomes read-only for the clinic for %d days (everything can be looked up, nothing changed), and the clinic is then suspended until it is renewed. Its records are kept safe.\n",
		int(m.rules.Grace/(24*time.Hour))))
	return b.String()
}
