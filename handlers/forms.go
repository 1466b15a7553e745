package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/format"
	"quire/views/pages"
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

// checkYourMail is the answer to a form whose result goes out by mail.
func (a *App) checkYourMail(c echo.Context, text string) error {
	p := a.page(c, "Check your email")
	heading := "Check your email"
	return render(c, http.StatusOK, pages.Notice(p, heading, text, nil), pages.NoticeContent(heading, text, nil))
}

// throttledForm answers 429 with the form and a message saying when to try
// again (msg holds one %s for the minutes); err is the
// *models.ThrottledError (anything else is returned as it is).
func (a *App) throttledForm(c echo.Context, err error, title string, v pages.FormPage, msg string) error {
	var te *models.ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds())))
	v.Form.Error = fmt.Sprintf(msg, format.Minutes(te.RetryAfter))
	return a.renderForm(c, http.StatusTooManyRequests, title, v)
}

// renderForm renders a form page, or just its content for an htmx request.
func (a *App) renderForm(c echo.Context, status int, title string, v pages.FormPage) error {
	p := a.page(c, title)
	v.Form.CSRF = p.CSRF
	return render(c, status, pages.FormScreen(p, v), pages.FormContent(v))
}
