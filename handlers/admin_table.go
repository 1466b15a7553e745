package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/admintable"
	"quire/views/admin"
	"quire/views/format"
	"quire/views/urls"
)

// The generic admin table: every declared table is served by these
// handlers and rendered by the one set of components in views/admin.
//
//	GET  /admin/{table}                       the list: page, or the table fragment for htmx
//	POST /admin/{table}/bulk                  confirm a bulk action (or apply it, with confirm=1)
//	GET  /admin/{table}/{id}/{action}         confirm a row action
//	POST /admin/{table}/{id}/{action}         apply a row action
//	GET  /admin/{table}/{id}/edit/{field}     the inline editor
//	POST /admin/{table}/{id}/edit/{field}     save an inline edit
//	GET  /admin/{table}/{id}/cell/{field}     the cell as it is (Cancel)
//
// Forms that act on rows carry the list's state (its query string) in the
// field "back", so the list comes back as it was after the action.

// adminTable binds a declared table to what its actions and edits do.
type adminTable struct {
	*admintable.Table
	// act runs an action, row or bulk alike, over ids: one transaction with
	// its audit entries.
	act map[string]adminAction
	// edit saves an inline edit of field over version (nil: none editable).
	edit func(ctx context.Context, who models.Actor, id int64, version int, field, value string) error
	// editValue, when set, is what the editor of a cell starts from (the
	// cell's text otherwise): where a redirect leads, not the post's title.
	editValue func(col admintable.Column, r admintable.Row) string
	// perm is what the table asks of its viewer's role; "" is PermAdmin.
	perm models.Permission
	// create, when set, links from the list to the form that adds a row.
	create *admin.Tab
}

func (t *adminTable) permission() models.Permission { return cmp.Or(t.perm, models.PermAdmin) }

type adminAction func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error)

// actionInput is what the confirmation asked for.
type actionInput struct{ Reason, Option string }

// adminTables lists every admin table in navigation order; New builds them
// once. A new model's table is its declaration, its actions' queries and
// one line here.
func (a *App) adminTables() []*adminTable {
	return []*adminTable{a.adminUsers(), a.adminPosts(), a.adminMedia(), a.adminInvitations(), a.adminReview(), a.adminComments(), a.adminRedirects(), a.adminAudit()}
}

// tableParam finds /admin/{table} among the tables built at New; a table
// the viewer's role may not use is a 403.
func (a *App) tableParam(c echo.Context) (*adminTable, error) {
	for _, t := range a.tables {
		if t.Name == c.Param("table") {
			if u, _ := currentUser(c); !u.Can(t.permission()) {
				return nil, errForbidden
			}
			return t, nil
		}
	}
	return nil, models.ErrNotFound
}

// maxReasonLen bounds a reason, in characters.
const maxReasonLen = 500

// confirmListed is how many rows a confirmation lists by name.
const confirmListed = 50

func adminBadRequest(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }

// getAdminList is a table in the state its URL describes. htmx gets the
// table fragment and the canonical URL to push, so refresh, Back and a
// shared link all show the same state.
func (a *App) getAdminList(c echo.Context) error {
	t, err := a.tableParam(c)
	if err != nil {
		return err
	}
	q, err := t.Parse(c.QueryParams())
	var pe *admintable.ParamError
	if errors.As(err, &pe) {
		return adminBadRequest(pe.Msg)
	}
	return a.renderAdminList(c, t, q, http.StatusOK, "", "")
}

func (a *App) renderAdminList(c echo.Context, t *adminTable, q admintable.Query, status int, notice, problem string) error {
	v, err := a.tableView(c, t, q)
	if err != nil {
		return err
	}
	v.Notice, v.Error = notice, problem
	if wantsFragment(c.Request()) {
		if c.Request().Method == http.MethodGet {
			setPushURL(c, v.URL)
		}
		return render(c, status, admin.TableFragment(v), nil)
	}
	return render(c, status, admin.TablePage(a.adminPage(c, t.Title), v), nil)
}

func listURL(t *adminTable, q admintable.Query) string {
	return urls.AdminTable(t.Name, t.Encode(q))
}

// withBack adds the list state to a URL that leads away from the list.
func withBack(path, back string) string {
	if back == "" {
		return path
	}
	return path + "?back=" + url.QueryEscape(back)
}

// backQuery reads the list state a form carried; a state that no longer
// parses (the declaration changed) falls back to the default list.
func backQuery(t *adminTable, back string) admintable.Query {
	v, err := url.ParseQuery(back)
	if err == nil {
		if q, err := t.Parse(v); err == nil {
			return q
		}
	}
	q, _ := t.Parse(url.Values{})
	return q
}

