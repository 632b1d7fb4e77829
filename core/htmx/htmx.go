// Package htmx keeps every htmx header name and rule in one place, so the rest
// of Ward never spells out an HX-* header and the choice of htmx stays cheap to
// change.
package htmx

import "net/http"

// Request headers htmx sends.
const (
	HeaderRequest        = "HX-Request"
	HeaderBoosted        = "HX-Boosted"
	HeaderHistoryRestore = "HX-History-Restore-Request"
	HeaderTarget         = "HX-Target"
)

// HeaderRedirect is the response header that makes htmx load another page.
const HeaderRedirect = "HX-Redirect"

// IsRequest reports whether htmx sent the request.
func IsRequest(r *http.Request) bool { return r.Header.Get(HeaderRequest) == "true" }

// WantsFragment reports whether the response should be the page's content
// only. Boosted navigation and history restores need the whole page: htmx
// swaps the body for those.
func WantsFragment(r *http.Request) bool {
	return IsRequest(r) &&
		r.Header.Get(HeaderBoosted) != "true" &&
		r.Header.Get(HeaderHistoryRestore) != "true"
}

// Target returns the id of the element htmx will swap into, if any.
func Target(r *http.Request) string { return r.Header.Get(HeaderTarget) }
