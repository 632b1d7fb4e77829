// Package app is what modules register into: it collects every module's
// routes, templates, indexes, permissions and navigation, checks them at
// start, and builds the HTTP handler.
package app

import (
	"context"
	"io/fs"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/web"
)

// Module is the one thing every module implements: a unique name, which is
// also the prefix of its page templates ("patients/list").
type Module interface {
	Name() string
}

// The optional capabilities a module may have; the registry detects them.
type (
	// RouteDeclarer adds the module's routes, each with its access rule.
	RouteDeclarer interface {
		Routes(r *Routes)
	}

	// TemplateProvider returns the module's page templates: usually the
	// embed of its templates folder (//go:embed templates/*.html), or *.html
	// at the root of the FS.
	TemplateProvider interface {
		Templates() fs.FS
	}

	// IndexDeclarer lists the module's indexes, created at start; each
	// tenant-owned index must start with tenantId.
	IndexDeclarer interface {
		Indexes() []db.Index
	}

	// PermissionDeclarer adds resources and their actions to the permission
	// catalogue the role editor shows.
	PermissionDeclarer interface {
		Permissions() []Permission
	}

	// NavDeclarer adds entries to a clinic's navigation.
	NavDeclarer interface {
		Nav() []NavEntry
	}

	// TenantSeeder writes what the module needs in a new clinic, during
	// onboarding. It must be idempotent: onboarding may run it again after
	// an interrupted attempt.
	TenantSeeder interface {
		SeedTenant(ctx context.Context, tdb *db.Tenant, now time.Time) error
	}

	// JobDeclarer lists background jobs the module runs.
	JobDeclarer interface {
		Jobs() []Job
	}

	// MoneyKeeper is a module that keeps amounts in minor units of the
	// clinic's currency (prices, invoices). While any module keeps one, the
	// clinic's currency cannot change: every amount would change meaning.
	MoneyKeeper interface {
		KeepsMoney(ctx context.Context, tdb *db.Tenant) (bool, error)
	}

	// PageDecorator fills page globals on every page rendered (a banner
	// some clinics see).
	PageDecorator interface {
		DecoratePage(c *gin.Context, g *web.Globals)
	}

	// Gatekeeper checks every clinic request after the access guard (the
	// signed-in person is known) and before the route's handler: the
	// subscription keeps a lapsed clinic read-only. Gate returns the check
	// for route r, or nil when it has nothing to check there; the check's
	// error is the response, and a check that answers itself (a redirect)
	// aborts.
	Gatekeeper interface {
		Gate(r Route) web.HandlerFunc
	}

	// TimelineSource puts entries on a patient's timeline (appointments,
	// visits, prescriptions, lab results …): the patient page asks each
	// source for the patient's latest entries. A source reads through the
	// request's clinic and shows only what the signed-in person may read
	// (none at all when their role may not read the source's resource).
	TimelineSource interface {
		PatientTimeline(c *gin.Context, patientID string, limit int) ([]TimelineEntry, error)
	}

	// AuditDeclarer lists the actions the module records in the audit
	// log, with their labels: the log's filter offers them, and recording
	// an undeclared action is a defect tests catch.
	AuditDeclarer interface {
		AuditActions() []audit.Action
	}
)

// TimelineEntry is one event in a patient's history.
type TimelineEntry struct {
	At      time.Time
	Kind    string // "Appointment", "Visit", "Prescription" …
	Title   string
	Summary string
	Href    string // where the entry opens, if anywhere
}

// Permission is one resource with the actions that can be granted on it.
type Permission struct {
	Resource    string
	Label       string
	Actions     []string
	Description string
	// Clinical: the resource is patient data. Every route that needs a
	// permission on it is audited by core: its handler reports what it
	// showed (audit.Shown) and core writes the entry (see auditViews).
	Clinical bool
}

// NavEntry is a navigation link shown to users allowed to read Resource.
type NavEntry struct {
	Label    string
	Href     string
	Resource string // the user needs (Resource, "read"); empty: every signed-in user
	// Group is the heading the link is listed under (GroupFrontDesk,
	// GroupClinical, GroupBilling, GroupAdmin); empty puts it above every
	// heading (the dashboard), GroupUser in the signed-in person's menu.
	Group string
	Order int // within its group, lowest first
}

// Job is a background task run every Every by the job runner; it carries any
// tenant it works on explicitly.
type Job struct {
	Name   string
	Every  time.Duration
	Run    func(ctx context.Context) error
	Single bool // one instance at a time, across every Ward instance on the database (a lease per period)
}
