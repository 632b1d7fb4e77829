package audit

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/wardclinic/ward/core/logging"
)

// Ref names one record a response showed: its id and, where the module
// numbers its records, the label people know it by ("P-000042").
type Ref struct {
	ID    string `bson:"id"`
	Label string `bson:"label,omitempty"`
}

// Shown reports that the response being written shows records: a page, a
// fragment or an API answer — one record or a list of them, in the order
// shown. action names the view ("patient.view", "patient.list"). It is the
// one way a handler audits what it shows: core writes one entry per
// request (per action) once the handler has answered, and a clinical page
// that reports nothing is caught as a defect. A list that came back empty
// is reported too, with no refs: it showed nobody's record and writes no
// entry.
func Shown(ctx context.Context, action string, refs ...Ref) {
	v, _ := ctx.Value(viewsKey{}).(*Views)
	if v == nil {
		logging.FromContext(ctx).Error().Str("action", action).Int("records", len(refs)).
			Msg("audit: records shown on a route whose resource is not declared clinical: not recorded")
		return
	}
	v.add(action, refs)
}

// Views collects what one response shows (see Shown).
type Views struct {
	mu   sync.Mutex
	list []shown
}

type shown struct {
	action string
	refs   []Ref
}

type viewsKey struct{}

// Watch returns ctx carrying a new, empty collection of views; core starts
// one for every request to a route of a clinical resource.
func Watch(ctx context.Context) (context.Context, *Views) {
	v := &Views{}
	return context.WithValue(ctx, viewsKey{}, v), v
}

func (v *Views) add(action string, refs []Ref) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i := range v.list {
		if v.list[i].action == action {
			v.list[i].refs = append(v.list[i].refs, refs...)
			return
		}
	}
	v.list = append(v.list, shown{action: action, refs: append([]Ref(nil), refs...)})
}

// Reported reports whether the handler called Shown, even with no records.
func (v *Views) Reported() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.list) > 0
}

// Record writes, through r, one entry per action that showed records,
// each naming the route that showed them ("GET /patients/:id"). An entry
// about one record also names it as its target ("patient:<id>": the kind
// is the action's first word), as other entries about a record do.
func (v *Views) Record(r Recorder, route string) error {
	v.mu.Lock()
	list := slices.Clone(v.list)
	v.mu.Unlock()
	for _, s := range list {
		if len(s.refs) == 0 {
			continue
		}
		e := Entry{Action: s.action, Records: s.refs, Route: route}
		if len(s.refs) == 1 {
			kind, _, _ := strings.Cut(s.action, ".")
			e.Target = kind + ":" + s.refs[0].ID
		}
		if err := r.write(e); err != nil {
			return err
		}
	}
	return nil
}

// RecordUnreported writes, through r, that route answered at path without
// reporting what it showed, so the view still leaves a trace.
func RecordUnreported(r Recorder, route, path string) error {
	return r.write(Entry{Action: UnreportedView, Route: route, After: "unreported view of " + path})
}
