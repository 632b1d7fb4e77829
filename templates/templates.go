// Package templates holds Ward's shared layouts, partials and error pages.
// Module pages are parsed into a copy of these, so every page can use the
// layout and the partials.
package templates

import "embed"

// FS holds layouts/*.html, partials/*.html and errors/*.html.
//
//go:embed layouts partials errors
var FS embed.FS
