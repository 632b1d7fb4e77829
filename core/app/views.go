package app

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

// OnUnreportedView adds f to what runs when a clinical route answers a GET
// successfully without reporting what it showed (besides the error log
// line and the audit entry); apptest fails the test.
func (a *App) OnUnreportedView(f func(Route)) { a.unreported = append(a.unreported, f) }

// auditViews wraps the handler of a route of a clinical resource so that what it shows is
// audited by core, not remembered by each module: the handler reports the
// records with audit.Shown, and once it has answered (whatever the status:
// a 409 form showing the latest version is a view too) the report becomes
// one entry per request. The answer is held until the entry is written: a
// view that cannot be audited is not shown. A handler that returns an
// error showed nothing (its error page replaces whatever it wrote). A
// successful GET that reported nothing is a defect: it is logged, observed,
// and written as an entry naming the route, so the view is not lost. The
// entries go through the request's audit binding (audit.For), made by
// core's access middleware: a request without one fails.
func (a *App) auditViews(r Route) web.HandlerFunc {
	get := r.Method == http.MethodGet
	route := r.Method + " " + r.Path
	return func(c *gin.Context) error {
		ctx, views := audit.Watch(c.Request.Context())
		c.Request = c.Request.WithContext(ctx)
		held := hold(c)
		defer func() {
			if v := recover(); v != nil {
				held.drop() // the panic's error page must reach the person
				panic(v)
			}
		}()
		if err := r.Handler(c); err != nil {
			held.drop()
			return err
		}
		rec := audit.For(c)
		if err := views.Record(rec, route); err != nil {
			held.drop()
			return err
		}
		if get && !views.Reported() && held.status >= 200 && held.status < 300 {
			logging.FromContext(ctx).Error().Str("route", route).
				Msg("clinical route answered without reporting what it showed (audit.Shown)")
			for _, f := range a.unreported {
				f(r)
			}
			if err := audit.RecordUnreported(rec, route, c.Request.URL.Path); err != nil {
				held.drop()
				return err
			}
		}
		held.send()
		return nil
	}
}

// held is a response kept back until its audit entry is written: the
// handler writes into a buffer, which is sent or dropped afterwards.
type held struct {
	gin.ResponseWriter
	c       *gin.Context
	header  http.Header // the headers before the handler ran, for drop
	status  int
	written bool
	body    bytes.Buffer
}

func hold(c *gin.Context) *held {
	h := &held{ResponseWriter: c.Writer, c: c, header: c.Writer.Header().Clone(), status: http.StatusOK}
	c.Writer = h
	return h
}

func (h *held) WriteHeader(code int) {
	if code > 0 && !h.written {
		h.status = code
	}
}

func (h *held) WriteHeaderNow() { h.written = true }

func (h *held) Write(b []byte) (int, error) {
	h.written = true
	return h.body.Write(b)
}

func (h *held) WriteString(s string) (int, error) {
	h.written = true
	return h.body.WriteString(s)
}

func (h *held) Status() int   { return h.status }
func (h *held) Size() int     { return h.body.Len() }
func (h *held) Written() bool { return h.written }
func (h *held) Flush()        {} // nothing leaves before the entry is written

// send writes the held response.
func (h *held) send() {
	w := h.ResponseWriter
	h.c.Writer = w
	w.WriteHeader(h.status)
	if h.body.Len() > 0 {
		_, _ = w.Write(h.body.Bytes())
		return
	}
	w.WriteHeaderNow()
}

// drop discards the held response, headers included, so an error page can
// take its place.
func (h *held) drop() {
	w := h.ResponseWriter
	h.c.Writer = w
	hd := w.Header()
	for k := range hd {
		delete(hd, k)
	}
	for k, v := range h.header {
		hd[k] = v
	}
}
