package appointments

// Reminders: a job tells each patient of a booked appointment a set time
// before it (24 hours unless the clinic chose otherwise), once, by mail
// with a calendar file. "Once" rests on two keys. The reminder's key —
// the appointment and its start, so a rescheduled appointment is reminded
// again, of its new time — is the message's key in the clinic's outbox,
// unique there: a job run twice at once, or on two instances, queues one
// message. A claim of the same key, taken once the reminder is queued,
// marks the appointment reminded without touching it (no new version, so
// nothing shows as an edit), and lets each run skip what was done.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/ics"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/web"
)

// The reminder settings' limits, in hours before the appointment.
const (
	DefaultReminderHours = 24
	MinReminderHours     = 1
	MaxReminderHours     = 168
)

// ReminderEvery is how often the reminder job looks for appointments due a
// reminder: a reminder goes out at most this late.
const ReminderEvery = 5 * time.Minute

// actionReminderSettings is the audit action of a change of the reminder
// settings.
const actionReminderSettings = "appointment.settings"

// reminderSettingsCollection holds the module's settings, a document per
// clinic and concern; the reminders' is remindersSettingsID.
const reminderSettingsCollection = settingsCollection

// reminderClaim is the kind of the claims that mark appointments reminded.
const reminderClaim = "appointment-reminder"

// ReminderSettings are whether and when a clinic reminds its patients.
type ReminderSettings struct {
	On        bool      `bson:"on"`
	Hours     int       `bson:"hours"` // before the appointment: MinReminderHours … MaxReminderHours
	UpdatedAt time.Time `bson:"updatedAt,omitempty"`
	UpdatedBy string    `bson:"updatedBy,omitempty"`
}

// defaultReminders are the settings of a clinic that chose none.
var defaultReminders = ReminderSettings{On: true, Hours: DefaultReminderHours}

// Lead is how long before an appointment its reminder goes out.
func (s ReminderSettings) Lead() time.Duration { return time.Duration(s.Hours) * time.Hour }

// describe is the settings in a few words, for the audit log.
func (s ReminderSettings) describe() string {
	if !s.On {
		return "reminders off"
	}
	return "reminders on, " + strconv.Itoa(s.Hours) + " hours before"
}

// remindersSettingsID is the id of the clinic's reminder settings: ids are
// unique in a collection across clinics, so it names the clinic.
func remindersSettingsID(tdb *db.Tenant) string { return "reminders:" + tdb.ID() }

// reminderSettings are the clinic's reminder settings, the defaults when it
// chose none.
func reminderSettings(ctx context.Context, tdb *db.Tenant) (ReminderSettings, error) {
	s := defaultReminders
	err := tdb.Collection(reminderSettingsCollection).FindOne(ctx, db.ID(remindersSettingsID(tdb)), &s)
	if errors.Is(err, db.ErrNotFound) {
		return defaultReminders, nil
	}
	if err != nil {
		return ReminderSettings{}, err
	}
	if s.Hours < MinReminderHours || s.Hours > MaxReminderHours {
		s.Hours = DefaultReminderHours
	}
	return s, nil
}

// saveReminderSettings stores the clinic's reminder settings.
func saveReminderSettings(ctx context.Context, tdb *db.Tenant, s ReminderSettings) error {
	return tdb.Collection(reminderSettingsCollection).Upsert(ctx, db.ID(remindersSettingsID(tdb)),
		db.Set("on", s.On).Set("hours", s.Hours).Set("updatedAt", s.UpdatedAt).Set("updatedBy", s.UpdatedBy))
}

// Reminder is one appointment to be told to its patient.
type Reminder struct {
	// Key is the appointment and its start: sending the same key again
	// sends nothing.
	Key         string
	Appointment Appointment
	Patient     ReminderPatient
	Provider    string      // the provider's name; empty when unknown
	Clinic      string      // the clinic's name
	Formats     web.Formats // the clinic's date and time formats and zone
	Now         time.Time
}

// ReminderPatient is what a reminder needs of its patient.
type ReminderPatient struct {
	ID        string `bson:"_id"`
	FirstName string `bson:"firstName"`
	LastName  string `bson:"lastName"`
	Email     string `bson:"email"`
	Active    *bool  `bson:"active"`
}

// Name is the patient's full name.
func (p ReminderPatient) Name() string {
	return strings.TrimSpace(p.FirstName + " " + p.LastName)
}

// ErrUnreachable is returned by a Channel that has no way to reach the
// reminder's patient (no email address for mail).
var ErrUnreachable = errors.New("appointments: the patient cannot be reached this way")

// Channel is a way of reminding patients: mail now, a text message later.
// Send must send a reminder once however often it is called with its Key,
// at once or later.
type Channel interface {
	Send(ctx context.Context, tdb *db.Tenant, r Reminder) error
}

// reminderChannels are the ways reminders go out.
func (m *Module) reminderChannels() []Channel { return []Channel{MailChannel{}} }

// reminderKey is the key of the reminder of a at its current start.
func reminderKey(a *Appointment) string {
	return "reminder:" + a.ID + ":" + strconv.FormatInt(a.Start.Unix(), 10)
}

