package auth_test

import (
	"testing"
	"time"

	"github.com/wardclinic/ward/core/auth"
)

// After five failures from unknown devices each further check waits
// 2^(n-5) seconds after the last one, at most 15 minutes.
func TestDelay(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0},
		{1, 0},
		{4, 0},
		{5, time.Second},
		{6, 2 * time.Second},
		{7, 4 * time.Second},
		{8, 8 * time.Second},
		{10, 32 * time.Second},
		{12, 128 * time.Second},
		{14, 512 * time.Second},
		{15, 15 * time.Minute}, // 1024 s, capped
		{16, 15 * time.Minute},
		{40, 15 * time.Minute},
		{100, 15 * time.Minute}, // no overflow
		{1 << 40, 15 * time.Minute},
	} {
		if got := auth.Delay(tc.failures); got != tc.want {
			t.Errorf("Delay(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestWaitText(t *testing.T) {
	for _, tc := range []struct {
		wait time.Duration
		want string
		secs int
	}{
		{time.Millisecond, "1 second", 1},
		{time.Second, "1 second", 1},
		{1500 * time.Millisecond, "2 seconds", 2},
		{59 * time.Second, "59 seconds", 59},
		{60 * time.Second, "1 minute", 60},
		{61 * time.Second, "2 minutes", 61},
		{512 * time.Second, "9 minutes", 512},
		{15 * time.Minute, "15 minutes", 900},
	} {
		if got := auth.WaitText(tc.wait); got != tc.want {
			t.Errorf("WaitText(%v) = %q, want %q", tc.wait, got, tc.want)
		}
		if got := auth.WaitSeconds(tc.wait); got != tc.secs {
			t.Errorf("WaitSeconds(%v) = %d, want %d", tc.wait, got, tc.secs)
		}
	}
}
