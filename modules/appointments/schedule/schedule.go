// Package schedule is working hours: a weekly pattern of opening intervals
// per weekday, exceptions for single dates (a holiday, a day with other
// hours), and the arithmetic on absolute time ranges the appointments
// module needs (is a span inside the hours, the common part of two sets of
// hours, the free start times between booked ones).
//
// Hours are wall-clock times of the clinic's time zone: 09:00 stays 09:00
// across a change of daylight saving time. A date's ranges are built with
// time.Date in the zone, never by adding 24 hours to a midnight. Two wall
// times need a rule:
//
//   - a time that does not exist (it falls into the hour skipped when the
//     clocks go forward, 02:30 on 2026-03-29 in Europe/Berlin) is the moment
//     the clocks jump (03:00 CEST): an interval 02:00–04:00 that day lasts
//     one hour, an interval starting in the gap starts when it ends;
//   - a time that exists twice (02:30 on 2026-10-25 in Europe/Berlin, when
//     the clocks go back) is its first occurrence (02:30 CEST).
//
// The package has no storage and no web: it is pure and fully table-tested.
package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DayMinutes is the length of a day on the wall clock: 24:00 is the end of
// the day.
const DayMinutes = 24 * 60

// Interval is an opening interval of a day, [From, To) in minutes since
// local midnight: 0 ≤ From < To ≤ 1440.
type Interval struct {
	From int `bson:"from" json:"from"`
	To   int `bson:"to" json:"to"`
}

// Clock formats minutes since midnight as "09:05" (1440 is "24:00").
func Clock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// String is the interval as typed: "09:00-12:30".
func (i Interval) String() string { return Clock(i.From) + "-" + Clock(i.To) }

// Label is the interval for reading: "09:00–12:30" (an en dash).
func (i Interval) Label() string { return Clock(i.From) + "–" + Clock(i.To) }

// Valid reports whether the interval is within a day and not empty.
func (i Interval) Valid() bool { return 0 <= i.From && i.From < i.To && i.To <= DayMinutes }

// parseClock reads "9:00", "09:00" or "24:00" as minutes since midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' ||
		hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// ParseInterval reads "09:00-12:30" (an en dash, and spaces around the
// dash, are fine). The error is a message for staff.
func ParseInterval(s string) (Interval, error) {
	s = strings.TrimSpace(s)
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return Interval{}, fmt.Errorf("%q is not a time span: write it as 09:00-12:30", s)
	}
	f, okF := parseClock(from)
	t, okT := parseClock(to)
	if !okF || !okT {
		return Interval{}, fmt.Errorf("%q is not a time span: write the times as hours and minutes, 00:00 to 24:00, such as 09:00-12:30", s)
	}
	i := Interval{From: f, To: t}
	if !i.Valid() {
		return Interval{}, fmt.Errorf("%q ends before it starts: the end must come after the start on the same day", s)
	}
	return i, nil
}

