package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Envelope is the API's answer: {"success":true,"data":…} or
// {"success":false,"error":…[,"fields":…]}.
type Envelope struct {
	Success bool              `json:"success"`
	Data    json.RawMessage   `json:"data"`
	Error   string            `json:"error"`
	Fields  map[string]string `json:"fields"`
}

// internals are words that would mean a Go or database error reached a
// client.
var internals = []string{"mongo", "bson", "e11000", "runtime", "nil", "goroutine", "panic", "sqlite", "ferret", "json:",
	"invalid character", "unexpected eof", "cannot unmarshal", "unknown field", "db:", "records:", "context deadline"}

// API sends a JSON request to path on host as the signed-in page's script
// would: the client's cookies, its CSRF token in X-CSRF-Token, same-origin
// headers (headers, name and value pairs, may override them; an empty
// value removes one). It fails the test unless the answer is the JSON
// envelope, a success below 400 and an error from 400, and unless an error
// keeps Ward's internals to itself.
func (c *Client) API(host, method, path, body string, headers ...string) (*Response, Envelope) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.URL(host, path), strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.Token(host))
		req.Header.Set("Origin", "http://"+host+":"+c.s.Port)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	r := c.Do(req)
	return r, c.envelope(method+" "+path, r)
}

// envelope decodes r's envelope and fails the test unless it is as r's
// status says it must be, with no internals in an error.
func (c *Client) envelope(what string, r *Response) Envelope {
	c.t.Helper()
	var e Envelope
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
		c.t.Fatalf("%s: %d, not JSON: %v\n%s", what, r.StatusCode, err, r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		c.t.Errorf("%s: Content-Type %q", what, r.Header.Get("Content-Type"))
	}
	if r.StatusCode < 400 {
		if !e.Success || e.Error != "" {
			c.t.Errorf("%s: %d with envelope %s", what, r.StatusCode, r.Body)
		}
		return e
	}
	if e.Success || e.Error == "" || e.Data != nil {
		c.t.Errorf("%s: %d with envelope %s", what, r.StatusCode, r.Body)
	}
	low := strings.ToLower(r.Body)
	for _, w := range internals {
		if strings.Contains(low, w) {
			c.t.Errorf("%s: %d error body shows %q: %s", what, r.StatusCode, w, r.Body)
		}
	}
	return e
}

// Data decodes the envelope's data, failing the test if it is not a T.
func Data[T any](t testing.TB, e Envelope) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatalf("data %s: %v", e.Data, err)
	}
	return v
}
