package appointments

import (
	"slices"
	"strconv"
	"time"

	"github.com/wardclinic/ward/modules/appointments/schedule"
)

// The calendar is a grid of five-minute rows on the clinic's clock, one
// column per provider (the day) or per day (a provider's week). Rows are
// counted from the window's first minute; the stylesheet places blocks
// by row classes (the Content-Security-Policy allows no inline styles).

// rowMinutes is the height of one row: the booking unit.
const rowMinutes = int(Unit / time.Minute)

// lineMinutes is the step of the lines drawn across the grid and of the
// free time a click books.
const lineMinutes = 15

// fallbackOpen is the window drawn when no one works that day: 08:00 to
// 18:00 on the clinic's clock.
var fallbackOpen = window{From: 8 * 60, To: 18 * 60}

// window is a range of the clinic's clock in minutes from midnight,
// [From, To).
type window struct{ From, To int }

// Rows is how many five-minute rows the window has.
func (w window) Rows() int { return (w.To - w.From) / rowMinutes }

// row is the grid row (from 1) of a clock minute.
func (w window) row(minute int) int { return (minute-w.From)/rowMinutes + 1 }

// clockMinutes is t's minutes from midnight on the clinic's clock.
func clockMinutes(t time.Time, zone *time.Location) int {
	l := t.In(zone)
	return l.Hour()*60 + l.Minute()
}

// gridWindow is the window a grid draws: the open hours of every column and
// every appointment shown, in whole quarter hours; the fallback when there
// is nothing to draw.
func gridWindow(zone *time.Location, open [][]schedule.Range, shown []*Appointment) window {
	w, any := window{From: 24 * 60, To: 0}, false
	widen := func(from, to int) {
		any = true
		w.From, w.To = min(w.From, from), max(w.To, to)
	}
	for _, rs := range open {
		for _, r := range rs {
			from, to := clockMinutes(r.Start, zone), clockMinutes(r.End, zone)
			if to <= from {
				to = 24 * 60 // up to midnight
			}
			widen(from, to)
		}
	}
	if !any {
		w = fallbackOpen
	}
	for _, a := range shown {
		from := clockMinutes(a.Start, zone)
		widen(from, min(24*60, from+a.Minutes))
	}
	w.From = w.From / lineMinutes * lineMinutes
	w.To = min(24*60, (w.To+lineMinutes-1)/lineMinutes*lineMinutes)
	return w
}

// CalBlock is one appointment drawn in a column.
type CalBlock struct {
	ID, Status, Reason string
	Start, End         time.Time
	Minutes            int
	Patient            string // "Last, First"
	Number             string // the patient number, "P-000012"
	Service            string
	Overbooked         bool
	// Row and Span place the block; Lane of Lanes puts overlapping blocks
	// side by side.
	Row, Span, Lane, Lanes int
	// Overlapping: it shares time with another appointment that holds
	// its time.
	Overlapping bool
}

// Requested reports whether it is an online request awaiting the clinic.
func (b CalBlock) Requested() bool { return b.Status == StatusRequested }

// StatusLabel is the status in words.
func (b CalBlock) StatusLabel() string { return statusLabel(b.Status) }

// Classes are the block's placement classes.
func (b CalBlock) Classes() string {
	s := "r" + strconv.Itoa(b.Row) + " s" + strconv.Itoa(b.Span)
	if b.Lanes > 1 {
		s += " lanes" + strconv.Itoa(min(b.Lanes, 4)) + " lane" + strconv.Itoa(min(b.Lane, 3)+1)
	}
	return s
}

// CalCell is a quarter hour of a column: a link that books it; Closed when
// the column's provider does not work then (shaded).
type CalCell struct {
	Start  time.Time
	Row    int
	Closed bool
	Href   string
}

// Classes are the cell's placement classes.
func (c CalCell) Classes() string {
	s := "r" + strconv.Itoa(c.Row) + " s" + strconv.Itoa(lineMinutes/rowMinutes)
	if c.Closed {
		s += " closed"
	}
	return s
}

