package models

// rowChange is what every change of many rows declares, a post's
// (postChange) or an account's (userChange): the fields it sets and the
// UPDATE that sets them.
type rowChange struct {
	action  string
	after   map[string]any // the changed fields' new values
	update  string         // UPDATE ... WHERE id = ANY($1); further arguments in args
	args    []any
	note    string
	version int // >= 0: one row, which must be at this version
}

// entry is the audit entry of ch on one row of model, whose values now
// field gives, with only the fields it changes; false when it changes none.
func (ch rowChange) entry(model string, id int64, field func(string) any) (AuditEntry, bool) {
	before := map[string]any{}
	for k := range ch.after {
		before[k] = field(k)
	}
	b, a := diff(before, ch.after)
	if len(a) == 0 {
		return AuditEntry{}, false
	}
	return AuditEntry{Model: model, ObjectID: id, Action: ch.action, Before: b, After: a, Note: ch.note}, true
}
