package schedule

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func iv(from, to string) Interval {
	f, _ := parseClock(from)
	t, _ := parseClock(to)
	return Interval{From: f, To: t}
}

func TestParseInterval(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Interval
		err  string // part of the message; "" when valid
	}{
		{in: "09:00-12:30", want: iv("09:00", "12:30")},
		{in: "9:00-12:30", want: iv("09:00", "12:30")},
		{in: " 09:00 - 12:30 ", want: iv("09:00", "12:30")},
		{in: "09:00–12:30", want: iv("09:00", "12:30")},
		{in: "00:00-24:00", want: Interval{0, 1440}},
		{in: "22:00-24:00", want: Interval{1320, 1440}},
		{in: "09:00", err: "write it as 09:00-12:30"},
		{in: "9-12", err: "hours and minutes"},
		{in: "09:00-12:60", err: "hours and minutes"},
		{in: "25:00-26:00", err: "hours and minutes"},
		{in: "24:30-24:45", err: "hours and minutes"},
		{in: "+9:00-12:00", err: "hours and minutes"},
		{in: "09:0-12:00", err: "hours and minutes"},
		{in: "12:00-09:00", err: "ends before it starts"},
		{in: "09:00-09:00", err: "ends before it starts"},
		{in: "", err: "write it as"},
	}
	for _, tc := range cases {
		got, err := ParseInterval(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && got != tc.want:
			t.Errorf("%q = %v, want %v", tc.in, got, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.err)
		}
	}
	if s := iv("09:05", "24:00").String(); s != "09:05-24:00" {
		t.Errorf("String = %q", s)
	}
	if s := iv("09:05", "17:00").Label(); s != "09:05–17:00" {
		t.Errorf("Label = %q", s)
	}
}

func TestParseDay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []Interval
		err  string
	}{
		{in: "", want: nil},
		{in: "closed", want: nil},
		{in: "Closed", want: nil},
		{in: "-", want: nil},
		{in: "09:00-12:30", want: []Interval{iv("09:00", "12:30")}},
		{in: "09:00-12:30, 13:30-17:00", want: []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}},
		{in: "09:00-12:30; 13:30-17:00", want: []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}},
		{in: "09:00-12:30 13:30-17:00", want: []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}},
		{in: "09:00 - 12:30, 13:30 – 17:00", want: []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}},
		{in: "13:30-17:00, 09:00-12:30", want: []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}},
		{in: "08:00-10:00, 10:00-12:00, 14:00-15:00, 16:00-18:00", want: []Interval{iv("08:00", "10:00"), iv("10:00", "12:00"), iv("14:00", "15:00"), iv("16:00", "18:00")}},
		{in: "09:00-12:00, 11:00-13:00", err: "overlaps"},
		{in: "09:00-17:00, 09:00-17:00", err: "overlaps"},
		{in: "09:00-12:00, 13:00", err: "not a time span"},
		{in: "09:00-12:00,, 13:00-14:00", want: []Interval{iv("09:00", "12:00"), iv("13:00", "14:00")}},
		{in: "mornings", err: "not a time span"},
	}
	for _, tc := range cases {
		got, err := ParseDay(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && !slices.Equal(got, tc.want):
			t.Errorf("%q = %v, want %v", tc.in, got, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.err)
		}
		if tc.err == "" && FormatDay(got) != FormatDay(tc.want) {
			t.Errorf("%q formats as %q", tc.in, FormatDay(got))
		}
	}
	if s := FormatDay([]Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}); s != "09:00-12:30, 13:30-17:00" {
		t.Errorf("FormatDay = %q", s)
	}
	if s := LabelDay(nil); s != "closed" {
		t.Errorf("LabelDay(nil) = %q", s)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		day []Interval
		err string
	}{
		{day: nil},
		{day: []Interval{{0, 1440}}},
		{day: []Interval{{540, 720}, {720, 1020}}}, // touching
		{day: []Interval{{540, 720}, {700, 1020}}, err: "overlaps"},
		{day: []Interval{{800, 900}, {540, 720}}, err: "in order"},
		{day: []Interval{{-5, 720}}, err: "within a day"},
		{day: []Interval{{540, 1445}}, err: "within a day"},
		{day: []Interval{{720, 720}}, err: "within a day"},
	}
	for _, tc := range cases {
		err := Validate(tc.day)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%v: %v, want %q", tc.day, err, tc.err)
		}
	}
}