// Bulk and row actions.

// postAdminBulk asks to confirm a bulk action on the selected rows, or on
// every row the list's search and filters match (up to MaxMatching); the
// confirmation posts back with confirm=1 and the ids, and that applies it.
func (a *App) postAdminBulk(c echo.Context) error {
	t, err := a.tableParam(c)
	if err != nil {
		return err
	}
	back := backQuery(t, c.FormValue("back"))
	act, ok := t.Action(c.FormValue("action"), true)
	if c.FormValue("action") == "" {
		return adminBadRequest("Choose an action for the selected rows first.")
	}
	if !ok {
		return adminBadRequest(fmt.Sprintf("unknown action %q", c.FormValue("action")))
	}
	form, err := c.FormParams()
	if err != nil {
		return adminBadRequest("unreadable form")
	}
	var ids []int64
	capped := ""
	switch {
	case c.FormValue("confirm") == "1":
		ids, err = parseRowIDs(strings.Split(c.FormValue("ids"), ","))
	case c.FormValue("all") == "1":
		var total int
		var approx bool
		ids, total, approx, err = t.IDsMatching(c.Request().Context(), a.DB, back)
		if err != nil {
			return err
		}
		if total > len(ids) {
			of := "the " + format.Number(total)
			if approx {
				of = "about " + format.Number(total)
			}
			capped = fmt.Sprintf("Only the first %s of %s matching %s are included: one bulk action changes at most %s.",
				format.Number(len(ids)), of, t.Plural, format.Number(admintable.MaxMatching))
		}
	default:
		ids, err = parseRowIDs(form["id"])
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return a.renderAdminList(c, t, back, http.StatusUnprocessableEntity, "",
			"Select at least one "+t.Noun+", or apply to all matching.")
	}
	if c.FormValue("confirm") != "1" {
		return a.renderAdminConfirm(c, t, act, ids, back, confirmState{bulk: true, capped: capped})
	}
	return a.applyAction(c, t, act, ids, back, true)
}

// parseRowIDs reads row ids; anything but positive integers is a 400.
func parseRowIDs(raw []string) ([]int64, error) {
	ids := []int64{}
	seen := map[int64]bool{}
	for _, s := range raw {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, adminBadRequest(fmt.Sprintf("%q is not a row id", s))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > admintable.MaxMatching {
		return nil, adminBadRequest(fmt.Sprintf("at most %d rows at once", admintable.MaxMatching))
	}
	return ids, nil
}

// rowAction reads /admin/{table}/{id}/{action}.
func (a *App) rowAction(c echo.Context) (*adminTable, admintable.Action, int64, error) {
	t, err := a.tableParam(c)
	if err != nil {
		return nil, admintable.Action{}, 0, err
	}
	act, ok := t.Action(c.Param("action"), false)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if !ok || err != nil || id <= 0 {
		return nil, admintable.Action{}, 0, models.ErrNotFound
	}
	return t, act, id, nil
}

func (a *App) getAdminRowAction(c echo.Context) error {
	t, act, id, err := a.rowAction(c)
	if err != nil {
		return err
	}
	return a.renderAdminConfirm(c, t, act, []int64{id}, backQuery(t, c.QueryParam("back")), confirmState{})
}

// postAdminRowAction applies a row action; one that needs confirming and
// arrives without confirm=1 is shown its confirmation instead.
func (a *App) postAdminRowAction(c echo.Context) error {
	t, act, id, err := a.rowAction(c)
	if err != nil {
		return err
	}
	back := backQuery(t, c.FormValue("back"))
	if act.Confirm && c.FormValue("confirm") != "1" {
		return a.renderAdminConfirm(c, t, act, []int64{id}, back, confirmState{})
	}
	return a.applyAction(c, t, act, []int64{id}, back, false)
}

// confirmState is a confirmation's situation: bulk or row, capped, and the
// outcome of a refused attempt.
type confirmState struct {
	bulk    bool
	capped  string
	status  int
	problem string
	in      actionInput
}

func (a *App) renderAdminConfirm(c echo.Context, t *adminTable, act admintable.Action, ids []int64, back admintable.Query, s confirmState) error {
	rows, err := t.Rows(c.Request().Context(), a.DB, ids[:min(len(ids), confirmListed)])
	if err != nil {
		return err
	}
	if len(rows) == 0 && !s.bulk {
		return models.ErrNotFound
	}
	what := adminCount(t, len(ids))
	if !s.bulk && len(rows) == 1 {
		what = t.rowView(a.formatter(c), rows[0], "", false).Label
	}
	v := admin.ConfirmView{
		Tabs: a.adminTabs(c, t.Name), Heading: act.Label + " " + what + "?", Help: act.Help, Action: act.Key,
		Submit: act.Label + " " + what, Danger: act.Danger, CancelURL: listURL(t, back), Capped: s.capped,
		More: len(ids) - min(len(ids), confirmListed), Back: t.Encode(back), NeedsReason: act.NeedsReason,
		Reason: s.in.Reason, Error: s.problem, CSRF: csrfToken(c),
		PostURL: urls.AdminRow(t.Name, ids[0], act.Key),
	}
	if s.bulk {
		v.PostURL = urls.AdminBulk(t.Name)
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = strconv.FormatInt(id, 10)
		}
		v.IDs = strings.Join(strs, ",")
	}
	for _, col := range t.Columns {
		v.Headers = append(v.Headers, admin.Header{Key: col.Key, Label: col.Label})
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, t.rowView(a.formatter(c), r, "", false))
	}
	if o := act.Option; o != nil {
		chosen := s.in.Option
		if chosen == "" {
			chosen = o.Default
		}
		v.Option = &admin.OptionField{Label: o.Label}
		for _, ch := range o.Choices {
			v.Option.Choices = append(v.Option.Choices, admin.Option{Value: ch.Value, Label: ch.Label, Selected: ch.Value == chosen})
		}
	}
	status := s.status
	if status == 0 {
		status = http.StatusOK
	}
	if wantsFragment(c.Request()) {
		return render(c, status, admin.ConfirmPanel(v), nil)
	}
	return render(c, status, admin.ConfirmPage(a.adminPage(c, v.Heading), v), nil)
}

