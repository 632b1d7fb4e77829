package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

var errUnknownHost = web.NotFound("No clinic at this address.")

// Handler builds the HTTP handler: global middleware, health endpoints,
// static files, then every module route dispatched by host kind.
func (a *App) Handler() (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// gin trusts every proxy unless told otherwise; Ward trusts only the
	// configured ones, so ClientIP and forwarded headers cannot be spoofed.
	if err := e.SetTrustedProxies(a.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	e.Use(a.requestLog, a.recoverPanic, a.securityHeaders, a.limitBody)
	e.Use(a.middleware...)

	healthz := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	e.GET("/healthz", healthz)
	e.HEAD("/healthz", healthz) // load balancers often check with HEAD
	e.GET("/readyz", a.readyz)
	e.HEAD("/readyz", a.readyz)
	e.GET("/static/*path", a.static.serve)
	e.HEAD("/static/*path", a.static.serve)

	type key struct{ method, path string }
	byPath := map[key]map[Host]gin.HandlerFunc{}
	signed := map[key]map[Host]bool{}
	var order []key
	for _, r := range a.routes {
		k := key{r.Method, r.Path}
		if byPath[k] == nil {
			byPath[k] = map[Host]gin.HandlerFunc{}
			signed[k] = map[Host]bool{}
			order = append(order, k)
		}
		byPath[k][r.Host] = a.chain(r)
		signed[k][r.Host] = r.Signed
	}
	for _, k := range order {
		e.Handle(k.method, k.path, a.readyGate, a.resolveHost, a.checkCSRF(signed[k]), dispatch(byPath[k], a.Render))
	}
	e.NoRoute(a.readyGate, a.resolveHost, func(c *gin.Context) {
		a.Render.Fail(c, web.NotFound("There is no page at this address."))
	})
	return e, nil
}

// chain runs the access guard (sign-in, permission), then the modules'
// gates (the subscription), before a clinic route's handler; a route of a
// clinical resource is audited for what it shows (auditViews). Each step
// is a check: it aborts or lets the next one run.
func (a *App) chain(r Route) gin.HandlerFunc {
	steps := []gin.HandlerFunc{}
	h := r.Handler
	if r.Host == ClinicHost {
		steps = append(steps, a.Render.Handle(a.access.Check(r)))
		for _, g := range a.gates {
			if check := g.Gate(r); check != nil {
				steps = append(steps, a.Render.Handle(check))
			}
		}
		if a.clinical[r.Access.Resource] {
			h = a.auditViews(r)
		}
	}
	steps = append(steps, a.Render.Handle(h))
	return func(c *gin.Context) {
		for _, s := range steps {
			s(c)
			if c.IsAborted() {
				return
			}
		}
	}
}

// dispatch picks the handler for the request's host kind; a path served only
// on the other kind of host is a 404 here.
func dispatch(byHost map[Host]gin.HandlerFunc, r *web.Renderer) gin.HandlerFunc {
	return func(c *gin.Context) {
		if h, ok := byHost[HostFrom(c)]; ok {
			h(c)
			return
		}
		r.Fail(c, web.NotFound("There is no page at this address."))
	}
}

func (a *App) resolveHost(c *gin.Context) {
	h, err := a.hosts.Resolve(c)
	if err != nil {
		a.Render.Fail(c, err)
		return
	}
	c.Set(hostKey, h)
}

// checkCSRF refuses a cross-origin or token-less write before any module
// code runs, but on the hosts where the route is a signed webhook.
func (a *App) checkCSRF(signed map[Host]bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.csrf == nil || signed[HostFrom(c)] {
			return
		}
		a.checkToken(c)
	}
}

