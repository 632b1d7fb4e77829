package kit

import "io/fs"

// Base is what a module embeds for what every module has: its name, its
// page templates and the services Provision hands it. A module with more to
// set up at start defines its own Provision and calls Base's first.
//
//	type Module struct{ kit.Base }
//	func New() *Module { return &Module{kit.NewBase("services", templates)} }
type Base struct {
	S *Services // set by Provision, before any request

	name      string
	templates fs.FS
}

// NewBase returns the base of module name, whose page templates are
// templates (the embed of its templates folder; nil for a module with no
// pages).
func NewBase(name string, templates fs.FS) Base { return Base{name: name, templates: templates} }

// Name implements app.Module.
func (b *Base) Name() string { return b.name }

// Templates implements app.TemplateProvider.
func (b *Base) Templates() fs.FS { return b.templates }

// Provision implements Provisioner: it keeps the services.
func (b *Base) Provision(s *Services) error { b.S = s; return nil }
