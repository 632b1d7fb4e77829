package audit

import (
	"net/http"
	"strings"
	"time"

	// The IANA time zone database, built in: the machine may have none.
	_ "time/tzdata"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/web"
)

var listPage = web.NewPage("audit/list")

// listView is the audit log page.
type listView struct {
	Filter   filterForm
	People   []option
	Actions  []option
	Entries  []entryView
	Pager    *web.Pager
	Timezone string
}

type option struct {
	Value, Label string
	Selected     bool
}

// entryView is one entry as the table shows it.
type entryView struct {
	When        string // in the clinic's time zone
	ISO         string // for <time datetime>
	Who         string
	WhoDetail   string // the email, when the name is shown
	Action      string
	ActionLabel string
	Target      string
	TargetRaw   string
	Records     []string // what a list showed: labels, or ids where a record has none
	Route       string   // the route that showed them
	Before      string
	After       string
	IP          string
}

func (m *Module) list(c *gin.Context) error {
	ctx, tdb, loc := c.Request.Context(), m.S.Clinic(c), m.S.Zone(c)
	f := parseFilter(c.Query)
	q, errs := f.query(loc)

	ps, err := people(ctx, tdb)
	if err != nil {
		return err
	}
	v := listView{Filter: f, Pager: web.PagerFrom(c, perPage), Timezone: loc.String()}
	v.People, v.Actions = peopleOptions(ps, f.User), actionOptions(m.S.Actions().All(), f.Action)

	status := http.StatusOK
	if errs != nil {
		status = http.StatusUnprocessableEntity
	} else if err := m.fill(c, &v, q, ps, loc); err != nil {
		return err
	}
	p := web.Page{Title: "Audit log", Data: v, Errors: errs}
	return m.S.Render.List(c, status, listPage, p)
}

// fill reads the page of entries the filter asks for. A page past the end
// (a bookmark of a log that got filtered down) shows the last page.
func (m *Module) fill(c *gin.Context, v *listView, q audit.Filter, ps []person, loc *time.Location) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	p := v.Pager
	entries, total, err := audit.List(ctx, tdb, q, p.Skip(), p.Limit())
	if err != nil {
		return err
	}
	page := p.Page
	if p.SetTotal(total, false); p.Page != page {
		if entries, _, err = audit.List(ctx, tdb, q, p.Skip(), p.Limit()); err != nil {
			return err
		}
	}
	roles, err := roleNames(ctx, tdb)
	if err != nil {
		return err
	}
	byID := make(map[string]person, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, e := range entries {
		v.Entries = append(v.Entries, entryView{
			When: e.At.In(loc).Format("2006-01-02 15:04:05"), ISO: e.At.UTC().Format(time.RFC3339),
			Who: who(e, byID), WhoDetail: e.ActorEmail,
			Action: e.Action, ActionLabel: m.S.Actions().Label(e.Action),
			Target: target(e, byID, roles), TargetRaw: e.Target, Route: e.Route,
			Before: e.Before, After: e.After, IP: e.IP,
		})
		if len(e.Records) > 1 {
			v.Entries[len(v.Entries)-1].Records = labels(e.Records)
		}
	}
	return nil
}

// who names the person behind an entry: their current name, else the email
// recorded (a failed sign-in with an unknown email has only that).
func who(e audit.Entry, byID map[string]person) string {
	if p, ok := byID[e.ActorID]; ok && p.Name != "" {
		return p.Name
	}
	if e.ActorEmail != "" {
		return e.ActorEmail
	}
	return "—"
}

// target describes what an entry was done to, by name where Ward still
// knows it ("Role Doctor") or by the label the view recorded ("Patient
// P-000042"), else as recorded.
func target(e audit.Entry, byID map[string]person, roles map[string]string) string {
	t := e.Target
	kind, id, ok := strings.Cut(t, ":")
	if !ok {
		return t
	}
	if len(e.Records) == 1 && e.Records[0].Label != "" {
		return strings.ToUpper(kind[:1]) + kind[1:] + " " + e.Records[0].Label
	}
	switch kind {
	case "role":
		if n, ok := roles[id]; ok {
			return "Role " + n
		}
	case "user":
		if p, ok := byID[id]; ok && p.Name != "" {
			return "Staff " + p.Name
		}
	}
	return t
}

// labels names the records a view showed, in order.
func labels(rs []audit.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Label
		if out[i] == "" {
			out[i] = r.ID
		}
	}
	return out
}

func peopleOptions(ps []person, selected string) []option {
	out := make([]option, 0, len(ps)+1)
	found := selected == ""
	for _, p := range ps {
		label := p.Name
		if label == "" {
			label = p.Email
		}
		out = append(out, option{Value: p.ID, Label: label, Selected: p.ID == selected})
		found = found || p.ID == selected
	}
	if !found {
		// Someone no longer on the staff list: keep the filter visible.
		out = append(out, option{Value: selected, Label: "Former staff member", Selected: true})
	}
	return out
}

// actionOptions offers every declared action by its label.
func actionOptions(actions []audit.Action, selected string) []option {
	out := make([]option, 0, len(actions)+1)
	found := selected == ""
	for _, a := range actions {
		out = append(out, option{Value: a.Code, Label: a.Label, Selected: a.Code == selected})
		found = found || a.Code == selected
	}
	if !found {
		// An action no longer declared, from a bookmark or a link.
		out = append(out, option{Value: selected, Label: selected, Selected: true})
	}
	return out
}
