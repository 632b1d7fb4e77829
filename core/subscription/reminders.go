package subscription

import (
	"strconv"
	"time"
)

// Reminder is a mail a clinic's admins get before its period ends.
type Reminder struct {
	// Event names the reminder: "trial-soon", "trial-today", "renew-week",
	// "renew-day". With the end date it makes the reminder's key, so each
	// is sent once per period: a renewed period is reminded of again.
	Event   string
	Subject string
	// DaysLeft is how many calendar days, in the clinic's time zone, are
	// left before the last day of the period (0: it ends today).
	DaysLeft int
}

// Key is the reminder's key for the clinic's period ending at end, unique
// per clinic: "sub-mail:trial-soon:1772960400".
func (r Reminder) Key(end time.Time) string {
	return "sub-mail:" + r.Event + ":" + strconv.FormatInt(end.Unix(), 10)
}

// ReminderDue is the reminder due for a clinic in status st, whose time
// zone is zone, if any. Days are the clinic's calendar days, from today to
// the period's last day (the day of its last covered instant):
//
//	trial, 2 or 1 days left   "trial-soon"  (day 5 of the trial: "Your trial ends in 2 days")
//	trial, its last day, or   "trial-today" (day 7: "Your trial ends today"; "… tomorrow"
//	less than a day left                     when the last run before the end falls the day before)
//	paid, 7 to 2 days left    "renew-week"
//	paid, 1 or 0 days left    "renew-day"
//
// Each reminder is due for a window of days rather than one day, so a
// monitor that missed a day (the server was down) still sends it, with the
// days counted right; each is sent once per period (Key). Lapsed clinics
// and clinics with no end get none.
func (r Rules) ReminderDue(st Status, zone *time.Location) (Reminder, bool) {
	if st.State != Trial && st.State != Active || st.ExpiresAt.IsZero() {
		return Reminder{}, false
	}
	if zone == nil {
		zone = time.UTC
	}
	days := calendarDays(st.Now.In(zone), st.ExpiresAt.Add(-time.Nanosecond).In(zone))
	rem := Reminder{DaysLeft: days}
	// The monitor runs once a day, at a time that is any hour of the
	// clinic's day: the run within a day of the end is the last before it.
	last := st.ExpiresAt.Sub(st.Now) < 24*time.Hour
	switch {
	case st.State == Trial && (days == 0 || last):
		rem.Event, rem.Subject = "trial-today", "Your trial ends "+inDays(days)
	case st.State == Trial && days <= 2:
		rem.Event, rem.Subject = "trial-soon", "Your trial ends "+inDays(days)
	case st.State == Active && days <= 1:
		rem.Event, rem.Subject = "renew-day", "Your Ward subscription is due for renewal "+inDays(days)
	case st.State == Active && days <= 7:
		rem.Event, rem.Subject = "renew-week", "Your Ward subscription is due for renewal "+inDays(days)
	default:
		return Reminder{}, false
	}
	return rem, true
}

// inDays says when, from today: "today", "tomorrow", "in 2 days".
func inDays(n int) string {
	switch n {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return "in " + strconv.Itoa(n) + " days"
}

// calendarDays is the number of calendar days from a's date to b's, each
// in its own location.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
