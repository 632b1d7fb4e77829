package tenant

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// "Find my clinic" on the platform host mails a person the sign-in links of
// their clinics. Anyone may ask for any address, so requests are counted,
// as sign-ups are (signups.go): from each client address, and per email
// address asked about, so no one's inbox can be filled with Ward's mail.
const (
	FindWindow             = time.Hour
	MaxFindsPerIP          = 20
	MaxFindMailsPerAddress = 3
)

// FindsCollection holds one document per request counted.
const FindsCollection = "clinic_finds"

// FindIndexes serve the counts and the clean-up by age. The counts are the
// platform's, under tenantId "" (as the platform's claims are in core/db):
// a look for a clinic's documents, by tenantId, is served and finds none.
var FindIndexes = []db.Index{
	{Collection: FindsCollection, Platform: true, Keys: []string{db.TenantField, "key", "at"}},
	{Collection: FindsCollection, Platform: true, Keys: []string{"at"}},
}

type find struct {
	ID     string    `bson:"_id"`
	Tenant string    `bson:"tenantId"` // always "": no clinic's
	Key    string    `bson:"key"`
	At     time.Time `bson:"at"`
}

// Finds counts "find my clinic" requests.
type Finds struct {
	coll   *db.Collection
	secret []byte // keys the addresses' hashes
}

// NewFinds returns the counter on store; secret (the session secret) keys
// the hashes of the addresses counted.
func NewFinds(store *db.Store, secret []byte) *Finds {
	return &Finds{coll: store.Platform("find my clinic").Collection(FindsCollection), secret: secret}
}

// FindKeyIP is the key requests from a client address are counted under.
func FindKeyIP(ip string) string { return "ip:" + Network(ip) }

// Network is the part of a client address that names one client for a
// limit: the address itself for IPv4, its /64 for IPv6 (one home or office
// holds a whole /64, and would otherwise have endless addresses to count
// under).
func Network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// KeyEmail is the key the mails to an address are counted under: the
// address's HMAC under the session secret, so the addresses strangers typed
// are not kept, and a copy of the database cannot be searched for one.
func (f *Finds) KeyEmail(email string) string {
	h := hmac.New(sha256.New, f.secret)
	h.Write([]byte(strings.ToLower(email)))
	return "mail:" + hex.EncodeToString(h.Sum(nil))
}

// Allow records one request under key and reports whether it is within max
// in the last FindWindow; if not, it is not counted, and until is when one
// more will be allowed. Like Signups.Begin, it records before counting, so
// requests sent at the same moment count each other.
func (f *Finds) Allow(ctx context.Context, key string, max int64, now time.Time) (ok bool, until time.Time, err error) {
	id := db.NewID()
	if err := f.coll.Insert(ctx, find{ID: id, Key: key, At: now}); err != nil {
		return false, time.Time{}, err
	}
	q := db.And(db.Eq(db.TenantField, ""), db.Eq("key", key), db.Gt("at", now.Add(-FindWindow)))
	n, err := f.coll.Count(ctx, q)
	if err != nil {
		return false, time.Time{}, err
	}
	if n <= max {
		return true, time.Time{}, nil
	}
	until = now.Add(FindWindow)
	var first []find
	if err := f.coll.Find(ctx, q, &first, db.FindOptions{Sort: []db.Order{db.Asc("at")}, Skip: n - 1 - max, Limit: 1}); err == nil && len(first) == 1 {
		until = first[0].At.Add(FindWindow)
	}
	if _, err := f.coll.Delete(context.WithoutCancel(ctx), db.ID(id)); err != nil {
		return false, until, err
	}
	return false, until, nil
}

// DeleteOlderThan removes requests that left the window (clean-up job).
func (f *Finds) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return f.coll.DeleteMany(ctx, db.Lt("at", t))
}

func init() { db.ReservePlatform(FindsCollection) }
