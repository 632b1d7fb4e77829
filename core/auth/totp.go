package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/wardclinic/ward/core/db"
)

// RecoveryCodeCount is how many one-time recovery codes a user gets.
const RecoveryCodeCount = 10

// ErrCodeInvalid is a wrong, expired or already used code.
var ErrCodeInvalid = errors.New("auth: code invalid")

// TOTPSetup is what a user needs to add Ward to an authenticator app.
type TOTPSetup struct {
	Secret string // base32, for typing in by hand
	URL    string // otpauth:// URL
	// QR is a data: URL of a PNG QR code. It is template.URL because
	// html/template refuses data: URLs in plain strings; this one is built
	// here from our own PNG bytes.
	QR template.URL
}

// NewTOTP generates a new secret for the user (not yet enabled).
func NewTOTP(clinic, email string) (TOTPSetup, error) { return totpSetup(clinic, email, nil) }

// TOTPSetupFor shows again the set-up of a secret already shown (the form
// came back with an error: the person need not scan a new code).
func TOTPSetupFor(clinic, email, secret string) (TOTPSetup, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil || len(raw) < 10 {
		return NewTOTP(clinic, email)
	}
	return totpSetup(clinic, email, raw)
}

func totpSetup(clinic, email string, secret []byte) (TOTPSetup, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Ward " + clinic, AccountName: email, Secret: secret})
	if err != nil {
		return TOTPSetup{}, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPSetup{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL(), QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))}, nil
}

// codeStep returns the 30-second step whose code matches, allowing one step
// of clock drift either way.
func codeStep(secret, code string, now time.Time) (int64, bool) {
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		t := now.Add(d)
		ok, _ := totp.ValidateCustom(strings.TrimSpace(code), secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if ok {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// claimStep uses up the user's code of one 30-second step.
func claimStep(ctx context.Context, tdb *db.Tenant, userID string, step int64, now time.Time) error {
	err := tdb.Claim(ctx, "totp", fmt.Sprintf("%s:%d", userID, step), now)
	if errors.Is(err, db.ErrClaimed) {
		return ErrCodeInvalid
	}
	return err
}

// EnableTOTP turns the second factor on once the user proved their app
// produces codes for secret, and returns the recovery codes (shown once).
func EnableTOTP(ctx context.Context, tdb *db.Tenant, userID, secret, code string, now time.Time) ([]string, error) {
	step, ok := codeStep(secret, code, now)
	if !ok {
		return nil, ErrCodeInvalid
	}
	// The code that turned the factor on is used: it cannot sign in too.
	if err := claimStep(ctx, tdb, userID, step, now); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 5)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c := strings.ToLower(fmt.Sprintf("%x", b))
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = hashToken(codes[i])
	}
	err := update(ctx, tdb, userID, db.Set("totpEnabled", true).Set("totpSecret", secret).
		Set("recoveryCodes", hashes).Set("updatedAt", now))
	return codes, err
}

// DisableTOTP turns the second factor off.
func DisableTOTP(ctx context.Context, tdb *db.Tenant, userID string, now time.Time) error {
	return update(ctx, tdb, userID, db.Set("totpEnabled", false).Set("totpSecret", "").
		Set("recoveryCodes", []string{}).Set("updatedAt", now))
}

// VerifySecondFactor accepts a current TOTP code or an unused recovery code.
// Each code works once: using it claims it, so a code seen over someone's
// shoulder cannot be replayed.
func VerifySecondFactor(ctx context.Context, tdb *db.Tenant, u *User, code string, now time.Time) error {
	code = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if u.TOTPEnabled && len(code) == 6 {
		if step, ok := codeStep(u.TOTPSecret, code, now); ok {
			return claimStep(ctx, tdb, u.ID, step, now)
		}
	}
	h := hashToken(code)
	for _, rc := range u.RecoveryCodes {
		if subtle.ConstantTimeCompare([]byte(rc), []byte(h)) == 1 {
			if err := tdb.Claim(ctx, "recovery-code", u.ID+":"+h, now); err != nil {
				return ErrCodeInvalid
			}
			return nil
		}
	}
	return ErrCodeInvalid
}
