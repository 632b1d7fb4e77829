package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/logging"
)

// Error is an error a person may see: its Message is written for them. Any
// other error is internal and answered as a plain 500 with the request id.
type Error struct {
	Status   int
	Message  string
	Fields   map[string]string // validation messages by field, for 422
	Link     string            // where the person can go next, if anywhere
	LinkText string
	Err      error // cause, logged, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound is a 404 with a message.
func NotFound(msg string) *Error { return &Error{Status: http.StatusNotFound, Message: msg} }

// Forbidden is a 403 with a message.
func Forbidden(msg string) *Error { return &Error{Status: http.StatusForbidden, Message: msg} }

// BadRequest is a 400 with a message.
func BadRequest(msg string) *Error { return &Error{Status: http.StatusBadRequest, Message: msg} }

// Conflict is a 409 with a message.
func Conflict(msg string) *Error { return &Error{Status: http.StatusConflict, Message: msg} }

// Invalid is a 422 carrying one message per field.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: "Please correct the highlighted fields.", Fields: fields}
}

// Unavailable is a 503, for a database that is not ready.
func Unavailable(msg string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Message: msg}
}

// HandlerFunc is a request handler that may fail; the error becomes the
// response through one function (Fail).
type HandlerFunc func(c *gin.Context) error

// IsAPI reports whether the request expects the JSON envelope.
func IsAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// OK answers the API envelope {"success":true,"data":…}.
func OK(c *gin.Context, status int, data any) {
	c.JSON(status, gin.H{"success": true, "data": data})
}

// Fail turns err into the response: the error page, the JSON envelope, or for
// htmx a bare status that ward.js reports. Internal errors are logged with the
// request id, which the person sees so support can find the log line.
func (r *Renderer) Fail(c *gin.Context, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: http.StatusInternalServerError, Message: "Something went wrong on our side.", Err: err}
	}
	log := logging.FromContext(c.Request.Context())
	if e.Status >= 500 {
		log.Error().Err(e).Int("status", e.Status).Msg("request failed")
	} else if e.Err != nil {
		log.Debug().Err(e.Err).Int("status", e.Status).Msg("request refused")
	}
	c.Abort()
	if IsAPI(c) {
		body := gin.H{"success": false, "error": e.Message}
		if len(e.Fields) > 0 {
			body["fields"] = e.Fields
		}
		c.JSON(e.Status, body)
		return
	}
	p := Page{Title: http.StatusText(e.Status), Data: errorView{Status: e.Status, Message: e.Message, Link: e.Link, LinkText: e.LinkText}}
	if rerr := r.execute(c, e.Status, "errors/error", r.blockFor(c), p); rerr != nil {
		log.Error().Err(rerr).Msg("rendering the error page failed")
		c.String(e.Status, "%d %s (request %s)", e.Status, http.StatusText(e.Status), logging.RequestID(c.Request.Context()))
	}
}

type errorView struct {
	Status         int
	Message        string
	Link, LinkText string
}

func (r *Renderer) blockFor(c *gin.Context) string {
	if htmx.WantsFragment(c.Request) {
		return ContentBlock
	}
	return layoutBlock
}

// Handle adapts a HandlerFunc to gin, sending its error through Fail.
func (r *Renderer) Handle(h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			r.Fail(c, err)
		}
	}
}
