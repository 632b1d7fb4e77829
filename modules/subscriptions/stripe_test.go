package subscriptions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/apptest/stripemock"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/subscriptions"
)

const webhookSecret = "whsec_test_secret"

// recorder sits in front of stripe-mock (STRIPE_API_BASE) and keeps the
// forms Ward sends, so the test can check what a session asks for.
type recorder struct {
	mu    sync.Mutex
	forms []url.Values
	next  http.Handler
}

func (f *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/v1/checkout/sessions" {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.forms = append(f.forms, form)
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f.next.ServeHTTP(w, r)
}

func (f *recorder) last() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.forms) == 0 {
		return nil
	}
	return f.forms[len(f.forms)-1]
}

// Card payments: an admin of a lapsed clinic opens Stripe Checkout for a
// plan at the plan's price; Stripe's signed webhook for the paid session
// restores the clinic at once, once however often Stripe sends it; a
// webhook whose signature does not verify changes nothing.
func TestStripeCheckout(t *testing.T) {
	mock, err := url.Parse(stripemock.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	fake := &recorder{next: httputil.NewSingleHostReverseProxy(mock)}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	s := apptest.Start(t, apptest.Options{Env: map[string]string{"STRIPE_SECRET_KEY": stripemock.Key,
		"STRIPE_WEBHOOK_SECRET": webhookSecret, "STRIPE_API_BASE": api.URL}},
		signin.New(), dashboard.New(), patients.New(), settings.New(), subscriptions.New())
	cl, admin := s.NewSignedInClinic(t, "card")
	s.NewUser(t, cl, "receptionist", "Rex Reception", "rex@card.test")
	rex := s.SignedIn(t, cl.Host, "rex@card.test")
	lapsed(t, s, cl, subscription.Suspended)

	page := admin.Get(cl.Host, subscription.Path)
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, " https://checkout.stripe.com") {
		t.Errorf("the Pay form cannot reach Stripe's page: %s", csp)
	}
	if n := page.Doc(t).Find(`#plans form[action="/subscription/checkout"] button[type=submit]`).Length(); n != 2 {
		t.Fatalf("%d pay buttons, want 2:\n%s", n, page.Body)
	}
	r := admin.PostForm(cl.Host, "/subscription/checkout", url.Values{"plan": {"monthly"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("checkout: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	f := fake.last()
	for k, want := range map[string]string{
		"mode": "payment", "client_reference_id": cl.ID, "metadata[tenantId]": cl.ID, "metadata[plan]": "monthly",
		"line_items[0][price_data][unit_amount]": "4900", "line_items[0][price_data][currency]": "usd",
		"line_items[0][quantity]": "1", "customer_email": cl.Admin.Email,
		"success_url": "http://localhost:" + s.Port + "/subscription",
	} {
		got := f.Get(k)
		if k == "success_url" {
			got = strings.Replace(got, "card.", "", 1)
		}
		if got != want {
			t.Errorf("checkout session %s = %q, want %q", k, got, want)
		}
	}
	if r := admin.PostForm(cl.Host, "/subscription/checkout", url.Values{"plan": {"trial"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("checkout of the trial: %d", r.StatusCode)
	}
	rex.Get(cl.Host, subscription.Path)
	if r := rex.PostForm(cl.Host, "/subscription/checkout", url.Values{"plan": {"monthly"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a receptionist's checkout: %d", r.StatusCode)
	}
}

// With no Stripe key the pay buttons are disabled and the checkout
// answers that card payments are not set up.
func testNoCardPayments(t *testing.T, s *apptest.Server) {
	cl, admin := s.NewSignedInClinic(t, apptest.Subdomain(t, ""))
	admin.Get(cl.Host, subscription.Path)
	if r := admin.PostForm(cl.Host, "/subscription/checkout", url.Values{"plan": {"monthly"}}); r.StatusCode != http.StatusNotFound ||
		!strings.Contains(r.Body, "Card payments are not set up") {
		t.Errorf("checkout without Stripe: %d", r.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL("localhost", subscriptions.WebhookPath), strings.NewReader("{}"))
	resp, err := s.Client(t).HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("webhook without Stripe: %d", resp.StatusCode)
	}
}

// Stripe's signed webhook for a paid session restores a lapsed clinic at
// once, once however often Stripe sends it; one whose signature does not
// verify, or that does not match what Ward asked for, changes nothing. No
// call goes to Stripe's API, so this runs without stripe-mock.
func TestStripeWebhook(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Env: map[string]string{"STRIPE_SECRET_KEY": stripemock.Key,
		"STRIPE_WEBHOOK_SECRET": webhookSecret, "STRIPE_API_BASE": "http://127.0.0.1:1"}},
		signin.New(), dashboard.New(), patients.New(), settings.New(), subscriptions.New())
	ctx := context.Background()
	cl, admin := s.NewSignedInClinic(t, "hook")
	lapsed(t, s, cl, subscription.Suspended)
	type session struct {
		id, kind, status, currency, reference, metaTenant string
		amount                                            int64
	}
	paid := func(id string) session {
		return session{id: id, kind: "checkout.session.completed", status: "paid", currency: "usd", reference: cl.ID, metaTenant: cl.ID, amount: 4900}
	}
	event := func(x session) []byte {
		b, _ := json.Marshal(map[string]any{
			"id": "evt_" + x.id, "object": "event", "type": x.kind, "api_version": stripe.APIVersion,
			"data": map[string]any{"object": map[string]any{
				"id": x.id, "object": "checkout.session", "payment_status": x.status, "amount_total": x.amount, "currency": x.currency,
				"client_reference_id": x.reference, "metadata": map[string]string{"tenantId": x.metaTenant, "plan": "monthly"},
			}},
		})
		return b
	}
	send := func(body []byte, secret string) (int, string) {
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: time.Now()})
		req, _ := http.NewRequest(http.MethodPost, s.URL("localhost", subscriptions.WebhookPath), strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", signed.Header)
		resp, err := s.Client(t).HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ends := func() time.Time {
		tn, err := s.Platform.Tenants().ByID(ctx, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tn.Subscription.ExpiresAt
	}
	before := ends()
	if code, body := send(event(paid("cs_test_1")), "whsec_wrong"); code != http.StatusBadRequest || !ends().Equal(before) {
		t.Fatalf("a webhook signed with another secret: %d %s", code, body)
	}
	for _, bad := range []struct {
		what string
		x    func(session) session
		code int
	}{
		{"another price", func(x session) session { x.amount = 100; return x }, http.StatusUnprocessableEntity},
		{"another currency", func(x session) session { x.currency = "eur"; return x }, http.StatusUnprocessableEntity},
		{"metadata naming another clinic", func(x session) session { x.metaTenant = "someone-else"; return x }, http.StatusUnprocessableEntity},
		{"not paid yet", func(x session) session { x.status = "unpaid"; return x }, http.StatusOK},
	} {
		if code, body := send(event(bad.x(paid("cs_test_bad"))), webhookSecret); code != bad.code || !ends().Equal(before) {
			t.Fatalf("%s: %d %s; ends %v", bad.what, code, body, ends())
		}
	}
	for i := range 2 { // Stripe sends an event again until it has a 2xx
		if code, body := send(event(paid("cs_test_1")), webhookSecret); code != http.StatusOK {
			t.Fatalf("webhook %d: %d %s", i+1, code, body)
		}
	}
	want := s.Clock.Now().AddDate(0, 1, 0)
	if got := ends(); !got.Equal(want) {
		t.Fatalf("paid until %v, want %v", got, want)
	}
	admin.Get(cl.Host, subscription.Path)
	if r := admin.PostForm(cl.Host, "/patients", person("Carla")); answer(r) != "303 /patients/ID" {
		t.Fatalf("a write after the card payment: %s", answer(r))
	}
	doc := admin.Get(cl.Host, subscription.Path).Doc(t)
	if got := strings.Join(strings.Fields(doc.Find("#payments tbody tr").Text()), " "); !strings.Contains(got, "Card cs_test_1") || !strings.Contains(got, "USD 49.00") {
		t.Errorf("payments: %q", got)
	}
	// A bank debit, paid later: async_payment_succeeded records it.
	later := paid("cs_test_2")
	later.kind = "checkout.session.async_payment_succeeded"
	if code, body := send(event(later), webhookSecret); code != http.StatusOK || !ends().Equal(want.AddDate(0, 1, 0)) {
		t.Fatalf("a payment that succeeded later: %d %s; ends %v", code, body, ends())
	}
}
