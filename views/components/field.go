// Package components holds the small pieces pages are built from.
package components

// Field describes one form control and its state after a submission.
type Field struct {
	Name         string // form field name (the public contract)
	Label        string
	Type         string // text, email, password, textarea, file
	Value        string // the user's input, kept on errors (never for passwords)
	Error        string // shown beside the field
	Hint         string
	Autocomplete string
	Required     bool
	MaxLength    int
	Accept       string   // file inputs
	Choices      []Choice // select
	// Prefix goes before the control's id, where one form shows twice on
	// a page (a comment's reply form beside the comment form).
	Prefix string
}

// Choice is one option of a select: its value and what it says.
type Choice struct{ Value, Label string }

func (f Field) id() string      { return "f-" + f.Prefix + f.Name }
func (f Field) errorID() string { return f.id() + "-error" }
func (f Field) hintID() string  { return f.id() + "-hint" }
func (f Field) invalid() string {
	if f.Error != "" {
		return "true"
	}
	return "false"
}

func (f Field) describedBy() string {
	ids := ""
	if f.Hint != "" {
		ids = f.hintID()
	}
	if f.Error != "" {
		if ids != "" {
			ids += " "
		}
		ids += f.errorID()
	}
	return ids
}

func (f Field) attrs() map[string]any {
	a := map[string]any{"aria-invalid": f.invalid()}
	if d := f.describedBy(); d != "" {
		a["aria-describedby"] = d
	}
	if f.Autocomplete != "" {
		a["autocomplete"] = f.Autocomplete
	}
	if f.Required {
		a["required"] = true
	}
	if f.MaxLength > 0 {
		a["maxlength"] = f.MaxLength
	}
	if f.Accept != "" {
		a["accept"] = f.Accept
	}
	return a
}
