package patients

import (
	"context"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
)

// Should an older version ever be written last (the version filter is the
// only guard between a save's two writes), settle puts the record back on
// the newest revision.
func TestSettleRestoresTheNewestRevision(t *testing.T) {
	ctx := context.Background()
	srv := apptest.Start(t, apptest.Options{}, New())
	cl := srv.NewClinic(t, "sunrise")
	s := store{cl.DB}
	now := srv.Clock.Now()

	p := Patient{FirstName: "Zoë", LastName: "Núñez", Phone: "555 010 2030"}
	p.normalize()
	if err := s.Create(ctx, &p, "u1", now); err != nil {
		t.Fatal(err)
	}
	v1 := p
	p.Phone = "555 222 2222"
	if err := s.Save(ctx, &p, 1, []string{"phone"}, "u2", now); err != nil {
		t.Fatal(err)
	}
	// The delayed write of version 1 lands last.
	if _, err := s.patients().Replace(ctx, db.ID(p.ID), v1); err != nil {
		t.Fatal(err)
	}
	if err := s.settle(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Phone != "555 222 2222" {
		t.Fatalf("after settle: version %d phone %q, want version 2 with the later phone", got.Version, got.Phone)
	}
	// Opening version 1 from the history still shows it as it was.
	if old, err := s.Revision(ctx, p.ID, 1); err != nil || old.Phone != "555 010 2030" {
		t.Fatalf("revision 1: %+v, %v", old, err)
	}
}
