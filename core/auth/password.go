// Package auth knows Ward's staff accounts: users, their passwords and
// profiles. Sign-in and sessions build on it.
package auth

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/bcrypt"
)

// Password length limits (NIST SP 800-63B-4: at least 15 characters for a
// password used alone; accept at least 64).
const (
	MinPassword = 15
	MaxPassword = 64
)

// zxcvbnRunes is how much of a password the strength estimate reads.
const zxcvbnRunes = 40

// DefaultHashCost is bcrypt's work factor for new hashes unless
// configuration says otherwise (PASSWORD_HASH_COST).
const DefaultHashCost = 11

// hashCost is the work factor new hashes get: set once at start.
var hashCost atomic.Int32

func init() { hashCost.Store(DefaultHashCost) }

// SetHashCost sets bcrypt's work factor for new hashes (4 to 31). Existing
// hashes keep theirs: a hash records the cost it was made with.
func SetHashCost(cost int) {
	hashCost.Store(int32(min(max(cost, bcrypt.MinCost), bcrypt.MaxCost)))
}

// HashPassword returns the bcrypt hash of a password. bcrypt reads at most
// 72 bytes, and 64 characters of some scripts are longer than that: the
// password is first reduced with SHA-256 (base64, 44 bytes), so every
// character counts and nothing is silently cut off.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", errors.New("auth: empty password")
	}
	h, err := bcrypt.GenerateFromPassword(prehash(password), int(hashCost.Load()))
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), prehash(password)) == nil
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// CheckNewPassword returns why a new password is not acceptable, or "". The
// rules follow NIST SP 800-63B-4: a minimum length, no composition rules, and
// no password that is common, breached or built from the person's own
// details (the clinic's name, their email). The common-password list is the
// one the zxcvbn estimator ships; its score also catches repeats, keyboard
// walks and sequences ("passwordpassword", "qwertyuiopasdfgh").
func CheckNewPassword(password string, personal ...string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n == 0:
		return "Choose a password."
	case n < MinPassword:
		return "Use at least 15 characters. A few unrelated words make a strong password that is easy to remember."
	case n > MaxPassword:
		return "Use at most 64 characters."
	}
	lower := strings.ToLower(password)
	var inputs []string
	for _, p := range personal {
		for _, w := range personalWords(p) {
			if len(w) >= 4 && strings.Contains(lower, w) {
				return "Don't use your clinic's name or your email address in the password."
			}
			inputs = append(inputs, w)
		}
	}
	// zxcvbn's estimate breaks down on long non-Latin text (it scores a
	// random 60-character CJK passphrase 0); its first 40 characters are
	// enough to catch every common or patterned password.
	if r := []rune(password); len(r) > zxcvbnRunes {
		password = string(r[:zxcvbnRunes])
	}
	if commonPasswords[strings.ReplaceAll(lower, " ", "")] {
		return "This password is too common or too easy to guess. Try a few unrelated words."
	}
	if zxcvbn.PasswordStrength(password, inputs).Score < 3 {
		return "This password is too common or too easy to guess. Try a few unrelated words."
	}
	return ""
}

// commonPasswords are long passwords known from breaches and password
// lists (common_passwords.txt), which the strength estimate alone lets
// through ("correct horse battery staple").
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ReplaceAll(strings.ToLower(line), " ", "")] = true
		}
	}
	return m
}()

//go:embed common_passwords.txt
var commonPasswordsText string

// personalWords splits a name or email into the lower-case words a password
// must not contain: "Sunrise Clinic" → sunrise, clinic, sunriseclinic;
// "jane.doe@sunrise.com" → jane, doe, janedoe, sunrise.
func personalWords(s string) []string {
	s = strings.ToLower(s)
	local, domain, isEmail := strings.Cut(s, "@")
	if !isEmail {
		local, domain = s, ""
	}
	split := func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127) }
	words := strings.FieldsFunc(local, split)
	if len(words) > 1 {
		words = append(words, strings.Join(words, ""))
	}
	if domain != "" {
		if d := strings.FieldsFunc(domain, split); len(d) > 0 && !commonMailDomain[d[0]] {
			words = append(words, d[0])
		}
	}
	// "clinic" alone would forbid ordinary words; keep it only when it is
	// part of a longer joined name.
	out := words[:0]
	for _, w := range words {
		if !genericWords[w] {
			out = append(out, w)
		}
	}
	return out
}

var commonMailDomain = map[string]bool{"gmail": true, "yahoo": true, "outlook": true, "hotmail": true, "icloud": true, "proton": true, "protonmail": true, "live": true, "mail": true, "aol": true, "gmx": true}

var genericWords = map[string]bool{"clinic": true, "medical": true, "health": true, "center": true, "centre": true, "care": true, "the": true, "and": true, "family": true, "hospital": true}
