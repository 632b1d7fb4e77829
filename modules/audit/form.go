package audit

import (
	"strings"
	"time"

	"github.com/wardclinic/ward/core/audit"
)

// perPage is how many entries a page shows.
const perPage = 50

// dateLayout is how dates are written in the filter (an <input type=date>).
const dateLayout = "2006-01-02"

// filterForm is the filter as it stands in the query string, so a filtered
// view can be bookmarked and shared.
type filterForm struct {
	User   string // a user id
	Action string
	From   string // first day, YYYY-MM-DD in the clinic's time zone
	To     string // last day, included
	Record string // what the entries are about, as targets are written: "patient:<id>"
}

// maxParam bounds the free-text parameters; real values are far shorter.
const maxParam = 100

func parseFilter(get func(string) string) filterForm {
	f := filterForm{
		User:   clip(strings.TrimSpace(get("user"))),
		Action: clip(strings.TrimSpace(get("action"))),
		From:   clip(strings.TrimSpace(get("from"))),
		To:     clip(strings.TrimSpace(get("to"))),
		Record: clip(strings.TrimSpace(get("record"))),
	}
	return f
}

func clip(s string) string {
	if len(s) > maxParam {
		return ""
	}
	return s
}

// query turns the form into the log's filter: whole days in the clinic's
// time zone, the last day included. Messages are by field.
func (f filterForm) query(loc *time.Location) (audit.Filter, map[string]string) {
	q := audit.Filter{ActorID: f.User, Action: f.Action, Record: f.Record}
	errs := map[string]string{}
	if f.From != "" {
		d, err := time.ParseInLocation(dateLayout, f.From, loc)
		if err != nil {
			errs["from"] = "Use a date such as 2026-03-02."
		}
		q.From = d
	}
	if f.To != "" {
		d, err := time.ParseInLocation(dateLayout, f.To, loc)
		if err != nil {
			errs["to"] = "Use a date such as 2026-03-02."
		} else {
			// The next midnight, not +24h: days around a clock change are
			// 23 or 25 hours long.
			q.To = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		}
	}
	if len(errs) == 0 && !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		errs["to"] = "The last day is before the first day."
	}
	if len(errs) > 0 {
		return audit.Filter{}, errs
	}
	return q, nil
}