// ParseDay reads a day's intervals as typed: "09:00-12:30, 13:30-17:00"
// (commas, semicolons or spaces between them). An empty text, "closed" or
// "-" is a day without hours. The intervals come sorted; overlapping ones
// are refused, with a message for staff. Touching ones ("09:00-12:00,
// 12:00-13:00") are allowed.
func ParseDay(s string) ([]Interval, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" || strings.EqualFold(s, "closed") {
		return nil, nil
	}
	var out []Interval
	for _, part := range splitSpans(s) {
		i, err := ParseInterval(part)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	slices.SortFunc(out, func(a, b Interval) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return out, Validate(out)
}

// splitSpans splits a day's text into its spans: at commas and semicolons,
// and at spaces that are not around a dash ("09:00 - 12:00" is one span).
func splitSpans(s string) []string {
	s = strings.NewReplacer("–", "-", ";", ",").Replace(s)
	var out []string
	for _, chunk := range strings.Split(s, ",") {
		fields := strings.Fields(chunk)
		for i := 0; i < len(fields); i++ {
			f := fields[i]
			// Join "09:00 - 12:00", "09:00 -12:00" and "09:00- 12:00".
			for i+1 < len(fields) && (strings.HasSuffix(f, "-") || strings.HasPrefix(fields[i+1], "-")) {
				i++
				f += fields[i]
			}
			out = append(out, f)
		}
	}
	return out
}

// Validate checks a day's intervals as stored: each within the day, in
// order, none overlapping another (touching is fine). The error is a
// message for staff.
func Validate(day []Interval) error {
	for k, i := range day {
		if !i.Valid() {
			return fmt.Errorf("%s is not a time span within a day", i.String())
		}
		if k > 0 && day[k-1].To > i.From {
			if day[k-1].From > i.From {
				return fmt.Errorf("%s comes before %s: list the hours in order", i.String(), day[k-1].String())
			}
			return fmt.Errorf("%s overlaps %s: list each time only once", day[k-1].String(), i.String())
		}
	}
	return nil
}

// FormatDay is a day's intervals as the form shows them:
// "09:00-12:30, 13:30-17:00"; "" for a day without hours.
func FormatDay(day []Interval) string {
	parts := make([]string, len(day))
	for k, i := range day {
		parts[k] = i.String()
	}
	return strings.Join(parts, ", ")
}

// LabelDay is a day's intervals for reading: "09:00–12:30, 13:30–17:00",
// or "closed".
func LabelDay(day []Interval) string {
	if len(day) == 0 {
		return "closed"
	}
	parts := make([]string, len(day))
	for k, i := range day {
		parts[k] = i.Label()
	}
	return strings.Join(parts, ", ")
}

// Week is the weekly pattern: a day's intervals by time.Weekday (Sunday
// is 0). A day without intervals is closed.
type Week [7][]Interval

// Exception replaces the weekly pattern on one date: closed (a holiday, a
// day off), or other hours.
type Exception struct {
	Date   string     `bson:"date" json:"date"` // YYYY-MM-DD, local
	Closed bool       `bson:"closed" json:"closed"`
	Hours  []Interval `bson:"hours" json:"hours"` // the day's hours, unless closed
	Note   string     `bson:"note,omitempty" json:"note,omitempty"`
}

// String is the exception as one line of the form: "2026-12-25 closed
// Christmas", "2026-12-24 09:00-12:00 Christmas Eve".
func (e Exception) String() string {
	parts := []string{e.Date}
	switch {
	case e.Closed || len(e.Hours) == 0:
		parts = append(parts, "closed")
	default:
		parts = append(parts, FormatDay(e.Hours))
	}
	if e.Note != "" {
		parts = append(parts, e.Note)
	}
	return strings.Join(parts, " ")
}

// MaxNote is the longest note an exception keeps, in characters.
const MaxNote = 100

// ParseException reads one line of exceptions: a date (YYYY-MM-DD), then
// "closed" or the day's hours ("09:00-12:00, 13:00-15:00"), then an
// optional note: "2026-12-25 closed Christmas". The error is a message for
// staff.
func ParseException(line string) (Exception, error) {
	line = strings.TrimSpace(line)
	date, rest, _ := strings.Cut(line, " ")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return Exception{}, fmt.Errorf("%q does not start with a date: write lines such as 2026-12-25 closed Christmas", line)
	}
	e := Exception{Date: date}
	rest = strings.TrimSpace(rest)
	if word, note, _ := strings.Cut(rest, " "); strings.EqualFold(strings.TrimRight(word, ",:"), "closed") {
		e.Closed, e.Note = true, strings.TrimSpace(note)
	} else {
		spans, note := leadingSpans(rest)
		if spans == "" {
			return Exception{}, fmt.Errorf("%q: after the date write closed, or the day's hours such as 09:00-12:00", line)
		}
		day, err := ParseDay(spans)
		if err != nil {
			return Exception{}, fmt.Errorf("%s: %w", date, err)
		}
		e.Hours, e.Note = day, note
	}
	if len([]rune(e.Note)) > MaxNote {
		return Exception{}, fmt.Errorf("%s: the note is longer than %d characters", date, MaxNote)
	}
	return e, nil
}

// leadingSpans splits "09:00-12:00, 13:00-15:00 Christmas Eve" into the
// spans and the note: the spans are the words up to the first that does
// not start with a digit (or a dash joining two times).
func leadingSpans(s string) (spans, note string) {
	fields := strings.Fields(s)
	n := 0
	for n < len(fields) {
		f := fields[n]
		if f == "" || !(f[0] >= '0' && f[0] <= '9' || f[0] == '-' || strings.HasPrefix(f, "–") || f == ",") {
			break
		}
		n++
	}
	return strings.Join(fields[:n], " "), strings.Join(fields[n:], " ")
}

// Hours are working hours: the weekly pattern and the exceptions to it.
type Hours struct {
	Week       Week
	Exceptions []Exception
}

// Day is the wall-clock hours of a local date, and the exception that set
// them (nil when the weekly pattern applies).
func (h Hours) Day(y int, m time.Month, d int) ([]Interval, *Exception) {
	date := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	key := date.Format(time.DateOnly)
	for k := range h.Exceptions {
		if e := &h.Exceptions[k]; e.Date == key {
			if e.Closed {
				return nil, e
			}
			return e.Hours, e
		}
	}
	return h.Week[date.Weekday()], nil
}

