package policies

import (
	"strings"
	"testing"
	"time"
)

// The plans file: a 7-day trial, monthly and yearly for sale, a 7-day
// grace.
func TestSubscriptionPlans(t *testing.T) {
	ps := SubscriptionPlans()
	if ps.GraceDays != 7 {
		t.Errorf("grace %d days", ps.GraceDays)
	}
	trial := ps.Trial()
	start := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	if trial.Key != "trial" || trial.Price != 0 || !trial.End(start).Equal(start.AddDate(0, 0, 7)) {
		t.Errorf("trial = %+v", trial)
	}
	var keys []string
	for _, p := range ps.ForSale() {
		keys = append(keys, p.Key)
		if p.Price <= 0 || p.Currency == "" || p.Description == "" {
			t.Errorf("plan %+v", p)
		}
	}
	if strings.Join(keys, ",") != "monthly,yearly" {
		t.Errorf("for sale: %v", keys)
	}
	if m, ok := ps.Find("monthly"); !ok || !m.End(start).Equal(time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("monthly = %+v %v", m, ok)
	}
	if _, ok := ps.Find("nope"); ok {
		t.Error("found a plan that does not exist")
	}
}

// A period of months ends on the same day of the month, or on the last
// day of a month that has no such day; days are added after the months.
func TestPlanEnd(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, time.UTC) }
	monthly := Plan{Months: 1}
	yearly := Plan{Months: 12}
	for _, tc := range []struct {
		name     string
		plan     Plan
		from, to time.Time
	}{
		{"monthly, mid-month", monthly, at(2026, 3, 15), at(2026, 4, 15)},
		{"monthly, 31 January to February's end", monthly, at(2026, 1, 31), at(2026, 2, 28)},
		{"monthly, 31 January in a leap year", monthly, at(2028, 1, 31), at(2028, 2, 29)},
		{"monthly, 31 March to 30 April", monthly, at(2026, 3, 31), at(2026, 4, 30)},
		{"monthly, 28 February to 28 March", monthly, at(2026, 2, 28), at(2026, 3, 28)},
		{"monthly, December into January", monthly, at(2026, 12, 31), at(2027, 1, 31)},
		{"yearly, 29 February to 28 February", yearly, at(2028, 2, 29), at(2029, 2, 28)},
		{"yearly, ordinary day", yearly, at(2026, 3, 2), at(2027, 3, 2)},
		{"days", Plan{Days: 7}, at(2026, 1, 31), at(2026, 2, 7)},
		{"months and days", Plan{Months: 1, Days: 1}, at(2026, 1, 31), at(2026, 3, 1)},
	} {
		if got := tc.plan.End(tc.from); !got.Equal(tc.to) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.to)
		}
	}
}

// A plans file that makes no sense stops start-up with what is wrong.
func TestParsePlansRefuses(t *testing.T) {
	const trial = `{"key":"trial","name":"Trial","days":7,"price":0,"currency":"USD","trial":true}`
	for _, tc := range []struct{ file, want string }{
		{`{`, "unexpected end"},
		{`{"graceDays":-1,"plans":[` + trial + `]}`, "graceDays"},
		{`{"graceDays":7,"plans":[` + trial + `]}`, "no plan for sale"},
		{`{"graceDays":7,"plans":[{"key":"m","name":"M","months":1,"price":100,"currency":"USD"}]}`, "0 trial plans"},
		{`{"graceDays":7,"plans":[` + trial + `,` + trial + `]}`, "listed twice"},
		{`{"graceDays":7,"plans":[` + trial + `,{"key":"Monthly","name":"M","months":1,"price":100,"currency":"USD"}]}`, "plan key"},
		{`{"graceDays":7,"plans":[` + trial + `,{"key":"m","name":"M","price":100,"currency":"USD"}]}`, "length"},
		{`{"graceDays":7,"plans":[` + trial + `,{"key":"m","name":"M","months":1,"price":0,"currency":"USD"}]}`, "price"},
		{`{"graceDays":7,"plans":[` + trial + `,{"key":"m","name":"M","months":1,"price":100,"currency":"usd"}]}`, "currency"},
		{`{"graceDays":7,"plans":[` + trial + `,{"key":"m","months":1,"price":100,"currency":"USD"}]}`, "no name"},
	} {
		if _, err := parsePlans([]byte(tc.file)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.file, err, tc.want)
		}
	}
}
