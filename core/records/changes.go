package records

// Change is a field that differs between two versions of a record, with
// its value in the second as text.
type Change struct{ Name, Value string }

// Changes lists what differs between two versions of a record, field by
// field in the order they were added: what a conflict shows the editor they
// typed, and (by name only) what a save records as changed.
type Changes []Change

// Add notes the field name if differ, with value its new value.
func (c *Changes) Add(name string, differ bool, value string) {
	if differ {
		*c = append(*c, Change{name, value})
	}
}

// Names are the changed fields' names: what the history and the audit log
// keep, so neither becomes a second copy of the record.
func (c Changes) Names() []string {
	var out []string
	for _, ch := range c {
		out = append(out, ch.Name)
	}
	return out
}
