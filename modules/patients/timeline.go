package patients

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
)

// TimelineSource is implemented by modules that put entries on a patient's
// timeline (appointments, visits, prescriptions, lab results …). The patient
// page asks each source for its latest entries and shows them newest first.
// A source reads only through the clinic's scoped handle it is given.
type TimelineSource interface {
	PatientTimeline(ctx context.Context, tdb *db.Tenant, patientID string, limit int) ([]TimelineEntry, error)
}

// TimelineEntry is one event in a patient's history.
type TimelineEntry struct {
	At      time.Time
	Kind    string // "Visit", "Prescription" …
	Title   string
	Summary string
	Href    string // where the entry opens, if anywhere
}

// timelineLimit is how many entries the patient page shows.
const timelineLimit = 20

// timelineFor gathers the latest entries from every source. A failing
// source is logged and skipped (complete is false): one module's trouble
// must not hide a patient's allergies.
func (m *Module) timelineFor(ctx context.Context, tdb *db.Tenant, patientID string) (entries []TimelineEntry, complete bool) {
	complete = true
	for _, src := range m.timeline {
		es, err := src.PatientTimeline(ctx, tdb, patientID, timelineLimit)
		if err != nil {
			logging.FromContext(ctx).Error().Err(err).Str("source", fmt.Sprintf("%T", src)).Msg("patient timeline: a source failed")
			complete = false
			continue
		}
		entries = append(entries, es...)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.After(entries[j].At) })
	if len(entries) > timelineLimit {
		entries = entries[:timelineLimit]
	}
	return entries, complete
}
