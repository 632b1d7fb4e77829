// Package appointments books the clinic's time: a patient with a provider
// (a staff member whose role may provide appointments), optionally in a
// room, for a span of whole five-minute units. No two appointments hold the
// same unit of one provider, patient or room.
//
// The guard against double-booking is a claim per unit (slots.go): one
// document per resource and five-minute unit under a unique index, inserted
// before the appointment is stored. An insert against a unique index is the
// one write that is atomic on every engine Ward runs on, so of two bookings
// of one unit exactly one gets it.
//
// A patient is checked by reading the clinic's "patients" collection by id
// (a lookup by _id, which every engine serves): the documented way a module
// confirms a record of another module exists without importing it.
package appointments

import (
	"embed"
	"net/http"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/records"
)

//go:embed templates/*.html templates/partials/*.html
var templates embed.FS

// Module is the appointments module.
type Module struct {
	kit.Base
	// afterClaims, when set (by tests), runs between a booking's claims
	// and its record: where a crash would leave claims of nothing.
	afterClaims func()
}

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("appointments", templates)} }

// The statuses of an appointment.
const (
	StatusRequested      = "requested" // asked for online, not yet confirmed by the clinic
	StatusBooked         = "booked"
	StatusArrived        = "arrived"
	StatusInConsultation = "in-consultation"
	StatusCompleted      = "completed"
	StatusCancelled      = "cancelled"
	StatusNoShow         = "no-show"
)

// Appointment is one booking. As JSON it is what the API answers.
type Appointment struct {
	records.Meta `bson:",inline"`
	PatientID    string `bson:"patientId" json:"patientId"`
	ProviderID   string `bson:"providerId" json:"providerId"`
	ServiceID    string `bson:"serviceId,omitempty" json:"serviceId,omitempty"`
	RoomID       string `bson:"roomId,omitempty" json:"roomId,omitempty"`
	Reason       string `bson:"reason,omitempty" json:"reason,omitempty"`
	Span         `bson:",inline"`
	Status       string `bson:"status" json:"status"`
	// Overbooked: booked on purpose over other appointments, without
	// claiming its time.
	Overbooked bool       `bson:"overbooked,omitempty" json:"overbooked,omitempty"`
	ArrivedAt  *time.Time `bson:"arrivedAt,omitempty" json:"arrivedAt,omitempty"`
	// CompletedAt: when it was completed; the rest of its time is free.
	CompletedAt  *time.Time `bson:"completedAt,omitempty" json:"completedAt,omitempty"`
	CancelledBy  string     `bson:"cancelledBy,omitempty" json:"cancelledBy,omitempty"`
	CancelReason string     `bson:"cancelReason,omitempty" json:"cancelReason,omitempty"`
	// Requester is who asked for a requested appointment online; the
	// patient record is chosen or created when the clinic confirms it.
	Requester *Requester `bson:"requester,omitempty" json:"requester,omitempty"`
}

// Requester is the person behind an online booking request, as they gave
// themselves.
type Requester struct {
	Name        string `bson:"name" json:"name"`
	DateOfBirth string `bson:"dateOfBirth" json:"dateOfBirth"` // YYYY-MM-DD
	Phone       string `bson:"phone" json:"phone"`
	Email       string `bson:"email" json:"email"`
}

// Span is when an appointment is: [Start, End), Minutes long.
type Span struct {
	Start   time.Time `bson:"start" json:"start"`
	Minutes int       `bson:"minutes" json:"minutes"`
	End     time.Time `bson:"end" json:"end"`
}

// settingsCollection holds the module's settings, a document per clinic
// and concern (reminders, online booking).
const settingsCollection = "appointment_settings"

var kind = records.Kind{Collection: "appointments", Revisions: "appointment_revisions", Ref: "appointmentId"}

// The actions the module records in the audit log.
const (
	actionBook       = "appointment.book"
	actionRequest    = "appointment.request"
	actionOverbook   = "appointment.overbook"
	actionReschedule = "appointment.reschedule"
	actionArrive     = "appointment.arrive"
	actionStart      = "appointment.start"
	actionComplete   = "appointment.complete"
	actionCancel     = "appointment.cancel"
	actionNoShow     = "appointment.no_show"
	actionView       = "appointment.view"
	actionList       = "appointment.list"
)

