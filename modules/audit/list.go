package audit

import (
	"cmp"
	"net/http"
	"net/url"
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
	Filter      filterForm
	People      []option
	Actions     []option
	Entries     []entryView
	Pager       *web.Pager
	Timezone    string
	RecordLabel string // what the record filter shows entries about, when it is set
}

type option struct {
	Value, Label string
	Selected     bool
}

// entryView is one entry as the log shows it: a sentence for people, the
// codes and ids in its details.
type entryView struct {
	At         time.Time // printed in the clinic's formats (.G.Fmt)
	Sentence   sentence
	Note       note
	Action     string       // the code, for the details
	Label      string       // the action's label
	Target     string       // as recorded: "patient:<id>"
	About      string       // the log's entries about Target
	Records    []recordView // what a view of several records showed
	Route      string       // the route that showed them
	IP         string
	RequestID  string
	ActorID    string
	ActorEmail string
}

// recordView is one record a view showed.
type recordView struct{ Label, ID, Href string }

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
	} else if err := m.fill(c, &v, q, ps); err != nil {
		return err
	}
	p := web.Page{Title: "Audit log", Data: v, Errors: errs}
	return m.S.Render.List(c, status, listPage, p)
}

// fill reads the page of entries the filter asks for. A page past the end
// (a bookmark of a log that got filtered down) shows the last page; the
// count stops at web.MaxPages pages (the pager then says there are more).
func (m *Module) fill(c *gin.Context, v *listView, q audit.Filter, ps []person) error {
	entries, err := audit.List(c.Request.Context(), m.S.Clinic(c), q, v.Pager)
	if err != nil {
		return err
	}
	n, err := m.names(c, ps)
	if err != nil {
		return err
	}
	n.learn(entries)
	for _, e := range entries {
		v.Entries = append(v.Entries, m.entry(e, n))
	}
	if q.Record != "" {
		v.RecordLabel = cmp.Or(object(audit.Entry{}, q.Record, n), "this record")
	}
	return nil
}

// names gathers what the page needs to name people, roles and permissions.
func (m *Module) names(c *gin.Context, ps []person) (names, error) {
	roles, err := roleNames(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return names{}, err
	}
	n := names{people: make(map[string]person, len(ps)), roles: roles, perms: map[string]string{}}
	for _, p := range ps {
		n.people[p.ID] = p
	}
	for _, p := range m.S.Permissions() {
		n.perms[p.Resource] = p.Label
	}
	return n, nil
}

// entry is e as the log shows it.
func (m *Module) entry(e audit.Entry, n names) entryView {
	cat := m.S.Actions()
	a := cat.Action(e.Action)
	s := tell(e, a, cat.Has(e.Action), n)
	v := entryView{
		At: e.At, Sentence: s, Note: noteOf(e, s, n),
		Action: e.Action, Label: a.Label, Target: e.Target, Route: e.Route,
		IP: e.IP, RequestID: e.RequestID, ActorID: e.ActorID, ActorEmail: cmp.Or(e.ActorEmail, n.people[e.ActorID].Email),
	}
	if e.Target != "" {
		v.About = "/audit?record=" + url.QueryEscape(e.Target)
	}
	if rs := distinct(e.Records); len(rs) > 1 {
		kind := kindOf(e.Action)
		for _, r := range rs {
			v.Records = append(v.Records, recordView{Label: cmp.Or(r.Label, n.records[kind+":"+r.ID]), ID: r.ID, Href: a.Href(kind + ":" + r.ID)})
		}
	}
	return v
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
