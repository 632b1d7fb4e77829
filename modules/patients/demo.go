package patients

import (
	"context"
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"math/rand/v2"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// SeedDemo registers n made-up patients in a clinic, in batches, so trying
// Ward or measuring it does not need real data. Memory stays flat: one batch
// is held at a time. progress is called after each batch.
func SeedDemo(ctx context.Context, tdb *db.Tenant, n int, seed uint64, now time.Time, progress func(done int)) error {
	const batch = 500
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := store{tdb}.versions()
	for done := 0; done < n; {
		size := min(batch, n-done)
		first, err := tdb.Reserve(ctx, sequenceKind, size, now)
		if err != nil {
			return err
		}
		ps := make([]*Patient, size)
		for i := range ps {
			p := fakePatient(rng, now)
			p.Number, p.Active = first+int64(i), rng.IntN(50) != 0
			p.normalize()
			ps[i] = p
		}
		if err := s.Import(ctx, ps, "demo", now); err != nil {
			return fmt.Errorf("patients: demo: %w", err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

var (
	demoFirst = []string{"Amina", "John", "Jon", "Maria", "María", "Wei", "Fatima", "Olusegun", "Chloé", "Liam", "Noah", "Aisha", "Ravi",
		"Priya", "José", "Zoë", "Kwame", "Grace", "Mohammed", "Elena", "Hiroshi", "Yuki", "Sipho", "Lerato", "Ana", "Lucas", "Emma",
		"Omar", "Nia", "Tomás", "Ingrid", "Björn", "Leila", "David", "Sarah", "Chinedu", "Ngozi", "Pedro", "Ewa", "Mateo"}
	demoLast = []string{"Okafor", "Smith", "Doe", "García", "Wang", "Khan", "Adeyemi", "Dubois", "Murphy", "Johnson", "Mensah",
		"Patel", "Sharma", "Núñez", "Müller", "Tanaka", "Dlamini", "Nkosi", "Silva", "Kowalski", "Haddad", "Cohen", "Ivanova",
		"Nguyen", "Kim", "Osei", "Mwangi", "Otieno", "Rossi", "Andersson", "Jensen", "Hernández", "Lopez", "Brown", "Wilson"}
	demoAllergies = []string{"Penicillin", "Latex", "Peanuts", "Aspirin", "Sulfonamides", "Shellfish", "Ibuprofen", "Eggs"}
	demoStreets   = []string{"Market Street", "Station Road", "Hospital Avenue", "Church Lane", "Riverside Drive", "Garden Close"}
)

func fakePatient(rng *rand.Rand, now time.Time) *Patient {
	p := &Patient{
		FirstName: demoFirst[rng.IntN(len(demoFirst))],
		LastName:  demoLast[rng.IntN(len(demoLast))],
		Sex:       Sexes[rng.IntN(3)].Value,
		Allergies: []string{},
	}
	age := rng.IntN(90*365) + 1
	p.DateOfBirth = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -age)
	if rng.IntN(10) != 0 {
		p.Phone = fmt.Sprintf("+1 555 %03d %04d", rng.IntN(1000), rng.IntN(10000))
	}
	if rng.IntN(3) == 0 {
		p.Email = fmt.Sprintf("%s.%s%d@example.com", text.Fold(p.FirstName), text.Fold(p.LastName), rng.IntN(100))
	}
	p.Address = fmt.Sprintf("%d %s", rng.IntN(300)+1, demoStreets[rng.IntN(len(demoStreets))])
	for range rng.IntN(5) / 3 {
		p.Allergies = append(p.Allergies, demoAllergies[rng.IntN(len(demoAllergies))])
	}
	return p
}
