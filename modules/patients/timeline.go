package patients

import (
	"fmt"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/logging"
)

// timelineLimit is how many past entries the patient page shows.
const timelineLimit = 20

// timelineFor gathers the latest entries from every source. A failing
// source is logged and skipped (complete is false): one module's trouble
// must not hide a patient's allergies.
func (m *Module) timelineFor(c *gin.Context, patientID string) (entries []app.TimelineEntry, complete bool) {
	ctx := c.Request.Context()
	complete = true
	for _, src := range m.timeline {
		es, err := src.PatientTimeline(c, patientID, timelineLimit)
		if err != nil {
			logging.FromContext(ctx).Error().Err(err).Str("source", fmt.Sprintf("%T", src)).Msg("patient timeline: a source failed")
			complete = false
			continue
		}
		entries = append(entries, es...)
	}
	return entries, complete
}

// splitTimeline parts entries at now: what is still ahead, soonest first,
// and the history, newest first, at most timelineLimit of it.
func splitTimeline(entries []app.TimelineEntry, now time.Time) (upcoming, past []app.TimelineEntry) {
	for _, e := range entries {
		if e.At.After(now) {
			upcoming = append(upcoming, e)
		} else {
			past = append(past, e)
		}
	}
	sort.SliceStable(upcoming, func(i, j int) bool { return upcoming[i].At.Before(upcoming[j].At) })
	sort.SliceStable(past, func(i, j int) bool { return past[i].At.After(past[j].At) })
	if len(past) > timelineLimit {
		past = past[:timelineLimit]
	}
	return upcoming, past
}
