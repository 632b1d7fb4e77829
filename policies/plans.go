package policies

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"
)

//go:embed plans.json
var plansFile []byte

// Plan is one subscription plan a clinic can be on.
type Plan struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Days or Months is how long one payment (or the trial) lasts.
	Days   int `json:"days"`
	Months int `json:"months"`
	// Price is in minor units of Currency (cents): 4900 USD is USD 49.00.
	Price    int64  `json:"price"`
	Currency string `json:"currency"`
	// Trial is the plan a new clinic starts on; it is not for sale.
	Trial bool `json:"trial"`
}

// End is when a period of the plan that starts at from ends: Months
// calendar months later (at the same time of day, in from's location),
// then Days days. A month that has no such day ends on its last day: a
// monthly period from 31 January ends on 28 (or 29) February and a yearly
// one from 29 February on 28 February, never spilling into the month
// after as time.AddDate would (3 March). The next period counts from that
// end, so a clinic that keeps paying on time renews on the 28th from then
// on: it is never charged twice in one calendar month.
func (p Plan) End(from time.Time) time.Time {
	return addMonths(from, p.Months).AddDate(0, 0, p.Days)
}

// addMonths adds n calendar months to t, ending on the month's last day
// when t's day does not exist in it.
func addMonths(t time.Time, n int) time.Time {
	if n == 0 {
		return t
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Plans are Ward's plans and how long a lapsed clinic stays readable.
type Plans struct {
	GraceDays int    `json:"graceDays"`
	List      []Plan `json:"plans"`
}

// Find returns the plan with key.
func (ps Plans) Find(key string) (Plan, bool) {
	i := slices.IndexFunc(ps.List, func(p Plan) bool { return p.Key == key })
	if i < 0 {
		return Plan{}, false
	}
	return ps.List[i], true
}

// Trial is the plan new clinics start on.
func (ps Plans) Trial() Plan {
	i := slices.IndexFunc(ps.List, func(p Plan) bool { return p.Trial })
	return ps.List[i] // check makes sure there is one
}

// ForSale are the plans a clinic can pay for, in the file's order.
func (ps Plans) ForSale() []Plan {
	var out []Plan
	for _, p := range ps.List {
		if !p.Trial {
			out = append(out, p)
		}
	}
	return out
}

// SubscriptionPlans returns Ward's plans (policies/plans.json). The file
// is read once; Check reports a file that does not parse or makes no sense.
func SubscriptionPlans() Plans {
	ps, err := parsedPlans()
	if err != nil {
		panic(err)
	}
	return Plans{GraceDays: ps.GraceDays, List: slices.Clone(ps.List)}
}

var (
	planKey  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	currency = regexp.MustCompile(`^[A-Z]{3}$`)
)

var parsedPlans = sync.OnceValues(func() (Plans, error) {
	ps, err := parsePlans(plansFile)
	if err != nil {
		return Plans{}, fmt.Errorf("policies: plans.json: %w", err)
	}
	return ps, nil
})

// parsePlans reads and checks a plans file: unique keys, one trial, a
// length and a currency for every plan, a price for every plan for sale.
func parsePlans(b []byte) (Plans, error) {
	var ps Plans
	if err := json.Unmarshal(b, &ps); err != nil {
		return Plans{}, err
	}
	if ps.GraceDays < 0 || ps.GraceDays > 90 {
		return Plans{}, fmt.Errorf("graceDays %d: want 0 to 90", ps.GraceDays)
	}
	seen := map[string]bool{}
	trials := 0
	for _, p := range ps.List {
		switch {
		case !planKey.MatchString(p.Key):
			return Plans{}, fmt.Errorf("plan key %q: lower-case letters, digits and dashes", p.Key)
		case seen[p.Key]:
			return Plans{}, fmt.Errorf("plan %q listed twice", p.Key)
		case p.Name == "":
			return Plans{}, fmt.Errorf("plan %q has no name", p.Key)
		case p.Days < 0 || p.Months < 0 || p.Days+p.Months == 0:
			return Plans{}, fmt.Errorf("plan %q: give its length in days or months", p.Key)
		case !currency.MatchString(p.Currency):
			return Plans{}, fmt.Errorf("plan %q: currency %q is not an ISO 4217 code", p.Key, p.Currency)
		case p.Price < 0 || (!p.Trial && p.Price == 0):
			return Plans{}, fmt.Errorf("plan %q: price %d", p.Key, p.Price)
		}
		seen[p.Key] = true
		if p.Trial {
			trials++
		}
	}
	if trials != 1 {
		return Plans{}, fmt.Errorf("%d trial plans: want exactly one", trials)
	}
	if len(ps.List) == trials {
		return Plans{}, fmt.Errorf("no plan for sale")
	}
	return ps, nil
}
