package handlers

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/views/components"
)

// field reads a form value, trimmed of surrounding space.
func field(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }

// fieldErrors collects messages by field name; empty means valid.
type fieldErrors map[string]string

func (fe fieldErrors) add(name, msg string) {
	if msg != "" && fe[name] == "" {
		fe[name] = msg
	}
}

// maxLen adds an error when value is longer than n characters.
func (fe fieldErrors) maxLen(name, value string, n int) {
	if utf8.RuneCountInString(value) > n {
		fe.add(name, "Use at most "+strconv.Itoa(n)+" characters.")
	}
}

// apply puts each error beside its field in the form view.
func (fe fieldErrors) apply(fs []components.Field) []components.Field {
	for i := range fs {
		fs[i].Error = fe[fs[i].Name]
	}
	return fs
}