// applyAction checks what the confirmation asked for, runs the action and
// reports what it did: in place with htmx, else as a notice on the list.
// A refusal (the last admin, media in use) comes back in the confirmation.
func (a *App) applyAction(c echo.Context, t *adminTable, act admintable.Action, ids []int64, back admintable.Query, bulk bool) error {
	in := actionInput{Reason: field(c, "reason"), Option: c.FormValue("option")}
	s := confirmState{bulk: bulk, in: in, status: http.StatusUnprocessableEntity}
	if o := act.Option; o != nil && in.Option == "" {
		in.Option = o.Default
	}
	switch {
	case act.NeedsReason && in.Reason == "":
		s.problem = "Give a reason."
	case utf8.RuneCountInString(in.Reason) > maxReasonLen:
		s.problem = fmt.Sprintf("Keep the reason to %d characters.", maxReasonLen)
	case act.Option != nil && !slices.ContainsFunc(act.Option.Choices, func(ch admintable.Choice) bool { return ch.Value == in.Option }):
		s.problem = "Choose: " + strings.ToLower(act.Option.Label) + "."
	}
	if s.problem != "" {
		return a.renderAdminConfirm(c, t, act, ids, back, s)
	}
	run, ok := t.act[act.Key]
	if !ok {
		return fmt.Errorf("admin %s: action %q has no implementation", t.Name, act.Key)
	}
	res, err := run(c.Request().Context(), adminActor(c), ids, in)
	var ref *models.RefusedError
	if errors.As(err, &ref) {
		s.status, s.problem = http.StatusConflict, ref.Msg
		return a.renderAdminConfirm(c, t, act, ids, back, s)
	}
	if err != nil {
		return err
	}
	// The action committed: its mail and file removals follow (res.After).
	a.afterCommit(c.Request().Context(), res.After)
	notice := act.Done + " " + adminCount(t, res.Changed) + "."
	if res.Unchanged > 0 {
		notice += fmt.Sprintf(" %s left unchanged (already so, or not applicable).", adminCount(t, res.Unchanged))
	}
	if wantsFragment(c.Request()) {
		return a.renderAdminList(c, t, back, http.StatusOK, notice, "")
	}
	a.flash(c, notice)
	return redirect(c, listURL(t, back))
}

// Inline editing.

// editTarget reads /admin/{table}/{id}/(edit|cell)/{field} and loads the row.
func (a *App) editTarget(c echo.Context) (*adminTable, admintable.Column, admintable.Row, error) {
	t, err := a.tableParam(c)
	if err != nil {
		return nil, admintable.Column{}, admintable.Row{}, err
	}
	col, ok := t.Column(c.Param("field"))
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if !ok || col.Editable == nil || t.edit == nil || err != nil || id <= 0 {
		return nil, admintable.Column{}, admintable.Row{}, models.ErrNotFound
	}
	rows, err := t.Rows(c.Request().Context(), a.DB, []int64{id})
	if err != nil {
		return nil, admintable.Column{}, admintable.Row{}, err
	}
	if len(rows) == 0 {
		return nil, admintable.Column{}, admintable.Row{}, models.ErrNotFound
	}
	return t, col, rows[0], nil
}

