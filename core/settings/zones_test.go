package settings

import "testing"

func TestTimezones(t *testing.T) {
	if len(Timezones) < 400 || Timezones[0] != "UTC" {
		t.Fatalf("%d zones, first %q", len(Timezones), Timezones[0])
	}
	for _, z := range Timezones {
		if msg := CheckTimezone(z); msg != "" {
			t.Errorf("%s: %s", z, msg)
		}
	}
	n := 0
	for _, g := range TimezoneGroups() {
		n += len(g.Zones)
	}
	if n != len(Timezones) || TimezoneGroups()[0].Region != "" || TimezoneGroups()[1].Region != "Africa" {
		t.Errorf("groups: %d zones, %+v", n, TimezoneGroups()[:2])
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "../etc/passwd"} {
		if CheckTimezone(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
	if CheckTimezone("Asia/Calcutta") != "" {
		t.Error("an old IANA name refused")
	}
}
