// Package static holds the files Ward serves under /static: its own CSS and
// JavaScript, and vendor/ — the npm packages (htmx, Pico CSS) copied there by
// `go tool task assets`, never committed.
package static

import "embed"

// FS holds css/, js/ and (after the assets task) vendor/.
//
//go:embed css js all:vendor
var FS embed.FS
