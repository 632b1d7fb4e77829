package patients

import (
	"context"
	"sort"
	"time"

	"github.com/wardclinic/ward/core/db"
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

// timelineFor gathers the latest entries from every source.
func (m *Module) timelineFor(ctx context.Context, tdb *db.Tenant, patientID string) ([]TimelineEntry, error) {
	var all []TimelineEntry
	for _, src := range m.timeline {
		es, err := src.PatientTimeline(ctx, tdb, patientID, timelineLimit)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	if len(all) > timelineLimit {
		all = all[:timelineLimit]
	}
	return all, nil
}
