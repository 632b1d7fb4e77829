package settings

import (
	_ "embed"
	"strings"
	"time"
	_ "time/tzdata"

	"golang.org/x/text/currency" // the zone database in the binary: a server without one still knows every zone
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

// maxTimezone is the longest time zone name accepted.
const maxTimezone = 64

// CheckTimezone returns why s is not a time zone a clinic may choose, or "".
// Any zone of the IANA database is accepted (an old name such as
// Asia/Calcutta too), but not "Local" (the server's zone is no clinic's)
// nor a bare abbreviation ("EST").
func CheckTimezone(s string) string {
	if s == "" {
		return "Choose the clinic's time zone."
	}
	if len(s) > maxTimezone || s == "Local" || (s != "UTC" && !strings.Contains(s, "/")) {
		return "Choose a time zone such as Europe/London or America/New_York."
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "Unknown time zone. Choose one such as Europe/London or America/New_York."
	}
	return ""
}

// notMoney are ISO 4217 codes that are not currencies a clinic bills in.
var notMoney = map[string]bool{"XXX": true, "XTS": true, "XAU": true, "XAG": true, "XPD": true, "XPT": true,
	"XDR": true, "XBA": true, "XBB": true, "XBC": true, "XBD": true, "XSU": true, "XUA": true}

// CheckCurrency returns why s (upper case) is not a currency a clinic may
// bill in, or "".
func CheckCurrency(s string) string {
	if s == "" {
		return "Choose the currency the clinic bills in."
	}
	if len(s) != 3 || notMoney[s] {
		return "Use a three-letter ISO 4217 currency code such as USD, EUR or KES."
	}
	if _, err := currency.ParseISO(s); err != nil {
		return "Unknown currency code. Use a three-letter ISO 4217 code such as USD, EUR or KES."
	}
	return ""
}
