package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/web"
)

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	type body struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	for _, tc := range []struct {
		in     string
		limit  int64
		status int // 0: decoded
	}{
		{`{"name":"a","n":2}`, 0, 0},
		{` {"name":"a"} ` + "\n", 0, 0},
		{`{"name":"a","extra":1}`, 0, http.StatusBadRequest},
		{`{"name":"a"}{"name":"b"}`, 0, http.StatusBadRequest},
		{`{"n":"two"}`, 0, http.StatusBadRequest},
		{`[1]`, 0, http.StatusBadRequest},
		{``, 0, http.StatusBadRequest},
		{`{"name":"` + strings.Repeat("a", 100) + `"}`, 50, http.StatusRequestEntityTooLarge},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/api/things", strings.NewReader(tc.in))
		if tc.limit > 0 {
			c.Request.Body = http.MaxBytesReader(nil, c.Request.Body, tc.limit)
		}
		var b body
		err := web.DecodeJSON(c, &b, "Send {\"name\":…}.")
		var we *web.Error
		switch {
		case tc.status == 0 && (err != nil || b.Name != "a"):
			t.Errorf("%q: %v, %+v", tc.in, err, b)
		case tc.status != 0 && (!errors.As(err, &we) || we.Status != tc.status):
			t.Errorf("%q: %v, want status %d", tc.in, err, tc.status)
		case tc.status == http.StatusBadRequest && we.Message != "Send {\"name\":…}.":
			t.Errorf("%q: message %q", tc.in, we.Message)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	if err := web.Check(nil); err != nil {
		t.Errorf("Check(nil) = %v", err)
	}
	if err := web.Check(map[string]string{}); err != nil {
		t.Errorf("Check(empty) = %v", err)
	}
	var we *web.Error
	if err := web.Check(map[string]string{"name": "Enter a name."}); !errors.As(err, &we) || we.Status != http.StatusUnprocessableEntity || we.Fields["name"] != "Enter a name." {
		t.Errorf("Check(fields) = %v", err)
	}
}

// Done answers the API with the envelope; a page (flash aside, tested with
// the session in flash_test.go) with a redirect.
func TestDoneAPI(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/api/things", nil)
	web.Done(c, http.StatusCreated, gin.H{"id": "t1"}, "Added.", "/things/t1")
	if w.Code != http.StatusCreated || w.Body.String() != `{"data":{"id":"t1"},"success":true}` {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
