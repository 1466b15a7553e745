package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/views/pages"
)

// commentsSwitch reads the editor's "Allow comments" into form and returns
// whether the post's comments are to be closed; nil when the form has no
// such checkbox (a page's, or a form sent without it), which keeps them.
func commentsSwitch(c echo.Context, form *pages.EditorView) *bool {
	if c.FormValue("comments_switch") == "" {
		form.AllowComments = true
		return nil
	}
	form.AllowComments = c.FormValue("allow_comments") != ""
	closed := !form.AllowComments
	return &closed
}