// checkToken refuses the request unless it carries the visitor's CSRF
// token and comes from Ward's own origin.
func (a *App) checkToken(c *gin.Context) {
	if err := a.csrf.Check(c); err != nil {
		if c.Request.ContentLength > a.Config.MaxBodyBytes {
			// The body was refused before its token could be read.
			a.Render.Fail(c, &web.Error{Status: http.StatusRequestEntityTooLarge, Err: err,
				Message: fmt.Sprintf("The form is too large: Ward accepts up to %d MB.", a.Config.MaxBodyBytes>>20)})
			return
		}
		a.Render.Fail(c, &web.Error{Status: http.StatusForbidden, Err: err,
			Message: "This form has expired or was sent from another site. Reload the page and try again."})
	}
}

func (a *App) readyz(c *gin.Context) {
	if !a.DB.Ready(c.Request.Context()) {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "starting or database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// readyGate answers 503 until start-up has finished (database reachable,
// indexes made), rather than failing each request on its own.
func (a *App) readyGate(c *gin.Context) {
	if a.DB.Started() {
		return
	}
	c.Header("Retry-After", "5")
	a.Render.Fail(c, web.Unavailable("Ward is starting. Please try again in a few seconds."))
}

// requestLog gives each request an id (also sent back as X-Request-ID) and a
// logger carrying it, and writes one line when the request ends. Query strings
// are not logged: searches may hold patient names.
func (a *App) requestLog(c *gin.Context) {
	start := time.Now()
	id := newRequestID()
	c.Header("X-Request-ID", id)
	l := a.Log.With().Str("request_id", id).Logger()
	c.Request = c.Request.WithContext(logging.WithRequest(c.Request.Context(), id, l))

	c.Next()

	rl := logging.FromContext(c.Request.Context())
	status := c.Writer.Status()
	ev := rl.Info()
	switch {
	case status == http.StatusServiceUnavailable && !a.DB.Started():
		// Expected while Ward starts: /readyz and every page answer 503
		// until the database answers and the indexes exist.
		ev = rl.Debug()
	case status >= 500:
		ev = rl.Error()
	}
	ev.Str("method", c.Request.Method).
		Str("path", c.Request.URL.Path).
		Int("status", status).
		Dur("duration", time.Since(start)).
		Str("ip", c.ClientIP()).
		Int("bytes", c.Writer.Size()).
		Msg("request")
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recoverPanic turns a panic into a logged 500 page; the person sees the
// request id, never the panic.
func (a *App) recoverPanic(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logging.FromContext(c.Request.Context()).Error().Stack().
				Interface("panic", v).Msg("panic while serving")
			if !c.Writer.Written() {
				a.Render.Fail(c, errors.New("panic"))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders sets the headers every response carries. The CSP allows
// htmx (loaded from /static, configured with allowEval off and no inline
// indicator styles) without 'unsafe-eval' or 'unsafe-inline'. Onboarding
// posts redirect to the new clinic's subdomain, so form-action allows those;
// with card payment set up, the subscription's Pay form redirects to
// Stripe's payment page, so it allows that too.
func (a *App) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	formAction := "'self' *." + a.Config.BaseDomain + ":*"
	if a.Config.Production() {
		// The clinics' addresses, exactly as links are built (PUBLIC_URL).
		scheme, host, _ := strings.Cut(a.Config.PublicURL, "://")
		formAction = "'self' " + scheme + "://*." + host
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	if a.Config.StripeKey != "" && a.Config.StripeWebhook != "" { // card payment is set up
		formAction += " " + stripeCheckout
	}
	h.Set("Content-Security-Policy", strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"frame-ancestors 'none'",
		"form-action " + formAction,
	}, "; "))
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	// Pages carry patient data and CSRF tokens: nothing dynamic is stored
	// by the browser or a proxy. Static files override this.
	h.Set("Cache-Control", "no-store")
}

// stripeCheckout is where Stripe Checkout's payment pages are.
const stripeCheckout = "https://checkout.stripe.com"

// limitBody caps request bodies; a larger body fails to parse and is refused.
func (a *App) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, a.Config.MaxBodyBytes)
	}
}