func TestParseException(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Exception
		err  string
	}{
		{in: "2026-12-25 closed Christmas", want: Exception{Date: "2026-12-25", Closed: true, Note: "Christmas"}},
		{in: "2026-12-25 Closed", want: Exception{Date: "2026-12-25", Closed: true}},
		{in: "2026-12-25 closed: Christmas Day", want: Exception{Date: "2026-12-25", Closed: true, Note: "Christmas Day"}},
		{in: "2026-12-24 09:00-12:00", want: Exception{Date: "2026-12-24", Hours: []Interval{iv("09:00", "12:00")}}},
		{in: "  2026-12-24 09:00-12:00, 13:00-15:00 Christmas Eve ", want: Exception{Date: "2026-12-24", Hours: []Interval{iv("09:00", "12:00"), iv("13:00", "15:00")}, Note: "Christmas Eve"}},
		{in: "2026-12-24 09:00 - 12:00 short day", want: Exception{Date: "2026-12-24", Hours: []Interval{iv("09:00", "12:00")}, Note: "short day"}},
		{in: "2026-12-24 10:00-20:00 open late", want: Exception{Date: "2026-12-24", Hours: []Interval{iv("10:00", "20:00")}, Note: "open late"}},
		{in: "2026-12-24", err: "after the date"},
		{in: "2026-12-24 holiday", err: "after the date"},
		{in: "24.12.2026 closed", err: "does not start with a date"},
		{in: "2026-02-30 closed", err: "does not start with a date"},
		{in: "2026-12-24 12:00-09:00", err: "ends before it starts"},
		{in: "2026-12-24 09:00-12:00, 11:00-13:00", err: "overlaps"},
		{in: "2026-12-25 closed " + strings.Repeat("x", MaxNote+1), err: "longer than"},
	}
	for _, tc := range cases {
		got, err := ParseException(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && (got.Date != tc.want.Date || got.Closed != tc.want.Closed || got.Note != tc.want.Note || !slices.Equal(got.Hours, tc.want.Hours)):
			t.Errorf("%q = %+v, want %+v", tc.in, got, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.err)
		}
		if tc.err == "" {
			again, err := ParseException(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("%q does not read back: %q %v", tc.in, got.String(), err)
			}
		}
	}
}

// utc is a UTC instant on a date of 2026 given as month, day, hour, minute.
func utc(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }

