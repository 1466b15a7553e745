package components

// Form is a whole form: its fields, hidden values and the outcome of the
// last submission.
type Form struct {
	ID        string
	Action    string
	Submit    string
	CSRF      string
	Error     string // about the whole form, e.g. wrong password
	Fields    []Field
	Hidden    map[string]string
	Multipart bool
}

func (f Form) enctype() string {
	if f.Multipart {
		return "multipart/form-data"
	}
	return "application/x-www-form-urlencoded"
}
