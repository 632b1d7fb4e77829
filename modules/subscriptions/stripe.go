package subscriptions

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/policies"
)

// Paths of card payments.
const (
	checkoutPath = subscription.Path + "/checkout"
	// WebhookPath is where Stripe sends its events, on the platform host:
	// the address to give Stripe's dashboard is PUBLIC_URL + WebhookPath.
	WebhookPath = "/stripe/webhook"
)

// stripeTimeout bounds a call to Stripe's API.
const stripeTimeout = 20 * time.Second

// maxEvent is the largest webhook body read.
const maxEvent = 256 << 10

// ProvisionPlatform implements kit.PlatformModule. The module records the
// payments Stripe reports (its webhook, on the platform host, belongs to
// no clinic's request), which needs the platform's payment recording.
func (m *Module) ProvisionPlatform(p *kit.Platform) error {
	m.platform = p
	cfg := p.Stripe()
	if cfg.SecretKey == "" || cfg.WebhookSecret == "" { // a payment taken must be recorded: no webhook, no card payments
		return nil
	}
	var opts []stripe.ClientOption
	if cfg.APIBase != "" {
		opts = append(opts, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
			URL: stripe.String(cfg.APIBase), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}})))
	}
	m.stripe = stripe.NewClient(cfg.SecretKey, opts...)
	m.webhookSecret = cfg.WebhookSecret
	return nil
}

// cardPayments reports whether clinics can pay by card here.
func (m *Module) cardPayments() bool { return m.stripe != nil }

// checkout starts paying for a plan by card: it creates a Stripe Checkout
// Session for the plan's price and sends the admin to Stripe's page. Stripe
// sends them back to /subscription; the payment counts when Stripe's
// webhook reports it (webhook), not when the browser comes back.
func (m *Module) checkout(c *gin.Context) error {
	if !m.cardPayments() {
		return web.NotFound("Card payments are not set up on this Ward. Contact us to pay by bank transfer.")
	}
	plan, ok := m.plans.Find(c.PostForm("plan"))
	if !ok || plan.Trial {
		return web.BadRequest("Choose one of the plans on the subscription page.")
	}
	t, u := m.S.Tenant(c), m.S.User(c)
	back := m.S.Link(c, subscription.Path)
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(t.ID),
		CustomerEmail:     stripe.String(u.Email),
		SuccessURL:        stripe.String(back),
		CancelURL:         stripe.String(back),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:   stripe.String(strings.ToLower(plan.Currency)),
				UnitAmount: stripe.Int64(plan.Price),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{
					Name: stripe.String("Ward " + plan.Name + " plan for " + t.Name),
				},
			},
		}},
	}
	params.AddMetadata("tenantId", t.ID)
	params.AddMetadata("plan", plan.Key)
	ctx, cancel := context.WithTimeout(c.Request.Context(), stripeTimeout)
	defer cancel()
	s, err := m.stripe.V1CheckoutSessions.Create(ctx, params)
	if err != nil || s.URL == "" {
		logging.FromContext(ctx).Error().Err(err).Msg("Stripe Checkout Session not created")
		return &web.Error{Status: http.StatusBadGateway, Err: err,
			Message: "The card payment page could not be opened, and nothing was charged. Please try again in a moment."}
	}
	web.Redirect(c, s.URL)
	return nil
}

// webhook takes Stripe's events: a completed Checkout Session that is paid
// records the payment (subscription.Stripe, the session's id as the
// reference) for the clinic and plan the session was made for. The
// signature (STRIPE_WEBHOOK_SECRET) is checked before anything in the body
// is believed. Stripe retries until it gets a 2xx: a payment recorded
// before answers 200 again and extends nothing; a failure to record
// answers 500, so Stripe tries again.
func (m *Module) webhook(c *gin.Context) error {
	if m.webhookSecret == "" {
		c.JSON(http.StatusNotFound, gin.H{"error": "card payments are not set up"})
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxEvent+1))
	if err != nil || len(body) > maxEvent {
		c.JSON(http.StatusBadRequest, gin.H{"error": "unreadable body"})
		return nil
	}
	ev, err := webhook.ConstructEventWithOptions(body, c.GetHeader("Stripe-Signature"), m.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "signature not verified"})
		return nil
	}
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted, stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
	default:
		c.JSON(http.StatusOK, gin.H{"received": true}) // not one Ward acts on
		return nil
	}
	var s stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "not a checkout session"})
		return nil
	}
	status, msg := m.recordCheckout(c.Request.Context(), &s)
	if status == http.StatusOK {
		c.JSON(status, gin.H{"received": true})
		return nil
	}
	c.JSON(status, gin.H{"error": msg})
	return nil
}

// recordCheckout records the payment a paid Checkout Session made, and
// says how to answer Stripe.
func (m *Module) recordCheckout(ctx context.Context, s *stripe.CheckoutSession) (int, string) {
	log := logging.FromContext(ctx).With().Str("checkout_session", s.ID).Logger()
	if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		return http.StatusOK, "" // paid later (a bank debit): async_payment_succeeded says so
	}
	id, plan, err := m.paidFor(s)
	if err != nil {
		log.Error().Err(err).Msg("a paid Checkout Session Ward cannot match")
		return http.StatusUnprocessableEntity, err.Error()
	}
	r, err := m.platform.RecordPayment(ctx, id, subscription.NewPayment{Plan: plan.Key, Reference: s.ID,
		Provider: subscription.Stripe, Method: "Card", Source: "Stripe Checkout"})
	switch {
	case errors.Is(err, tenant.ErrNotFound), errors.Is(err, kit.ErrReferenceUsed):
		log.Error().Err(err).Msg("a paid Checkout Session Ward cannot match")
		return http.StatusUnprocessableEntity, err.Error()
	case err != nil:
		log.Error().Err(err).Msg("payment not recorded: Stripe will send it again")
		return http.StatusInternalServerError, "not recorded yet"
	}
	if !r.Duplicate {
		log.Info().Str("tenant_id", id).Str("plan", plan.Key).Time("until", r.Payment.PeriodEnd).Msg("card payment recorded")
	}
	return http.StatusOK, ""
}

// paidFor is the clinic and plan a Checkout Session paid for, as Ward made
// it (checkout): its amount and currency must be the plan's.
func (m *Module) paidFor(s *stripe.CheckoutSession) (string, policies.Plan, error) {
	id := s.Metadata["tenantId"]
	if id == "" || id != s.ClientReferenceID {
		return "", policies.Plan{}, errors.New("the session names no clinic")
	}
	plan, ok := m.plans.Find(s.Metadata["plan"])
	if !ok || plan.Trial {
		return "", policies.Plan{}, errors.New("the session names no plan for sale")
	}
	if s.AmountTotal != plan.Price || !strings.EqualFold(string(s.Currency), plan.Currency) {
		return "", policies.Plan{}, errors.New("the amount paid is not the plan's price")
	}
	return id, plan, nil
}