func TestOn(t *testing.T) {
	t.Parallel()
	berlin, ny := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	week := Week{}
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []Interval{iv("09:00", "12:30"), iv("13:30", "17:00")}
	}
	week[time.Saturday] = []Interval{iv("09:00", "12:00")}
	week[time.Sunday] = []Interval{iv("01:00", "04:00")} // a night shift across the change
	h := Hours{Week: week, Exceptions: []Exception{
		{Date: "2026-12-25", Closed: true, Note: "Christmas"},
		{Date: "2026-12-24", Hours: []Interval{iv("09:00", "12:00")}},
		{Date: "2026-12-27", Hours: []Interval{iv("10:00", "11:00"), iv("11:00", "12:00")}}, // touching: one range
	}}
	cases := []struct {
		name       string
		y          int
		mo         time.Month
		d          int
		zone       *time.Location
		want       []Range
		durationsH []float64
	}{
		{name: "a Friday in winter, Berlin", y: 2026, mo: 3, d: 27, zone: berlin,
			want: []Range{{utc(3, 27, 8, 0), utc(3, 27, 11, 30)}, {utc(3, 27, 12, 30), utc(3, 27, 16, 0)}}},
		{name: "the Monday after the change: 09:00 is still 09:00", y: 2026, mo: 3, d: 30, zone: berlin,
			want: []Range{{utc(3, 30, 7, 0), utc(3, 30, 10, 30)}, {utc(3, 30, 11, 30), utc(3, 30, 15, 0)}}},
		{name: "spring forward: 01:00-04:00 lasts two hours (02:00-03:00 never happens)", y: 2026, mo: 3, d: 29, zone: berlin,
			want: []Range{{utc(3, 29, 0, 0), utc(3, 29, 2, 0)}}},
		{name: "fall back: 01:00-04:00 lasts four hours", y: 2026, mo: 10, d: 25, zone: berlin,
			want: []Range{{utc(10, 24, 23, 0), utc(10, 25, 3, 0)}}},
		{name: "the Monday after falling back", y: 2026, mo: 10, d: 26, zone: berlin,
			want: []Range{{utc(10, 26, 8, 0), utc(10, 26, 11, 30)}, {utc(10, 26, 12, 30), utc(10, 26, 16, 0)}}},
		{name: "New York spring forward (8 March)", y: 2026, mo: 3, d: 8, zone: ny,
			want: []Range{{utc(3, 8, 6, 0), utc(3, 8, 8, 0)}}},
		{name: "New York, Monday after", y: 2026, mo: 3, d: 9, zone: ny,
			want: []Range{{utc(3, 9, 13, 0), utc(3, 9, 16, 30)}, {utc(3, 9, 17, 30), utc(3, 9, 21, 0)}}},
		{name: "New York fall back (1 November)", y: 2026, mo: 11, d: 1, zone: ny,
			want: []Range{{utc(11, 1, 5, 0), utc(11, 1, 9, 0)}}},
		{name: "a Saturday", y: 2026, mo: 3, d: 28, zone: berlin,
			want: []Range{{utc(3, 28, 8, 0), utc(3, 28, 11, 0)}}},
		{name: "closed: Christmas", y: 2026, mo: 12, d: 25, zone: berlin, want: nil},
		{name: "other hours: Christmas Eve", y: 2026, mo: 12, d: 24, zone: berlin,
			want: []Range{{utc(12, 24, 8, 0), utc(12, 24, 11, 0)}}},
		{name: "touching intervals are one range", y: 2026, mo: 12, d: 27, zone: berlin,
			want: []Range{{utc(12, 27, 9, 0), utc(12, 27, 11, 0)}}},
		{name: "UTC", y: 2026, mo: 3, d: 27, zone: time.UTC,
			want: []Range{{utc(3, 27, 9, 0), utc(3, 27, 12, 30)}, {utc(3, 27, 13, 30), utc(3, 27, 17, 0)}}},
	}
	for _, tc := range cases {
		got := h.On(tc.y, tc.mo, tc.d, tc.zone)
		if !equalRanges(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	closed := Hours{}
	if got := closed.On(2026, 3, 29, berlin); got != nil {
		t.Errorf("no hours: %v", got)
	}
}

func TestAt(t *testing.T) {
	t.Parallel()
	berlin, ny := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	cases := []struct {
		name    string
		mo      time.Month
		d       int
		minutes int
		zone    *time.Location
		want    time.Time
	}{
		{"before the gap", 3, 29, 119, berlin, utc(3, 29, 0, 59)},
		{"in the gap: the jump", 3, 29, 150, berlin, utc(3, 29, 1, 0)},
		{"the gap's start: the jump", 3, 29, 120, berlin, utc(3, 29, 1, 0)},
		{"after the gap", 3, 29, 180, berlin, utc(3, 29, 1, 0)},
		{"twice: the first", 10, 25, 150, berlin, utc(10, 25, 0, 30)},
		{"twice, at the change: the first", 10, 25, 120, berlin, utc(10, 25, 0, 0)},
		{"after the repeated hour", 10, 25, 180, berlin, utc(10, 25, 2, 0)},
		{"midnight of the next day", 3, 29, 1440, berlin, utc(3, 29, 22, 0)},
		{"New York gap", 3, 8, 150, ny, utc(3, 8, 7, 0)},
		{"New York twice", 11, 1, 90, ny, utc(11, 1, 5, 30)},
	}
	for _, tc := range cases {
		if got := At(2026, tc.mo, tc.d, tc.minutes, tc.zone); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got.UTC(), tc.want)
		}
	}
}

func equalRanges(a, b []Range) bool {
	return slices.EqualFunc(a, b, func(x, y Range) bool { return x.Start.Equal(y.Start) && x.End.Equal(y.End) })
}

// r is a range on 2026-01-05 between two times of day, UTC.
func r(from, to string) Range {
	f, _ := parseClock(from)
	t, _ := parseClock(to)
	day := utc(1, 5, 0, 0)
	return Range{Start: day.Add(time.Duration(f) * time.Minute), End: day.Add(time.Duration(t) * time.Minute)}
}

func at(clock string) time.Time { return r(clock, "24:00").Start }