// CalLine is a quarter-hour line of the time axis.
type CalLine struct {
	At   time.Time
	Row  int
	Hour bool // on the hour: labelled
}

// Classes are the line's placement classes.
func (l CalLine) Classes() string {
	return "r" + strconv.Itoa(l.Row) + " s" + strconv.Itoa(lineMinutes/rowMinutes)
}

// CalColumn is one provider's day (the day view) or one day of a provider
// (the week view).
type CalColumn struct {
	ID      string // the provider's id (the day) or the date (the week)
	Heading string
	Href    string // the heading's link
	Blocks  []CalBlock
	Cells   []CalCell
}

// gridCells are the quarter hours of the window on the local date y-mo-d,
// each a link to book providerID then, shaded outside open.
func gridCells(w window, y int, mo time.Month, d int, zone *time.Location, open []schedule.Range, providerID string) []CalCell {
	var out []CalCell
	for m := w.From; m < w.To; m += lineMinutes {
		start := schedule.At(y, mo, d, m, zone)
		end := start.Add(lineMinutes * time.Minute)
		out = append(out, CalCell{Start: start, Row: w.row(m), Closed: !schedule.Within(open, start, end),
			Href: "/appointments/new?providerId=" + providerID + "&start=" + start.In(zone).Format("2006-01-02T15:04")})
	}
	return out
}

// gridLines are the window's quarter-hour lines on the local date y-mo-d.
func gridLines(w window, y int, mo time.Month, d int, zone *time.Location) []CalLine {
	var out []CalLine
	for m := w.From; m < w.To; m += lineMinutes {
		out = append(out, CalLine{At: schedule.At(y, mo, d, m, zone), Row: w.row(m), Hour: m%60 == 0})
	}
	return out
}

// layBlocks sets the rows of blocks in window w and lays overlapping ones side
// by side: blocks that overlap, directly or through others, form a group
// whose lanes are filled first come, first placed.
func layBlocks(blocks []CalBlock, w window, zone *time.Location) {
	slices.SortStableFunc(blocks, func(a, b CalBlock) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return b.End.Compare(a.End)
	})
	for i := range blocks {
		b := &blocks[i]
		from := clockMinutes(b.Start, zone)
		to := min(w.To, from+b.Minutes)
		b.Row, b.Span = w.row(max(from, w.From)), max(1, (to-max(from, w.From))/rowMinutes)
	}
	for first := 0; first < len(blocks); {
		// One group: extend while the next starts before the group ends.
		end, last := blocks[first].End, first+1
		for last < len(blocks) && blocks[last].Start.Before(end) {
			if blocks[last].End.After(end) {
				end = blocks[last].End
			}
			last++
		}
		var laneEnds []time.Time
		for i := first; i < last; i++ {
			b := &blocks[i]
			lane := slices.IndexFunc(laneEnds, func(e time.Time) bool { return !e.After(b.Start) })
			if lane < 0 {
				lane, laneEnds = len(laneEnds), append(laneEnds, b.End)
			} else {
				laneEnds[lane] = b.End
			}
			b.Lane = lane
		}
		for i := first; i < last; i++ {
			blocks[i].Lanes = len(laneEnds)
			for j := first; j < last; j++ {
				if i != j && holdsTime(blocks[i].Status) && holdsTime(blocks[j].Status) &&
					blocks[i].Start.Before(blocks[j].End) && blocks[j].Start.Before(blocks[i].End) {
					blocks[i].Overlapping = true
				}
			}
		}
		first = last
	}
}

// badgeClass is the badge variant of a status.
func badgeClass(status string) string {
	switch status {
	case StatusRequested, StatusArrived:
		return "warning"
	case StatusInConsultation:
		return "success"
	case StatusNoShow, StatusCancelled:
		return "danger"
	case StatusCompleted:
		return "muted"
	}
	return "info"
}

// Badge is the badge variant of the block's status.
func (b CalBlock) Badge() string { return badgeClass(b.Status) }
