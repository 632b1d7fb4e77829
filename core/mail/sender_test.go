package mail_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
)

// inbox is a real SMTP server on 127.0.0.1 that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	From string
	To   []string
	Data string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b   *inbox
	cur received
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

func startSMTP(t *testing.T) (*inbox, string) {
	t.Helper()
	b := &inbox{}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return b, "smtp://" + ln.Addr().String()
}

func openStore(t *testing.T) *db.Store {
	t.Helper()
	s, err := db.Open(db.Options{DataDir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitReachable(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(context.Background(), "test", append(mail.Indexes, db.ClaimIndexes...)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestQueuedMailIsDeliveredOnceOverSMTP(t *testing.T) {
	ctx := context.Background()
	box, url := startSMTP(t)
	store := openStore(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, b := store.ForTenant("A"), store.ForTenant("B")
	for _, q := range []struct {
		tdb *db.Tenant
		to  string
	}{{a, "jane@a.test"}, {b, "sam@b.test"}} {
		if err := mail.Queue(ctx, q.tdb, mail.Message{Key: "welcome", To: q.to, Subject: "Welcome", Text: "Hello " + q.to}, now); err != nil {
			t.Fatal(err)
		}
	}
	// Queueing the same key again (a retried request) adds nothing.
	if err := mail.Queue(ctx, a, mail.Message{Key: "welcome", To: "jane@a.test", Subject: "Welcome", Text: "again"}, now); err != nil {
		t.Fatal(err)
	}

	s1, err := mail.NewSender(store, zerolog.Nop(), url, "Ward <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := mail.NewSender(store, zerolog.Nop(), url, "Ward <no-reply@localhost>")
	// Two instances at once: each message goes out once.
	var wg sync.WaitGroup
	for _, s := range []*mail.Sender{s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SendQueued(ctx, 10, now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 2 {
		t.Fatalf("delivered %d messages, want 2: %+v", len(box.msgs), box.msgs)
	}
	for _, m := range box.msgs {
		if m.From != "no-reply@localhost" || len(m.To) != 1 || !strings.Contains(m.Data, "Subject: Welcome") || !strings.Contains(m.Data, "Hello "+m.To[0]) {
			t.Errorf("message: %+v", m)
		}
	}
	var msgs []mail.Message
	if err := a.Collection(mail.Collection).Find(ctx, db.Filter{}, &msgs, db.FindOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Status != mail.StatusSent || msgs[0].Attempts != 1 || msgs[0].SentAt.IsZero() {
		t.Fatalf("outbox of A: %+v", msgs)
	}
}

func TestWithoutSMTPMailIsLoggedAndKept(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	a := store.ForTenant("A")
	if err := mail.Queue(ctx, a, mail.Message{To: "jane@a.test", Subject: "Reset", Text: "link"}, now); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	s, _ := mail.NewSender(store, zerolog.New(&logged), "", "Ward <no-reply@localhost>")
	if _, err := s.SendQueued(ctx, 10, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), `"subject":"Reset"`) {
		t.Fatalf("log: %s", logged.String())
	}
	ms, err := mail.Outbox(ctx, a, 10)
	if err != nil || len(ms) != 1 || ms[0].Status != mail.StatusLogged {
		t.Fatalf("outbox: %+v %v", ms, err)
	}
}

func TestUnreachableSMTPIsRetriedThenFailed(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	a := store.ForTenant("A")
	now := time.Now()
	if err := mail.Queue(ctx, a, mail.Message{To: "jane@a.test", Subject: "x", Text: "y"}, now); err != nil {
		t.Fatal(err)
	}
	s, _ := mail.NewSender(store, zerolog.Nop(), "smtp://127.0.0.1:1", "Ward <no-reply@localhost>")
	for i := 1; i <= mail.MaxAttempts; i++ {
		if _, err := s.SendQueued(ctx, 10, now); err != nil {
			t.Fatal(err)
		}
		ms, _ := mail.Outbox(ctx, a, 10)
		want := mail.StatusQueued
		if i == mail.MaxAttempts {
			want = mail.StatusFailed
		}
		if ms[0].Attempts != i || ms[0].Status != want {
			t.Fatalf("after attempt %d: %+v", i, ms[0])
		}
	}
}