func TestWithin(t *testing.T) {
	t.Parallel()
	open := []Range{r("09:00", "12:00"), r("13:00", "17:00"), r("17:00", "18:00")}
	cases := []struct {
		from, to string
		want     bool
	}{
		{"09:00", "09:30", true},
		{"09:00", "12:00", true},  // touching both edges
		{"11:30", "12:00", true},  // ends at closing
		{"08:55", "09:30", false}, // starts before opening
		{"11:45", "12:15", false}, // runs into the break
		{"12:00", "13:00", false}, // the break
		{"16:30", "17:30", true},  // across touching ranges
		{"17:30", "18:05", false}, // past closing
		{"10:00", "10:00", false}, // empty
		{"10:00", "09:00", false}, // backwards
		{"12:30", "12:45", false}, // in the break
		{"13:00", "18:00", true},  // the whole afternoon
	}
	for _, tc := range cases {
		if got := Within(open, at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("%s-%s: %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	if Within(nil, at("09:00"), at("10:00")) {
		t.Error("inside no hours")
	}
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b []Range
		want []Range
	}{
		{"none", nil, []Range{r("09:00", "17:00")}, nil},
		{"same", []Range{r("09:00", "17:00")}, []Range{r("09:00", "17:00")}, []Range{r("09:00", "17:00")}},
		{"inside", []Range{r("09:00", "17:00")}, []Range{r("10:00", "12:00"), r("14:00", "18:00")}, []Range{r("10:00", "12:00"), r("14:00", "17:00")}},
		{"touching only", []Range{r("09:00", "12:00")}, []Range{r("12:00", "17:00")}, nil},
		{"several each", []Range{r("08:00", "10:00"), r("11:00", "13:00"), r("15:00", "20:00")},
			[]Range{r("09:00", "12:00"), r("12:30", "16:00"), r("19:00", "21:00")},
			[]Range{r("09:00", "10:00"), r("11:00", "12:00"), r("12:30", "13:00"), r("15:00", "16:00"), r("19:00", "20:00")}},
		{"unsorted, touching input", []Range{r("13:00", "17:00"), r("09:00", "13:00")}, []Range{r("12:00", "14:00")}, []Range{r("12:00", "14:00")}},
	}
	for _, tc := range cases {
		if got := Intersect(tc.a, tc.b); !equalRanges(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if got := Intersect(tc.b, tc.a); !equalRanges(got, tc.want) {
			t.Errorf("%s, swapped: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFree(t *testing.T) {
	t.Parallel()
	clocks := func(ts []time.Time) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = t.UTC().Format("15:04")
		}
		return strings.Join(s, " ")
	}
	morning := []Range{r("09:00", "10:00")}
	cases := []struct {
		name    string
		open    []Range
		busy    []Range
		minutes int
		step    time.Duration
		from    string
		max     int
		want    string
	}{
		{"empty morning, 15-minute steps", morning, nil, 30, 15 * time.Minute, "00:00", 0, "09:00 09:15 09:30"},
		{"5-minute steps, max", morning, nil, 30, 0, "00:00", 4, "09:00 09:05 09:10 09:15"},
		{"touching busy on both sides", morning, []Range{r("09:00", "09:20"), r("09:50", "10:00")}, 30, 5 * time.Minute, "00:00", 0, "09:20"},
		{"no room", morning, []Range{r("09:15", "09:45")}, 30, 5 * time.Minute, "00:00", 0, ""},
		{"from mid-range, rounded up", morning, nil, 20, 10 * time.Minute, "09:31", 0, "09:40"},
		{"from after the range", morning, nil, 20, 10 * time.Minute, "11:00", 0, ""},
		{"busy ending off-step", morning, []Range{r("09:00", "09:07")}, 30, 10 * time.Minute, "00:00", 0, "09:10 09:20 09:30"},
		{"overlapping busy", morning, []Range{r("09:00", "09:30"), r("09:10", "09:40")}, 20, 10 * time.Minute, "00:00", 0, "09:40"},
		{"several open ranges", []Range{r("09:00", "09:30"), r("14:00", "14:30")}, []Range{r("14:00", "14:10")}, 20, 10 * time.Minute, "00:00", 0, "09:00 09:10 14:10"},
		{"busy outside the hours", morning, []Range{r("08:00", "08:30"), r("11:00", "12:00")}, 60, 0, "00:00", 0, "09:00"},
		{"too long for the hours", morning, nil, 61, 0, "00:00", 0, ""},
		{"opening off-step", []Range{r("09:03", "09:30")}, nil, 10, 5 * time.Minute, "00:00", 0, "09:05 09:10 09:15 09:20"},
		{"no minutes", morning, nil, 0, 0, "00:00", 0, ""},
	}
	for _, tc := range cases {
		if got := clocks(Free(tc.open, tc.busy, tc.minutes, tc.step, at(tc.from), tc.max)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Free over a day whose hours change with DST: the slots are on the local
// clock's five-minute steps and inside the local hours.
func TestFreeAcrossDST(t *testing.T) {
	t.Parallel()
	berlin := zone(t, "Europe/Berlin")
	h := Hours{Week: Week{time.Sunday: []Interval{iv("01:30", "03:30")}}}
	open := h.On(2026, 3, 29, berlin) // 01:30 CET - 03:30 CEST: one hour
	got := Free(open, nil, 30, 30*time.Minute, time.Time{}, 0)
	var local []string
	for _, t := range got {
		local = append(local, t.In(berlin).Format("15:04 MST"))
	}
	if want := "01:30 CET 03:00 CEST"; strings.Join(local, " ") != want {
		t.Errorf("slots %v, want %s", local, want)
	}
}
