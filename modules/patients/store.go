package patients

import (
	"context"
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/core/web"
)

// Collections.
const (
	collection = "patients"
	revisions  = "patient_revisions"
	// sequenceKind names the patient-number sequence (core/db Next).
	sequenceKind = "patient"
)

// kind stores patients as versioned records (core/records).
var kind = records.Kind{Collection: collection, Revisions: revisions, Ref: "patientId"}

// PageSize is how many patients a list page shows.
const PageSize = 25

// Errors the store returns.
var (
	ErrNotFound = records.ErrNotFound
	// ErrConflict: someone saved the patient since the editor loaded it.
	ErrConflict = records.ErrConflict
)

// indexes serve every query below, each branch of an Or on its own:
//   - the list, in its order, and a last-name search: {active, lastKey,
//     firstKey} (a page is a range scan of 25 entries);
//   - a first-name search: {active, firstKey};
//   - numbers (unique: the final word on them, see Create);
//   - a phone typed from its start or its end, an email, a date of birth
//     (search and the duplicate warning);
//   - a patient's revisions by version (unique: saving claims a version,
//     see core/records).
var indexes = append([]db.Index{
	{Collection: collection, Keys: []string{db.TenantField, "active", "lastKey", "firstKey"}},
	{Collection: collection, Keys: []string{db.TenantField, "active", "firstKey"}},
	{Collection: collection, Keys: []string{db.TenantField, "number"}, Unique: true},
	{Collection: collection, Keys: []string{db.TenantField, "phoneDigits"}},
	{Collection: collection, Keys: []string{db.TenantField, "phoneRev"}},
	{Collection: collection, Keys: []string{db.TenantField, "emailKey"}},
	{Collection: collection, Keys: []string{db.TenantField, "dob"}},
}, kind.Indexes()...)

// listOrder is the list's order: by name, and among namesakes by _id (the
// store's tiebreak), that is by registration. Not by number: a search for a
// number is an equality on it, which an index with number after the names
// would not serve.
var listOrder = []db.Order{db.Asc("lastKey"), db.Asc("firstKey")}

// store is the module's data access, always through the clinic's scoped
// handle: every query below is limited to one clinic by construction.
type store struct {
	tdb *db.Tenant
}

func (s store) patients() *db.Collection { return s.tdb.Collection(collection) }

// versions reads and saves patients as versioned records.
func (s store) versions() records.Store[Patient, *Patient] { return records.For[Patient](s.tdb, kind) }

// Query is a list request: what to look for; the page is the pager's.
type Query struct {
	Q        string // name prefix, phone digits, email or patient number
	Archived bool   // show archived patients instead of active ones
}

// MaxPages is how deep the list pages, as every list does (web.MaxPages).
const MaxPages = web.MaxPages

// List returns the page p asks for of the patients matching q, sorted by
// last then first name, and gives p the count: two round trips (count,
// page). The count stops at MaxPages pages (p.More says there are more).
func (s store) List(ctx context.Context, q Query, p *web.Pager) ([]Patient, error) {
	var out []Patient
	err := s.patients().FindPage(ctx, db.And(searchFilter(q.Q), db.Eq("active", !q.Archived)), &out, p, listOrder...)
	return out, err
}

var numberPattern = regexp.MustCompile(`^(?i)p-?0*(\d{1,12})$`)

