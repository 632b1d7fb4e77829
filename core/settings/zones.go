package settings

import (
	_ "embed"
	"strings"
	"time"
	_ "time/tzdata" // the zone database in the binary: a server without one still knows every zone
)

// zoneList is the IANA time zone database's list of zones by country
// (zone.tab), with UTC first: the zones a clinic chooses from.
//
//go:embed zones.txt
var zoneList string

// Timezones are the time zones a clinic chooses from, UTC first, then by
// name ("Africa/Abidjan" … "Pacific/Wallis").
var Timezones = strings.Fields(zoneList)

// ZoneGroup is the zones of one region, for a grouped choice.
type ZoneGroup struct {
	Region string // "Africa", "America", …; "" for UTC
	Zones  []string
}

// TimezoneGroups are Timezones grouped by their region.
func TimezoneGroups() []ZoneGroup {
	var gs []ZoneGroup
	for _, z := range Timezones {
		region, _, _ := strings.Cut(z, "/")
		if z == "UTC" {
			region = ""
		}
		if len(gs) == 0 || gs[len(gs)-1].Region != region {
			gs = append(gs, ZoneGroup{Region: region})
		}
		gs[len(gs)-1].Zones = append(gs[len(gs)-1].Zones, z)
	}
	return gs
}

// CheckTimezone returns why s is not a time zone a clinic may choose, or "".
// Any zone of the IANA database is accepted (an old name such as
// Asia/Calcutta too), but not "Local": the server's zone is no clinic's.
func CheckTimezone(s string) string {
	if s == "" {
		return "Choose the clinic's time zone."
	}
	if _, err := time.LoadLocation(s); err != nil || s == "Local" {
		return "Choose a time zone from the list, such as Europe/London or Africa/Nairobi."
	}
	return ""
}
