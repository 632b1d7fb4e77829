package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardclinic/ward/core/auth"
)

// cjk64 is 64 CJK characters: 192 bytes, far beyond bcrypt's 72.
const cjk64 = "敏捷的棕色狐狸跳过了懒狗然后在河边的老橡树下安静地睡着了直到第二天早上太阳升起来的时候才慢慢醒过来发现自己已经迷路了必须赶紧找到"

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "tidal ginger lantern orbit"
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(h, pw) {
		t.Error("the password does not check against its hash")
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != auth.DefaultHashCost {
		t.Errorf("bcrypt cost %d (%v)", cost, err)
	}
	if strings.Contains(h, pw) {
		t.Error("the hash contains the password")
	}
	for _, wrong := range []string{"tidal ginger lantern orbi", "tidal ginger lantern orbit ", "Tidal ginger lantern orbit"} {
		if auth.CheckPassword(h, wrong) {
			t.Errorf("%q checks against the hash of %q", wrong, pw)
		}
	}
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !auth.CheckPassword(h2, pw) {
		t.Error("second hash does not check")
	}
}

// A configured cost applies to new hashes; hashes made at another cost
// still check. Not parallel: the cost is the process's.
func TestSetHashCost(t *testing.T) {
	old, err := auth.HashPassword("tidal ginger lantern orbit")
	if err != nil {
		t.Fatal(err)
	}
	auth.SetHashCost(5)
	defer auth.SetHashCost(auth.DefaultHashCost)
	h, err := auth.HashPassword("tidal ginger lantern orbit")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != 5 {
		t.Errorf("cost %d, want 5", cost)
	}
	if !auth.CheckPassword(old, "tidal ginger lantern orbit") || !auth.CheckPassword(h, "tidal ginger lantern orbit") {
		t.Error("a hash of either cost does not check")
	}
}

func TestHashPasswordLongPasswordsAreNotTruncated(t *testing.T) {
	if n := utf8.RuneCountInString(cjk64); n != 64 || len(cjk64) <= 72 {
		t.Fatalf("cjk64: %d characters, %d bytes", n, len(cjk64))
	}
	h, err := auth.HashPassword(cjk64)
	if err != nil {
		t.Fatalf("64 CJK characters (%d bytes): %v", len(cjk64), err)
	}
	if !auth.CheckPassword(h, cjk64) {
		t.Fatal("the CJK password does not check")
	}
	r := []rune(cjk64)
	r[len(r)-1] = '走'
	if auth.CheckPassword(h, string(r)) {
		t.Error("changing only the last character still checks: the password is truncated")
	}
	// Likewise for ASCII beyond 72 bytes: the first 72 bytes are equal.
	long := strings.Repeat("abcdefgh", 10) // 80 bytes
	h, err = auth.HashPassword(long + "1")
	if err != nil {
		t.Fatal(err)
	}
	if auth.CheckPassword(h, long+"2") {
		t.Error("passwords equal in their first 80 bytes check against each other")
	}
}

// Long passwords in scripts of multi-byte characters are as acceptable as
// Latin ones: the length rule counts characters and the strength estimate
// must not misjudge them (zxcvbn scores long CJK text 0).
func TestCheckNewPasswordAcceptsLongCJK(t *testing.T) {
	r := []rune(cjk64)
	var refused []int
	for n := auth.MinPassword; n <= len(r); n++ {
		if msg := auth.CheckNewPassword(string(r[:n])); msg != "" {
			refused = append(refused, n)
		}
	}
	if len(refused) > 0 {
		t.Errorf("CJK passwords of these lengths are refused as weak: %v (e.g. %d characters, %d bytes: %q)",
			refused, refused[0], len(string(r[:refused[0]])), auth.CheckNewPassword(string(r[:refused[0]])))
	}
}

func TestHashPasswordRefusesEmpty(t *testing.T) {
	if h, err := auth.HashPassword(""); err == nil || h != "" {
		t.Errorf("HashPassword(\"\") = %q, %v", h, err)
	}
	if auth.CheckPassword("", "") || auth.CheckPassword("", "x") {
		t.Error("an empty hash checks")
	}
	if auth.CheckPassword("not a bcrypt hash", "not a bcrypt hash") {
		t.Error("a malformed hash checks")
	}
}

func TestCheckNewPassword(t *testing.T) {
	const (
		ok       = ""
		empty    = "Choose a password."
		short    = "Use at least 15 characters. A few unrelated words make a strong password that is easy to remember."
		long     = "Use at most 64 characters."
		personal = "Don't use your clinic's name or your email address in the password."
		weak     = "This password is too common or too easy to guess. Try a few unrelated words."
	)
	tests := []struct {
		name, pw string
		personal []string
		want     string
	}{
		{"empty", "", nil, empty},
		{"length counts characters, not bytes: 14 CJK", string([]rune(cjk64)[:14]), nil, short},
		{"length counts characters, not bytes: 65 CJK", cjk64 + "走", nil, long},
		{"64 characters", strings.Repeat("tidal gin ", 6) + "ocea", nil, ok},
		{"only spaces", strings.Repeat(" ", 20), nil, weak},
		{"a dictionary word repeated", "monkeymonkeymonkey", nil, weak},
		{"a sequence", "abcdefghijklmnop", nil, weak},
		{"a good passphrase", "tidal ginger lantern orbit", nil, ok},
		{"a famous passphrase (the shipped list)", "correct horse battery staple", nil, weak},
		{"a breached keyboard walk (the shipped list)", "1q2w3e4r5t6y7u8i9o", nil, weak},
		{"the shipped list ignores case and spaces", "Correct Horse BatteryStaple", nil, weak},
		{"personal: clinic name", "the sunrise lantern orbit", []string{"Sunrise Clinic"}, personal},
		{"personal: case-insensitive", "THE SUNRISE LANTERN ORBIT", []string{"Sunrise Clinic"}, personal},
		{"personal: joined clinic name", "sunriseclinic lantern orbit", []string{"Sunrise Clinic"}, personal},
		{"personal: a generic word of the name is allowed", "clinic lantern tidal orbit", []string{"Sunrise Clinic"}, ok},
		{"personal: short words are allowed", "the ada lantern tidal orbit", []string{"Ada Bo"}, ok},
		{"personal: email local part", "okonkwo lantern tidal orbit", []string{"okonkwo@gmail.com"}, personal},
		{"personal: dotted email local part joined", "janedoe lantern tidal orbit", []string{"jane.doe@gmail.com"}, personal},
		{"personal: email's own domain", "brightwater lantern orbit", []string{"ada@brightwater.org"}, personal},
		{"personal: a common mail provider is allowed", "gmail lantern tidal orbit", []string{"ada@gmail.com"}, ok},
		{"personal: subdomain", "moonbeam lantern tidal orbit", []string{"moonbeam"}, personal},
		{"personal: any of several", "okafor lantern tidal orbit", []string{"Sunrise Clinic", "ada@gmail.com", "Ada Okafor", "sunrise"}, personal},
		{"personal: empty details are ignored", "tidal ginger lantern orbit", []string{"", " ", "@"}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.CheckNewPassword(tt.pw, tt.personal...); got != tt.want {
				t.Errorf("CheckNewPassword(%q, %q) = %q, want %q", tt.pw, tt.personal, got, tt.want)
			}
		})
	}
}
