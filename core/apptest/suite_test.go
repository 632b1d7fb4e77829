package apptest

import (
	"sync/atomic"
	"testing"
)

func testSomethingShort(*testing.T, *Server) {}

func TestTestName(t *testing.T) {
	if got := testName(testSomethingShort); got != "SomethingShort" {
		t.Errorf("testName(testSomethingShort) = %q, want SomethingShort", got)
	}
}

func TestSubdomain(t *testing.T) {
	for _, tc := range []struct{ name, suffix, want string }{
		{"Search", "", "search"},
		{"Searching", "-b", "searching-b"},
		{"Sweep_Routes/With-IDs", "", "withids"},
		{"AVeryLongNameThatGoesOnAndOnAndOnForever", "", "averylongnamethatgoesonandonan"},
		{"AVeryLongNameThatGoesOnAndOnAndOnForever", "-b", "averylongnamethatgoesonandon-b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Subdomain(t, tc.suffix); got != tc.want {
				t.Errorf("Subdomain(%q) = %q, want %q", tc.suffix, got, tc.want)
			}
		})
	}
}

func TestAtOnce(t *testing.T) {
	var ran [8]atomic.Bool
	AtOnce(len(ran), func(i int) { ran[i].Store(true) })
	for i := range ran {
		if !ran[i].Load() {
			t.Errorf("f(%d) did not run", i)
		}
	}
}