// Indexes implements app.IndexDeclarer: a day's appointments (of the
// clinic, of a provider, of a patient), the claims (unique: the guard
// against double-booking) and an appointment's claims.
func (m *Module) Indexes() []db.Index {
	return append(append(kind.Indexes(), hoursIndexes()...),
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "start"}},
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "providerId", "start"}},
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "patientId", "start"}},
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "requester.email", "status"}},
		db.Index{Collection: slotsCollection, Keys: []string{db.TenantField, "resource", "unit"}, Unique: true},
		db.Index{Collection: slotsCollection, Keys: []string{db.TenantField, "appointmentId"}})
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "appointments", Label: "Appointments",
		Actions: []string{"read", "create", "update", "delete", "overbook", "provide"}, Clinical: true,
		Description: "See the schedule, book appointments, reschedule them and record arrivals, cancel them (delete = cancel: nothing is erased), " +
			"book over another appointment on purpose (overbook), and be bookable as a provider (provide): " +
			"a provider moves the status of their own appointments (arrived, in consultation, completed, no-show) without update."}}
}

// AuditActions implements app.AuditDeclarer.
func (m *Module) AuditActions() []audit.Action {
	const link = "/appointments/"
	return append([]audit.Action{
		{Code: actionBook, Label: "Booked an appointment", Says: "booked the appointment", Link: link},
		{Code: actionRequest, Label: "Requested an appointment online", Says: "requested online the appointment", Link: link},
		{Code: actionOverbook, Label: "Overbooked an appointment", Says: "booked over other appointments the appointment", Link: link},
		{Code: actionReschedule, Label: "Rescheduled an appointment", Says: "rescheduled the appointment", Link: link},
		{Code: actionArrive, Label: "Recorded an arrival", Says: "recorded the patient's arrival for the appointment", Link: link},
		{Code: actionStart, Label: "Started a consultation", Says: "started the consultation of the appointment", Link: link},
		{Code: actionComplete, Label: "Completed an appointment", Says: "completed the appointment", Link: link},
		{Code: actionCancel, Label: "Cancelled an appointment", Says: "cancelled the appointment", Link: link},
		{Code: actionNoShow, Label: "Recorded a no-show", Says: "recorded that the patient did not come to the appointment", Link: link},
		{Code: actionView, Label: "Viewed an appointment", Says: "viewed the appointment", Link: link},
		{Code: actionList, Label: "Viewed appointments", Says: "viewed a list of appointments"},
		{Code: actionSchedule, Label: "Changed working hours", Says: "changed the working hours of", Link: "/appointments/hours/"},
		{Code: actionReminderSettings, Label: "Changed appointment settings", Says: "changed the appointment settings", Link: remindersPath},
	}, onlineActions()...)
}

// Routes implements app.RouteDeclarer: the API, the staff pages, working
// hours, reminder settings and online booking.
func (m *Module) Routes(r *app.Routes) {
	read, create, update := app.Allow("appointments", "read"), app.Allow("appointments", "create"), app.Allow("appointments", "update")
	r.Clinic(http.MethodGet, "/api/providers", read, m.providers)
	r.Clinic(http.MethodGet, "/api/appointments", read, m.list)
	r.Clinic(http.MethodPost, "/api/appointments", create, m.book)
	r.Clinic(http.MethodGet, "/api/appointments/:id", read, m.show)
	r.Clinic(http.MethodPut, "/api/appointments/:id", update, m.reschedule)
	r.Clinic(http.MethodPost, "/api/appointments/:id/status", read, m.setStatus) // update, or provide for one's own: checked in the handler
	m.pageRoutes(r)
	m.hoursRoutes(r)
	m.reminderRoutes(r)
	m.publicRoutes(r)
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{
		{Label: "Calendar", Href: "/appointments", Resource: "appointments", Group: app.GroupFrontDesk, Order: 20},
		{Label: "Queue", Href: "/appointments/queue", Resource: "appointments", Group: app.GroupFrontDesk, Order: 21},
		{Label: "Next free slot", Href: "/appointments/free", Resource: "appointments", Group: app.GroupFrontDesk, Order: 22},
		{Label: "Online requests", Href: "/appointments/requests", Resource: "appointments", Group: app.GroupFrontDesk, Order: 25},
		{Label: "Working hours", Href: "/appointments/hours", Resource: "appointments", Group: app.GroupFrontDesk, Order: 26},
		{Label: "Appointment settings", Href: "/appointments/settings/reminders", Resource: "settings", Group: app.GroupAdmin, Order: 96},
	}
}

// Jobs implements app.JobDeclarer.
func (m *Module) Jobs() []app.Job { return m.reminderJobs() }