// On is the hours of the local date y-m-d in zone as absolute ranges,
// sorted; touching intervals are one range. See the package comment for
// wall times that do not exist or exist twice.
func (h Hours) On(y int, m time.Month, d int, zone *time.Location) []Range {
	day, _ := h.Day(y, m, d)
	var out []Range
	for _, i := range day {
		r := Range{Start: At(y, m, d, i.From, zone), End: At(y, m, d, i.To, zone)}
		if r.Start.Before(r.End) {
			out = append(out, r)
		}
	}
	return merge(out)
}

// At is the instant the wall clock of zone shows minutes (since midnight;
// 1440 is the next midnight) on the local date y-m-d. A wall time skipped
// when the clocks go forward is the moment they jump; one that happens
// twice when they go back is its first occurrence.
func At(y int, m time.Month, d int, minutes int, zone *time.Location) time.Time {
	t := time.Date(y, m, d, 0, minutes, 0, 0, zone)
	want := time.Date(y, m, d, 0, minutes, 0, 0, time.UTC) // the wall time asked for
	start, end := t.ZoneBounds()
	if w := wall(t); w != want {
		// In a gap: time.Date moved it by the gap's length, past the jump
		// (then the jump is when the zone in effect at t began) or before
		// it (when that zone ends).
		if w.After(want) {
			return start
		}
		return end
	}
	if start.IsZero() {
		return t
	}
	_, before := start.Add(-time.Nanosecond).Zone()
	if _, now := t.Zone(); before > now {
		// The clocks went back at start: the same wall time may have
		// happened before it, under the earlier offset.
		if first := t.Add(-time.Duration(before-now) * time.Second); first.Before(start) && wall(first) == want {
			return first
		}
	}
	return t
}

// wall is t's wall clock read as if it were UTC.
func wall(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Range is an absolute span of time, [Start, End).
type Range struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// merge sorts ranges by start and joins overlapping or touching ones; empty
// ranges are dropped. It returns a new slice.
func merge(rs []Range) []Range {
	sorted := make([]Range, 0, len(rs))
	for _, r := range rs {
		if r.Start.Before(r.End) {
			sorted = append(sorted, r)
		}
	}
	slices.SortFunc(sorted, func(a, b Range) int { return a.Start.Compare(b.Start) })
	var out []Range
	for _, r := range sorted {
		if n := len(out); n > 0 && !r.Start.After(out[n-1].End) {
			if r.End.After(out[n-1].End) {
				out[n-1].End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Within reports whether [start, end) lies inside the open ranges (inside
// one of them, once touching ones are joined).
func Within(open []Range, start, end time.Time) bool {
	if !start.Before(end) {
		return false
	}
	for _, r := range merge(open) {
		if !start.Before(r.Start) && !end.After(r.End) {
			return true
		}
	}
	return false
}

// Intersect is the time in both a and b, as sorted ranges.
func Intersect(a, b []Range) []Range {
	a, b = merge(a), merge(b)
	var out []Range
	for i, j := 0, 0; i < len(a) && j < len(b); {
		start, end := Later(a[i].Start, b[j].Start), Earlier(a[i].End, b[j].End)
		if start.Before(end) {
			out = append(out, Range{Start: start, End: end})
		}
		if a[i].End.Before(b[j].End) {
			i++
		} else {
			j++
		}
	}
	return out
}

// Later is the later of two instants.
func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Earlier is the earlier of two instants.
func Earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Free is up to max start times t, in order, with t ≥ from on a step
// boundary (a multiple of step since the zero time: with a step dividing an
// hour, :00, :05, … on the clock of any zone with whole-quarter-hour
// offsets), such that [t, t+minutes) lies inside the open ranges and
// overlaps no busy range. Touching a busy range is fine: a slot may start
// when another appointment ends and end when the next starts. A step of 0
// or less is 5 minutes; max ≤ 0 means no limit.
func Free(open, busy []Range, minutes int, step time.Duration, from time.Time, max int) []time.Time {
	if step <= 0 {
		step = 5 * time.Minute
	}
	if minutes <= 0 {
		return nil
	}
	length := time.Duration(minutes) * time.Minute
	busy = merge(busy)
	var out []time.Time
	for _, r := range merge(open) {
		t := ceil(Later(r.Start, from), step)
		b := 0 // the first busy range that may still be in the way
		for !t.Add(length).After(r.End) {
			for b < len(busy) && !busy[b].End.After(t) {
				b++
			}
			if b < len(busy) && busy[b].Start.Before(t.Add(length)) {
				t = ceil(busy[b].End, step) // in the way: try after it
				continue
			}
			out = append(out, t)
			if len(out) == max {
				return out
			}
			t = t.Add(step)
		}
	}
	return out
}

// ceil is t rounded up to a multiple of step.
func ceil(t time.Time, step time.Duration) time.Time {
	if f := t.Truncate(step); f.Before(t) {
		return f.Add(step)
	}
	return t
}
