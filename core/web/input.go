package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// DecodeJSON reads the request's body, one JSON object, into v strictly:
// an unknown field, a second value or a wrong type is a 400 whose message
// is hint (an example of what to send), so a typo in a field name is never
// silently ignored; a body over the size limit is a 413.
func DecodeJSON(c *gin.Context, v any, hint string) error {
	d := json.NewDecoder(c.Request.Body)
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, err = d.Token(); errors.Is(err, io.EOF) {
			return nil
		}
	}
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Err: err,
			Message: fmt.Sprintf("The request body is too large: Ward accepts up to %d bytes.", tooLarge.Limit)}
	}
	return BadRequest(hint)
}

// Check is Invalid(fields), or nil when there is no message: the end of a
// validation.
func Check(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return Invalid(fields)
}

// Done answers a change that succeeded: under /api/ the envelope with data;
// for a page, msg is flashed and the browser goes to location (303, or
// HX-Redirect for htmx).
func Done(c *gin.Context, status int, data any, msg, location string) {
	if IsAPI(c) {
		OK(c, status, data)
		return
	}
	Flash(c, msg)
	Redirect(c, location)
}