// searchFilter turns what someone typed into a filter: a patient number
// ("P-000042", "42"), phone digits, an email (a prefix; with "@", or one
// word with dots as in "zoe.nunez"), or name prefixes — every word must
// start the first or the last name, accents and case ignored. Every term is
// an equality or an anchored prefix, so an index serves it.
func searchFilter(q string) db.Filter {
	q = strings.TrimSpace(q)
	if q == "" {
		return db.Filter{}
	}
	if strings.Contains(q, "@") {
		return db.Prefix("emailKey", strings.ToLower(q))
	}
	if m := numberPattern.FindStringSubmatch(q); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return db.Eq("number", n)
	}
	if d := Digits(q); d != "" && len(d)*2 >= len(strings.ReplaceAll(q, " ", "")) {
		n, _ := strconv.ParseInt(d, 10, 64)
		if len(d) < 3 {
			return db.Eq("number", n) // too short for a phone
		}
		// A number may be part of a phone or a patient number.
		or := []db.Filter{phoneDigits(d)}
		if len(d) <= 12 {
			or = append(or, db.Eq("number", n))
		}
		return db.Or(or...)
	}
	var words []db.Filter
	for _, w := range strings.Fields(text.Fold(q)) {
		words = append(words, db.Or(db.Prefix("lastKey", w), db.Prefix("firstKey", w)))
		if len(words) == 4 {
			break
		}
	}
	names := db.And(words...)
	if !strings.ContainsAny(q, " \t") && strings.ContainsAny(q, "._+") {
		// One word with an email's punctuation may be the start of an
		// address too ("zoe.nunez").
		return db.Or(names, db.Prefix("emailKey", strings.ToLower(q)))
	}
	return names
}

// phoneDigits matches phones that start or end with the digits d: people
// type a local number without the country code the record has (its end),
// or the number from its start. The end is found as the start of the
// reversed digits, so both are index ranges, not scans.
func phoneDigits(d string) db.Filter {
	return db.Or(db.Prefix("phoneDigits", d), db.Prefix("phoneRev", reverse(d)))
}

// Get returns the clinic's patient with id.
func (s store) Get(ctx context.Context, id string) (*Patient, error) {
	return s.versions().Get(ctx, id)
}

// Create registers a new patient with the next patient number. The unique
// index on {tenantId, number} is the final word on numbers: a number handed
// out twice (see db.Tenant.Next) fails the insert and the next one is tried.
func (s store) Create(ctx context.Context, p *Patient, by string, now time.Time) error {
	for range 5 {
		n, err := s.tdb.Next(ctx, sequenceKind, now)
		if err != nil {
			return err
		}
		p.Number = n
		if err := s.versions().Create(ctx, p, by, now); !db.IsDuplicate(err) {
			return err
		}
	}
	return fmt.Errorf("patients: create: no free patient number after 5 tries")
}

// Duplicates returns patients who may be the person being registered: the
// same date of birth or phone, and a name at most one typo away (case and
// accents ignored). except is the patient being edited, if any.
func (s store) Duplicates(ctx context.Context, first, last string, dob time.Time, phone, except string) ([]Patient, error) {
	var or []db.Filter
	if !dob.IsZero() {
		or = append(or, db.Eq("dob", dob))
	}
	if d := Digits(phone); len(d) >= 5 {
		or = append(or, samePhone(d))
	}
	if len(or) == 0 || (first == "" && last == "") {
		return nil, nil
	}
	var candidates []Patient
	if err := s.patients().Find(ctx, db.Or(or...), &candidates, db.FindOptions{Limit: 200}); err != nil {
		return nil, err
	}
	name := text.Fold(first) + " " + text.Fold(last)
	var out []Patient
	for _, c := range candidates {
		if c.ID == except {
			continue
		}
		// One typo, or first and last name swapped ("Doe John").
		if text.EditDistance(name, c.FirstKey+" "+c.LastKey) <= 1 || text.EditDistance(name, c.LastKey+" "+c.FirstKey) <= 1 {
			out = append(out, c)
		}
		if len(out) == 5 {
			break
		}
	}
	return out, nil
}

// phoneTail is how many trailing digits make two phones the same: enough
// for a subscriber number, few enough to ignore a country or trunk prefix
// ("+1 555 123 4567" and "(555) 123-4567").
const phoneTail = 9

// samePhone matches phones that end in the same digits as d: their
// reversed digits start with d's reversed tail.
func samePhone(d string) db.Filter {
	if len(d) > phoneTail {
		d = d[len(d)-phoneTail:]
	}
	return db.Prefix("phoneRev", reverse(d))
}

// reverse reverses a string of ASCII digits.
func reverse(d string) string {
	b := []byte(d)
	slices.Reverse(b)
	return string(b)
}
