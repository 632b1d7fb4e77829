package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
)

// Binding is what core knows of a clinic request that its audit entries
// carry. Handlers never fill it: they record through For, so an entry can
// name no clinic, person or time but the request's.
type Binding struct {
	Clinic     *db.Tenant // the request's clinic: its log is the one written
	ActorID    string     // the signed-in user; empty before anyone is
	ActorEmail string
	Clock      clock.Clock // the time of each entry
	Actions    *Catalogue  // the declared actions, the only ones recorded (nil: not checked)
}

type bindingKey struct{}

// Bind returns ctx carrying b. Core's access middleware binds every clinic
// request, public ones included, once it knows who is signed in.
func Bind(ctx context.Context, b Binding) context.Context {
	if b.Clinic == nil || b.Clock == nil {
		panic("audit: Bind needs the request's clinic and a clock")
	}
	return context.WithValue(ctx, bindingKey{}, &b)
}

var (
	// ErrNotBound is returned by Record on a request core did not bind:
	// one that is not to a clinic route has no log to write to.
	ErrNotBound = errors.New("audit: request not bound to a clinic")
	// ErrUndeclared is returned by Record for an action no part of Ward
	// declared (see Catalogue).
	ErrUndeclared = errors.New("audit: action not declared")
)

// Recorder writes the audit entries of one request.
type Recorder struct {
	ctx        context.Context
	b          *Binding
	ip         string
	actorID    string
	actorEmail string
}

// For returns the recorder of c's request: entries go to the request's
// clinic, by the signed-in person, from the client's address, at the
// clock's time.
func For(c *gin.Context) Recorder {
	ctx := c.Request.Context()
	b, _ := ctx.Value(bindingKey{}).(*Binding)
	r := Recorder{ctx: ctx, b: b, ip: c.ClientIP()}
	if b != nil {
		r.actorID, r.actorEmail = b.ActorID, b.ActorEmail
	}
	return r
}

// As returns r with another actor: a sign-in is recorded before anyone is
// signed in, by the person it is for (userID is empty when the email
// matches nobody).
func (r Recorder) As(userID, email string) Recorder {
	r.actorID, r.actorEmail = userID, email
	return r
}

// Detail is what an entry says besides its action and target.
type Detail struct{ before, after, label string }

// Change is a detail naming what something was and what it became.
func Change(before, after string) Detail { return Detail{before: before, after: after} }

// Note is a detail in a few words: what was made, or why a sign-in failed.
func Note(text string) Detail { return Detail{after: text} }

// Label is a detail naming the target as people know it, as it is now:
// "John Doe (P-000001)", "Consultation (CONS)". The log's sentence shows
// it ("… changed the record of John Doe (P-000001)"); a later rename does
// not change what the entry says.
func Label(text string) Detail { return Detail{label: text} }

// Record appends one entry: action (a declared code) done to target
// ("user:<id>", "role:doctor"; empty when it was done to nothing in
// particular), with the details given. A failure is logged and returned:
// callers doing something that must be audited fail too.
func (r Recorder) Record(action, target string, details ...Detail) error {
	e := Entry{Action: action, Target: target}
	for _, d := range details {
		if d.label != "" {
			e.Label = d.label
			continue
		}
		e.Before, e.After = d.before, d.after
	}
	return r.write(e)
}

// write fills in what the request knows and appends e.
func (r Recorder) write(e Entry) error {
	var err error
	switch {
	case r.b == nil:
		err = ErrNotBound
	case r.b.Actions != nil && !r.b.Actions.Has(e.Action):
		err = ErrUndeclared
	}
	if err != nil {
		logging.FromContext(r.ctx).Error().Err(err).Str("action", e.Action).Msg("audit entry not recorded")
		return fmt.Errorf("%w: %q", err, e.Action)
	}
	e.At, e.ActorID, e.ActorEmail, e.IP = r.b.Clock.Now(), r.actorID, r.actorEmail, r.ip
	return insert(r.ctx, r.b.Clinic, e)
}
