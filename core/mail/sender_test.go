package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
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

func TestAttachmentsAreStoredAndSent(t *testing.T) {
	ctx := context.Background()
	box, url := startSMTP(t)
	store := openStore(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := store.ForTenant("A")
	cal := []byte("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n")
	bin := []byte{0, 1, 2, 0xff, '\r', '\n'}
	m := mail.Message{Key: "reminder:1", To: "jane@a.test", Subject: "Your appointment", Text: "See you tomorrow.",
		Attachments: []mail.Attachment{
			{Name: "appointment.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: cal},
			{Name: "data.bin", Data: bin},
		}}
	if err := mail.Queue(ctx, a, m, now); err != nil {
		t.Fatal(err)
	}
	ms, err := mail.Outbox(ctx, a, 10)
	if err != nil || len(ms) != 1 || len(ms[0].Attachments) != 2 || !bytes.Equal(ms[0].Attachments[0].Data, cal) ||
		!bytes.Equal(ms[0].Attachments[1].Data, bin) || ms[0].Attachments[0].ContentType != m.Attachments[0].ContentType {
		t.Fatalf("outbox: %+v %v", ms, err)
	}

	s, _ := mail.NewSender(store, zerolog.Nop(), url, "Ward <no-reply@localhost>")
	if n, err := s.SendQueued(ctx, 10, now); err != nil || n != 1 {
		t.Fatalf("SendQueued = %d, %v", n, err)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 1 {
		t.Fatalf("delivered %d messages", len(box.msgs))
	}
	parts := mimeParts(t, box.msgs[0].Data)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want the text and two attachments: %+v", len(parts), parts)
	}
	if !strings.HasPrefix(parts[0].contentType, "text/plain") || !strings.Contains(parts[0].body, "See you tomorrow.") {
		t.Errorf("text part: %+v", parts[0])
	}
	ics := parts[1]
	if mt, params, _ := mime.ParseMediaType(ics.contentType); mt != "text/calendar" || params["method"] != "PUBLISH" {
		t.Errorf("calendar part's type: %q", ics.contentType)
	}
	if ics.filename != "appointment.ics" || ics.body != string(cal) {
		t.Errorf("calendar part: %+v", ics)
	}
	if bp := parts[2]; bp.filename != "data.bin" || bp.body != string(bin) || !strings.HasPrefix(bp.contentType, "application/octet-stream") {
		t.Errorf("binary part: %+v", bp)
	}
}

// part is one part of a multipart message, its body decoded.
type part struct{ contentType, filename, body string }

// mimeParts reads the parts of a multipart/mixed message (the text may
// sit in a nested multipart/alternative: its parts are listed in place).
func mimeParts(t *testing.T, data string) []part {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return readParts(t, msg.Header.Get("Content-Type"), msg.Body)
}

func readParts(t *testing.T, contentType string, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("content type %q, want multipart", contentType)
	}
	r := multipart.NewReader(body, params["boundary"])
	var out []part
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/") {
			out = append(out, readParts(t, ct, p)...)
			continue
		}
		var rd io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "base64":
			rd = base64.NewDecoder(base64.StdEncoding, p)
		case "quoted-printable":
			rd = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, part{contentType: ct, filename: p.FileName(), body: string(b)})
	}
}