// reminderJobs are the module's reminder job.
func (m *Module) reminderJobs() []app.Job {
	return []app.Job{{Name: "appointment-reminders", Every: ReminderEvery, Single: true,
		Run: func(ctx context.Context) error { return m.remind(ctx, m.S.Now()) }}}
}

// remind sends the reminders due at now in every clinic.
func (m *Module) remind(ctx context.Context, now time.Time) error {
	return m.S.EachClinic(ctx, func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error {
		n, err := m.remindClinic(ctx, tdb, st, now)
		if n > 0 {
			logging.FromContext(ctx).Info().Int("reminders", n).Msg("appointment reminders queued")
		}
		return err
	})
}

// remindClinic sends the clinic's reminders due at now: those of booked
// appointments that start in (now, now + the clinic's lead] and were not
// reminded of that start. It returns how many it sent. An appointment that
// fails does not stop the others.
func (m *Module) remindClinic(ctx context.Context, tdb *db.Tenant, st settings.Settings, now time.Time) (int, error) {
	rs, err := reminderSettings(ctx, tdb)
	if err != nil || !rs.On {
		return 0, err
	}
	due, err := dueReminders(ctx, tdb, now, rs.Lead())
	if err != nil {
		return 0, err
	}
	f := st.Formats()
	providers := map[string]string{}
	sent := 0
	var errs []error
	for i := range due {
		ok, err := m.remindOne(ctx, tdb, Reminder{Key: reminderKey(&due[i]), Appointment: due[i], Clinic: st.ClinicName, Formats: f, Now: now}, providers)
		if err != nil {
			errs = append(errs, fmt.Errorf("reminder of appointment %s: %w", due[i].ID, err))
		} else if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// dueReminders are the clinic's booked appointments starting in (now,
// now + lead] whose reminder of that start was not sent, soonest first.
func dueReminders(ctx context.Context, tdb *db.Tenant, now time.Time, lead time.Duration) ([]Appointment, error) {
	var in []Appointment
	// The status is checked here, not in the query: the clinic's day
	// index (tenantId, start) serves the range.
	err := tdb.Collection(kind.Collection).Find(ctx, db.And(db.Gt("start", now), db.Lte("start", now.Add(lead))), &in,
		db.FindOptions{Sort: []db.Order{db.Asc("start")}})
	if err != nil {
		return nil, err
	}
	var out []Appointment
	var keys []string
	for _, a := range in {
		if a.Status == StatusBooked && a.Active {
			out = append(out, a)
			keys = append(keys, reminderKey(&a))
		}
	}
	done, err := reminded(ctx, tdb, keys)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, a := range out {
		if !done[reminderKey(&a)] {
			kept = append(kept, a)
		}
	}
	return kept, nil
}

// reminded is the set of keys, of those given, whose reminder was sent.
func reminded(ctx context.Context, tdb *db.Tenant, keys []string) (map[string]bool, error) {
	done := map[string]bool{}
	const batch = 200
	for len(keys) > 0 {
		n := min(batch, len(keys))
		var claims []struct {
			Key string `bson:"key"`
		}
		err := tdb.Collection(db.ClaimsCollection).Find(ctx, db.And(db.Eq("kind", reminderClaim), db.In("key", keys[:n])), &claims, db.FindOptions{})
		if err != nil {
			return nil, err
		}
		for _, c := range claims {
			done[c.Key] = true
		}
		keys = keys[n:]
	}
	return done, nil
}

// remindOne fills in r's patient and provider and sends it through every
// channel that reaches the patient, then marks it sent. It reports whether
// a channel took it; a patient no channel reaches (no email address), or
// one no longer active, is skipped, and looked at again next run.
func (m *Module) remindOne(ctx context.Context, tdb *db.Tenant, r Reminder, providers map[string]string) (bool, error) {
	err := tdb.Collection("patients").FindOne(ctx, db.ID(r.Appointment.PatientID), &r.Patient)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Patient.Active != nil && !*r.Patient.Active) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	name, known := providers[r.Appointment.ProviderID]
	if !known {
		u, err := auth.UserByID(ctx, tdb, r.Appointment.ProviderID)
		if err != nil && !errors.Is(err, auth.ErrUserNotFound) {
			return false, err
		}
		if u != nil {
			name = u.Name
		}
		providers[r.Appointment.ProviderID] = name
	}
	r.Provider = name
	sent := false
	for _, ch := range m.reminderChannels() {
		err := ch.Send(ctx, tdb, r)
		if errors.Is(err, ErrUnreachable) {
			continue
		}
		if err != nil {
			return sent, err
		}
		sent = true
	}
	if !sent {
		return false, nil
	}
	if err := tdb.Claim(ctx, reminderClaim, r.Key, r.Now); err != nil && !errors.Is(err, db.ErrClaimed) {
		return true, err
	}
	return true, nil
}

// MailChannel reminds by mail, through the clinic's outbox, with the
// appointment as a calendar file.
type MailChannel struct{}

// CalendarFile is the name of a reminder's calendar attachment.
const CalendarFile = "appointment.ics"

// Send queues the reminder's mail; the outbox keeps one message per key.
func (MailChannel) Send(ctx context.Context, tdb *db.Tenant, r Reminder) error {
	to := strings.TrimSpace(r.Patient.Email)
	if to == "" {
		return ErrUnreachable
	}
	subject, text := reminderMail(r)
	return mail.Queue(ctx, tdb, mail.Message{Key: r.Key, To: to, Subject: subject, Text: text,
		Attachments: []mail.Attachment{{Name: CalendarFile, ContentType: ics.ContentType(ics.MethodPublish), Data: reminderCalendar(r)}}}, r.Now)
}

// reminderMail is the subject and text of a reminder by mail.
func reminderMail(r Reminder) (subject, text string) {
	a, f := r.Appointment, r.Formats
	zone := f.Zone
	if zone == nil {
		zone = time.UTC
	}
	day := a.Start.In(zone).Format("Monday") + " " + f.Date(a.Start)
	subject = "Reminder: your appointment at " + r.Clinic + " on " + day + " at " + f.Time(a.Start)
	var b strings.Builder
	if name := r.Patient.Name(); name != "" {
		b.WriteString("Dear " + name + ",\n\n")
	} else {
		b.WriteString("Hello,\n\n")
	}
	b.WriteString("This is a reminder of your appointment at " + r.Clinic + ".\n\n")
	b.WriteString("When: " + day + ", " + f.Time(a.Start) + " to " + f.Time(a.End) + " (" + zone.String() + " time)\n")
	if r.Provider != "" {
		b.WriteString("With: " + r.Provider + "\n")
	}
	b.WriteString("\nThe attached file (" + CalendarFile + ") adds the appointment to your calendar.\n")
	b.WriteString("If you cannot come, please let the clinic know as soon as you can, so that someone else may have the time.\n\n")
	b.WriteString(r.Clinic + "\n")
	return subject, b.String()
}

// reminderUID is the calendar id of an appointment: the same through every
// reschedule, so a calendar replaces the entry it holds.
func reminderUID(a *Appointment) string { return "appointment-" + a.ID + "@ward" }

// reminderCalendar is the reminder's appointment as a calendar file.
func reminderCalendar(r Reminder) []byte {
	a := r.Appointment
	ev := ics.Event{UID: reminderUID(&a), Sequence: max(a.Version-1, 0), Stamp: r.Now, Start: a.Start, End: a.End,
		Summary: "Appointment at " + r.Clinic}
	if r.Provider != "" {
		ev.Description = "With " + r.Provider + "."
	}
	return ics.Calendar{Method: ics.MethodPublish, Events: []ics.Event{ev}}.Bytes()
}

// remindersPage is the reminder settings form.
var remindersPage = web.NewPage("appointments/reminders")

// remindersPath is the reminder settings' page.
const remindersPath = "/appointments/settings/reminders"

// reminderRoutes are the reminder settings' routes.
func (m *Module) reminderRoutes(r *app.Routes) {
	settings := app.Allow("settings", "update")
	r.Clinic(http.MethodGet, remindersPath, settings, m.showReminders)
	r.Clinic(http.MethodPost, remindersPath, settings, m.saveReminders)
}

// remindersView is the form's data.
type remindersView struct {
	On       bool
	Hours    string
	Min, Max int
}

func (m *Module) showReminders(c *gin.Context) error {
	s, err := reminderSettings(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return err
	}
	return m.renderReminders(c, http.StatusOK, remindersView{On: s.On, Hours: strconv.Itoa(s.Hours)}, nil)
}

func (m *Module) renderReminders(c *gin.Context, status int, v remindersView, errs map[string]string) error {
	v.Min, v.Max = MinReminderHours, MaxReminderHours
	return m.S.Render.Page(c, status, remindersPage, web.Page{Title: "Appointment reminders", Data: v, Errors: errs})
}

func (m *Module) saveReminders(c *gin.Context) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	before, err := reminderSettings(ctx, tdb)
	if err != nil {
		return err
	}
	v := remindersView{On: c.PostForm("on") != "", Hours: strings.TrimSpace(c.PostForm("hours"))}
	hours, err := strconv.Atoi(v.Hours)
	if err != nil || hours < MinReminderHours || hours > MaxReminderHours {
		return m.renderReminders(c, http.StatusUnprocessableEntity, v,
			map[string]string{"hours": fmt.Sprintf("Enter a whole number of hours from %d to %d.", MinReminderHours, MaxReminderHours)})
	}
	after := ReminderSettings{On: v.On, Hours: hours, UpdatedAt: m.S.Now(), UpdatedBy: m.S.User(c).ID}
	if after.describe() != before.describe() {
		if err := saveReminderSettings(ctx, tdb, after); err != nil {
			return err
		}
		if err := audit.For(c).Record(actionReminderSettings, "reminders", audit.Change(before.describe(), after.describe())); err != nil {
			return err
		}
	}
	web.Flash(c, "Reminder settings saved.")
	web.Redirect(c, remindersPath)
	return nil
}