func (a *App) renderAdminEditor(c echo.Context, t *adminTable, status int, v admin.EditorView) error {
	if v.Inline {
		return render(c, status, admin.CellEditor(v), nil)
	}
	v.Tabs = a.adminTabs(c, t.Name)
	return render(c, status, admin.EditorPage(a.adminPage(c, v.Heading), v), nil)
}

// getAdminEdit opens the editor on the row as it is now.
func (a *App) getAdminEdit(c echo.Context) error {
	t, col, r, err := a.editTarget(c)
	if err != nil {
		return err
	}
	back := backQuery(t, c.QueryParam("back"))
	value := cellText(r.Values[col.Key])
	if t.editValue != nil {
		value = t.editValue(col, r)
	}
	return a.renderAdminEditor(c, t, http.StatusOK, t.editorView(c, a.formatter(c), col, r, back, value, r.Version))
}

// getAdminCell is the cell as it is: Cancel in the inline editor.
func (a *App) getAdminCell(c echo.Context) error {
	t, col, r, err := a.editTarget(c)
	if err != nil {
		return err
	}
	return a.renderAdminCell(c, t, col, r, backQuery(t, c.QueryParam("back")))
}

func (a *App) renderAdminCell(c echo.Context, t *adminTable, col admintable.Column, r admintable.Row, back admintable.Query) error {
	rv := t.rowView(a.formatter(c), r, t.Encode(back), true)
	for _, cell := range rv.Cells {
		if cell.Key == col.Key {
			return render(c, http.StatusOK, admin.CellContent(cell), nil)
		}
	}
	return models.ErrNotFound
}

// postAdminEdit saves an inline edit over the version the editor was
// opened on. A value the declaration refuses is 422 and a newer version
// 409, both answered with the editor and the admin's value kept.
func (a *App) postAdminEdit(c echo.Context) error {
	t, col, r, err := a.editTarget(c)
	if err != nil {
		return err
	}
	back := backQuery(t, c.FormValue("back"))
	value := c.FormValue("value")
	if col.Editable.Type == "text" {
		value = strings.TrimSpace(value)
	}
	version := versionField(c)
	v := t.editorView(c, a.formatter(c), col, r, back, value, version)
	if v.Error = checkEdit(col.Editable, value); v.Error != "" {
		return a.renderAdminEditor(c, t, http.StatusUnprocessableEntity, v)
	}
	err = t.edit(c.Request().Context(), adminActor(c), r.ID, version, col.Key, value)
	var ref *models.RefusedError
	switch {
	case errors.As(err, &ref):
		v.Error = ref.Msg
		return a.renderAdminEditor(c, t, http.StatusUnprocessableEntity, v)
	case errors.Is(err, models.ErrConflict):
		// The form now carries the newer version: saving again is a
		// deliberate overwrite of what the other admin did.
		v.Version = r.Version
		v.Conflict = "Someone changed this " + t.Noun + " meanwhile; it now says “" + t.cellView(a.formatter(c), col, r).Text +
			"”. Save again to replace that with your value."
		return a.renderAdminEditor(c, t, http.StatusConflict, v)
	case err != nil:
		return err
	}
	if !v.Inline {
		a.flash(c, col.Label+" saved.")
		return redirect(c, listURL(t, back))
	}
	rows, err := t.Rows(c.Request().Context(), a.DB, []int64{r.ID})
	if err != nil || len(rows) == 0 {
		return errors.Join(err, models.ErrNotFound)
	}
	return a.renderAdminCell(c, t, col, rows[0], back)
}

// checkEdit applies the declaration's rules to an edited value.
func checkEdit(e *admintable.Editable, value string) string {
	switch {
	case e.Type == "select" && !slices.ContainsFunc(e.Choices, func(ch admintable.Choice) bool { return ch.Value == value }):
		labels := make([]string, len(e.Choices))
		for i, ch := range e.Choices {
			labels[i] = ch.Label
		}
		return "Choose one of: " + strings.Join(labels, ", ") + "."
	case e.MaxLen > 0 && utf8.RuneCountInString(value) > e.MaxLen:
		return fmt.Sprintf("Use at most %d characters.", e.MaxLen)
	case !utf8.ValidString(value) || strings.ContainsRune(value, 0):
		return "Use plain text."
	case e.Check != nil:
		return e.Check(value)
	}
	return ""
}
