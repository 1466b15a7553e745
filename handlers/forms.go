package handlers

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
)

// field reads a free-text form value: trimmed of surrounding space, and
// storable (see models.CleanText).
func field(c echo.Context, name string) string {
	return strings.TrimSpace(models.CleanText(c.FormValue(name)))
}

// versionField reads the version an edit started from. Anything but a
// version a row can have (1 up to PostgreSQL's integer) is 0, which no row
// has: a mangled form is a conflict, never a database error or a skipped check.
func versionField(c echo.Context) int {
	n, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0
	}
	return n
}

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
