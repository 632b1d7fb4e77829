package patients_test

import (
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"strconv"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules/patients"
)

const (
	benchClinics  = 5
	benchPatients = 1000 // per clinic
)

var (
	benchFirst = []string{"Amina", "John", "Jon", "Maria", "María", "Wei", "Fatima", "Olusegun", "Chloé", "Liam", "Noah", "Aisha",
		"Ravi", "Priya", "José", "Zoë", "Kwame", "Grace", "Mohammed", "Elena", "Hiroshi", "Yuki", "Sipho", "Lerato", "Ana"}
	benchLast = []string{"Okafor", "Smith", "Doe", "García", "Wang", "Khan", "Adeyemi", "Dubois", "Murphy", "Johnson", "Mensah",
		"Patel", "Sharma", "Núñez", "Müller", "Tanaka", "Smithson", "Dlamini", "Nkosi", "Silva", "Kowalski", "Haddad", "Cohen"}
)

// benchPatient is the i-th made-up patient of clinic c: deterministic, so
// runs compare.
func benchPatient(c, i int) patients.Patient {
	p := newPatient(benchFirst[(i+c)%len(benchFirst)], benchLast[(i*7+c)%len(benchLast)])
	p.DateOfBirth = time.Date(1940+i%80, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	p.Sex = patients.Sexes[i%3].Value
	p.Phone = fmt.Sprintf("+1 555 %03d %04d", (i*37+c)%1000, i)
	if i%3 == 0 {
		p.Email = fmt.Sprintf("%s.%s%d@example.com", text.Fold(p.FirstName), text.Fold(p.LastName), i)
	}
	if i%5 == 0 {
		p.Allergies = []string{"Penicillin"}
	}
	p.Address = fmt.Sprintf("%d Market Street", i%300+1)
	p.Active = i%50 != 0
	return p
}

// BenchmarkListPage measures one patient list page (and one search) through
// real HTTP on the embedded database holding 5 clinics × 1,000 patients,
// signed in as clinic 1's admin. Each page and search is an index range
// scan, so ns/op should not grow with the other clinics' patients; round
// trips and allocations are the figures to watch.
func BenchmarkListPage(b *testing.B) {
	setup := time.Now()
	s := startServer(b)
	var clinics []*apptest.Clinic
	for c := range benchClinics {
		cl := s.NewClinic(b, "clinic"+strconv.Itoa(c+1))
		ps := make([]patients.Patient, benchPatients)
		for i := range ps {
			ps[i] = benchPatient(c, i)
		}
		insertPatients(b, cl.DB, ps)
		clinics = append(clinics, cl)
	}
	host := clinics[0].Host
	b.Logf("setup: %d clinics × %d patients in %s", benchClinics, benchPatients, time.Since(setup).Round(time.Millisecond))

	run := func(b *testing.B, path func(i int) string) {
		c := s.Client(b)
		c.SignIn(host, clinics[0].Admin.Email, apptest.Password)
		c.Get(host, path(0)) // warm the policy and tenant caches
		b.ReportAllocs()
		b.ResetTimer()
		before := s.DB.Commands()
		i := 0
		for b.Loop() {
			r := c.Get(host, path(i))
			if r.StatusCode != 200 {
				b.Fatalf("GET %s: %d", path(i), r.StatusCode)
			}
			i++
		}
		b.ReportMetric(float64(s.DB.Commands()-before)/float64(b.N), "roundtrips/op")
	}
	b.Run("page", func(b *testing.B) {
		run(b, func(i int) string { return "/patients?page=" + strconv.Itoa(i%40+1) })
	})
	b.Run("search=smi", func(b *testing.B) {
		run(b, func(i int) string { return "/patients?q=smi&page=" + strconv.Itoa(i%4+1) })
	})
}
