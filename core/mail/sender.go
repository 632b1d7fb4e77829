package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	gomail "github.com/wneessen/go-mail"

	"github.com/wardclinic/ward/core/db"
)

// StatusLogged marks a message written to the log because no SMTP server is
// configured; it stays in the outbox.
const StatusLogged = "logged"

// MaxAttempts is how often delivery is tried before a message is failed.
const MaxAttempts = 5

// Sender delivers queued mail from every clinic's outbox.
type Sender struct {
	store  *db.Store
	log    zerolog.Logger
	from   string
	client func() (*gomail.Client, error) // nil: no SMTP, log only
}

// NewSender returns a sender for smtpURL ("" logs mail instead of sending).
// smtp:// uses STARTTLS when the server offers it; smtps:// uses TLS.
func NewSender(store *db.Store, log zerolog.Logger, smtpURL, from string) (*Sender, error) {
	s := &Sender{store: store, log: log.With().Str("component", "mail").Logger(), from: from}
	if smtpURL == "" {
		return s, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP_URL: %w", err)
	}
	opts := []gomail.Option{gomail.WithTimeout(20 * time.Second)}
	port, _ := strconv.Atoi(u.Port())
	switch u.Scheme {
	case "smtps":
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		if port == 0 {
			port = 587
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	host := u.Hostname()
	s.client = func() (*gomail.Client, error) { return gomail.NewClient(host, opts...) }
	return s, nil
}

// SendQueued delivers up to limit queued messages. Each delivery attempt is
// claimed first ({message, attempt} inserted against a unique index), so two
// instances never send the same message twice.
func (s *Sender) SendQueued(ctx context.Context, limit int64, now time.Time) (int, error) {
	var queued []Message
	out := s.store.Platform("deliver every clinic's mail").Collection(Collection)
	if err := out.Find(ctx, db.Eq("status", StatusQueued), &queued, db.FindOptions{Sort: []db.Order{db.Asc("createdAt")}, Limit: limit}); err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range queued {
		tdb := s.store.ForTenant(m.TenantID)
		attempt := m.Attempts + 1
		if err := tdb.Claim(ctx, "mail-send", fmt.Sprintf("%s:%d", m.ID, attempt), now); errors.Is(err, db.ErrClaimed) {
			continue
		} else if err != nil {
			return sent, err
		}
		status, sendErr := s.deliver(ctx, m)
		if sendErr != nil {
			s.log.Warn().Err(sendErr).Str("mail_id", m.ID).Int("attempt", attempt).Msg("mail not delivered")
			status = StatusQueued
			if attempt >= MaxAttempts {
				status = StatusFailed
			}
		} else {
			sent++
		}
		set := db.Set("status", status).Set("attempts", attempt)
		if status == StatusSent {
			set = set.Set("sentAt", now)
		}
		if _, err := tdb.Collection(Collection).Update(ctx, db.ID(m.ID), set); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (s *Sender) deliver(ctx context.Context, m Message) (string, error) {
	if s.client == nil {
		// No SMTP server: the operator reads mail in the log (and the outbox).
		s.log.Info().Str("tenant_id", m.TenantID).Str("to", m.To).Str("subject", m.Subject).Str("body", m.Text).Msg("mail (SMTP_URL unset: not sent)")
		return StatusLogged, nil
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return "", err
	}
	if err := msg.To(m.To); err != nil {
		return "", err
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if err := attach(msg, m.Attachments); err != nil {
		return "", err
	}
	c, err := s.client()
	if err != nil {
		return "", err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", err
	}
	return StatusSent, nil
}

// attach adds the message's attachments to msg.
func attach(msg *gomail.Msg, as []Attachment) error {
	for _, a := range as {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return fmt.Errorf("mail: attachment %s: %w", a.Name, err)
		}
	}
	return nil
}
