package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/admintable"
	"quire/views/admin"
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
}

type adminAction func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error)

// actionInput is what the confirmation asked for.
type actionInput struct{ Reason, Option string }

// adminTables lists every admin table in navigation order; New builds them
// once. A new model's table is its declaration, its actions' queries and
// one line here.
func (a *App) adminTables() []*adminTable {
	return []*adminTable{a.adminUsers(), a.adminPosts(), a.adminMedia(), a.adminAudit()}
}

// tableParam finds /admin/{table} among the tables built at New.
func (a *App) tableParam(c echo.Context) (*adminTable, error) {
	for _, t := range a.tables {
		if t.Name == c.Param("table") {
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
	if s := t.Encode(q); s != "" {
		return "/admin/" + t.Name + "?" + s
	}
	return "/admin/" + t.Name
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

func (a *App) tableView(c echo.Context, t *adminTable, q admintable.Query) (admin.TableView, error) {
	ctx := c.Request().Context()
	res, err := t.List(ctx, a.DB, q)
	if err != nil {
		return admin.TableView{}, err
	}
	base := "/admin/" + t.Name
	back := t.Encode(q)
	v := admin.TableView{
		Name: t.Name, Title: t.Title, Noun: t.Plural, Base: base, URL: listURL(t, q), Back: back,
		Tabs: a.adminTabs(t.Name), Search: q.Search, Total: res.Total, MatchingCap: admintable.MaxMatching,
		CSRF:       csrfToken(c),
		HasActions: len(t.RowActions) > 0 || len(t.Links) > 0 || t.History,
	}
	var searchIn []string
	for _, col := range t.Columns {
		if col.Searchable {
			searchIn = append(searchIn, strings.ToLower(col.Label))
		}
	}
	v.Searchable = len(searchIn) > 0
	v.SearchHint = "Search " + strings.Join(searchIn, ", ")

	for _, f := range t.Filters {
		fv := admin.FilterView{Key: f.Key, Label: f.Label, Value: q.Filters[f.Key],
			ClearURL: listURL(t, q.WithFilter(f.Key, ""))}
		choices := f.Choices
		switch {
		case f.Date:
			fv.Kind = "date"
			fv.From, fv.To = admintable.DateRange(fv.Value)
		case f.Int && f.ChoicesSQL == "":
			fv.Kind = "id"
		case f.Int:
			if choices, err = t.FilterChoices(ctx, a.DB, f); err != nil {
				return admin.TableView{}, err
			}
			if fv.Value != "" && !slices.ContainsFunc(choices, func(ch admintable.Choice) bool { return ch.Value == fv.Value }) {
				choices = append(choices, admintable.Choice{Value: fv.Value, Label: "#" + fv.Value})
			}
			fallthrough
		default:
			fv.Kind = "select"
			for _, ch := range choices {
				fv.Options = append(fv.Options, admin.Option{Value: ch.Value, Label: ch.Label, Selected: ch.Value == fv.Value})
			}
		}
		v.Filters = append(v.Filters, fv)
	}
	vals := t.Values(q)
	for _, k := range []string{"sort", "per_page"} {
		if s := vals.Get(k); s != "" {
			v.Keep = append(v.Keep, admin.Hidden{Name: k, Value: s})
		}
	}

	for _, col := range t.Columns {
		h := admin.Header{Key: col.Key, Label: col.Label}
		if col.Sortable {
			h.Href = listURL(t, q.WithSort(col.Key))
			if q.Sort == col.Key {
				h.Sort = map[bool]string{false: "ascending", true: "descending"}[q.Desc]
			}
		}
		v.Headers = append(v.Headers, h)
	}
	for _, r := range res.Rows {
		v.Rows = append(v.Rows, t.rowView(r, back, true))
	}
	for _, act := range t.BulkActions {
		v.Bulk = append(v.Bulk, admin.Option{Value: act.Key, Label: act.Label})
	}

	last := res.Pages(q)
	pv := admin.PagerView{Page: q.Page, Last: last, Total: res.Total}
	if len(res.Rows) > 0 {
		pv.From = (q.Page-1)*q.PerPage + 1
		pv.To = pv.From + len(res.Rows) - 1
	}
	if q.Page > 1 {
		pv.First, pv.Prev = listURL(t, q.WithPage(1)), listURL(t, q.WithPage(min(q.Page-1, last)))
	}
	if q.Page < last {
		pv.Next, pv.LL = listURL(t, q.WithPage(q.Page+1)), listURL(t, q.WithPage(last))
	}
	sizes := slices.Clone(t.PageSizes)
	slices.Sort(sizes)
	for _, n := range sizes {
		pv.Sizes = append(pv.Sizes, admin.SizeLink{Size: n, Href: listURL(t, q.WithPerPage(n)), Current: n == q.PerPage})
	}
	v.Pager = pv
	return v, nil
}

// rowView shapes a row; interactive rows have their edit controls, row
// actions and links, rows listed in a confirmation do not.
func (t *adminTable) rowView(r admintable.Row, back string, interactive bool) admin.RowView {
	rv := admin.RowView{ID: r.ID}
	for _, col := range t.Columns {
		cell := t.cellView(col, r)
		if interactive && col.Editable != nil && t.edit != nil {
			cell.Edit = withBack(fmt.Sprintf("/admin/%s/%d/edit/%s", t.Name, r.ID, col.Key), back)
		}
		rv.Cells = append(rv.Cells, cell)
	}
	if len(rv.Cells) > 0 {
		rv.Label = rv.Cells[0].Text
		if rv.Cells[0].Kind == string(admintable.Image) && len(rv.Cells) > 1 {
			rv.Label = rv.Cells[1].Text
		}
	}
	if !interactive {
		return rv
	}
	for _, act := range t.RowActions {
		if !act.Matches(r) {
			continue
		}
		path := fmt.Sprintf("/admin/%s/%d/%s", t.Name, r.ID, act.Key)
		ra := admin.RowAction{Key: act.Key, Label: act.Label, Danger: act.Danger, Direct: !act.Confirm, URL: path}
		if act.Confirm {
			ra.URL = withBack(path, back)
		}
		rv.Actions = append(rv.Actions, ra)
	}
	for _, l := range r.Links {
		rv.Links = append(rv.Links, admin.Link{Label: l.Label, Href: l.Href})
	}
	if t.History {
		rv.Links = append(rv.Links, admin.Link{Label: "History",
			Href: fmt.Sprintf("/admin/audit?model=%s&object=%d", t.Name, r.ID)})
	}
	return rv
}

// cellView formats a value the way its column's Render says.
func (t *adminTable) cellView(col admintable.Column, r admintable.Row) admin.Cell {
	c := admin.Cell{DomID: fmt.Sprintf("cell-%s-%d-%s", t.Name, r.ID, col.Key), Kind: string(col.Render),
		Key: col.Key, Label: col.Label}
	val := r.Values[col.Key]
	switch col.Render {
	case admintable.Date:
		c.Text = "—"
		if tm, ok := val.(time.Time); ok {
			c.Text = tm.UTC().Format("2 Jan 2006 15:04")
		}
	case admintable.Number:
		n, _ := val.(int64)
		c.Text = admin.Thousands(int(n))
	case admintable.Bytes:
		n, _ := val.(int64)
		c.Text = adminBytes(n)
	case admintable.Link:
		c.Text, c.Href = cellText(val), r.Hrefs[col.Key]
	case admintable.Links:
		var links []struct{ Text, Href string }
		_ = json.Unmarshal([]byte(cellText(val)), &links)
		for _, l := range links {
			c.Links = append(c.Links, admin.Link{Label: l.Text, Href: l.Href})
		}
		c.Text = "—"
	case admintable.Changes:
		c.Changes = auditChanges(cellText(val))
	default:
		c.Text = cellText(val)
	}
	return c
}

func cellText(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func adminBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// changes reads an audit entry's {"before":{...},"after":{...}} into one
// line per field.
func auditChanges(raw string) []admin.Change {
	var doc struct{ Before, After map[string]any }
	if json.Unmarshal([]byte(raw), &doc) != nil {
		return nil
	}
	fields := map[string]bool{}
	for k := range doc.Before {
		fields[k] = true
	}
	for k := range doc.After {
		fields[k] = true
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	show := func(m map[string]any, k string) string {
		v, ok := m[k]
		switch {
		case !ok || v == nil:
			return "—"
		case v == "":
			return "(empty)"
		}
		if s, ok := v.(string); ok {
			return s
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	out := make([]admin.Change, len(keys))
	for i, k := range keys {
		out[i] = admin.Change{Field: k, Before: show(doc.Before, k), After: show(doc.After, k)}
	}
	return out
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
		ids, total, err = t.IDsMatching(c.Request().Context(), a.DB, back)
		if err != nil {
			return err
		}
		if total > len(ids) {
			capped = fmt.Sprintf("Only the first %s of the %s matching %s are included: one bulk action changes at most %s.",
				admin.Thousands(len(ids)), admin.Thousands(total), t.Plural, admin.Thousands(admintable.MaxMatching))
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

// parseIDs reads row ids; anything but positive integers is a 400.
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
		what = t.rowView(rows[0], "", false).Label
	}
	v := admin.ConfirmView{
		Tabs: a.adminTabs(t.Name), Heading: act.Label + " " + what + "?", Help: act.Help, Action: act.Key,
		Submit: act.Label + " " + what, Danger: act.Danger, CancelURL: listURL(t, back), Capped: s.capped,
		More: len(ids) - min(len(ids), confirmListed), Back: t.Encode(back), NeedsReason: act.NeedsReason,
		Reason: s.in.Reason, Error: s.problem, CSRF: csrfToken(c),
		PostURL: fmt.Sprintf("/admin/%s/%d/%s", t.Name, ids[0], act.Key),
	}
	if s.bulk {
		v.PostURL = "/admin/" + t.Name + "/bulk"
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
		v.Rows = append(v.Rows, t.rowView(r, "", false))
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

func adminCount(t *adminTable, n int) string {
	if n == 1 {
		return "1 " + t.Noun
	}
	return admin.Thousands(n) + " " + t.Plural
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

func (t *adminTable) editorView(c echo.Context, col admintable.Column, r admintable.Row, back admintable.Query, value string, version int) admin.EditorView {
	path := fmt.Sprintf("/admin/%s/%d/", t.Name, r.ID)
	cell := t.cellView(col, r)
	v := admin.EditorView{
		Heading: col.Label + " of " + t.rowView(r, "", false).Label, Label: col.Label, Type: col.Editable.Type,
		Value: value, MaxLen: col.Editable.MaxLen, Version: version, PostURL: path + "edit/" + col.Key,
		CellURL: withBack(path+"cell/"+col.Key, t.Encode(back)), BackURL: listURL(t, back), Back: t.Encode(back),
		CSRF: csrfToken(c), Inline: wantsFragment(c.Request()), DomID: cell.DomID, FieldName: col.Key,
	}
	for _, ch := range col.Editable.Choices {
		v.Options = append(v.Options, admin.Option{Value: ch.Value, Label: ch.Label, Selected: ch.Value == value})
	}
	return v
}

func (a *App) renderAdminEditor(c echo.Context, t *adminTable, status int, v admin.EditorView) error {
	if v.Inline {
		return render(c, status, admin.CellEditor(v), nil)
	}
	v.Tabs = a.adminTabs(t.Name)
	return render(c, status, admin.EditorPage(a.adminPage(c, v.Heading), v), nil)
}

// getAdminEdit opens the editor on the row as it is now.
func (a *App) getAdminEdit(c echo.Context) error {
	t, col, r, err := a.editTarget(c)
	if err != nil {
		return err
	}
	back := backQuery(t, c.QueryParam("back"))
	return a.renderAdminEditor(c, t, http.StatusOK, t.editorView(c, col, r, back, cellText(r.Values[col.Key]), r.Version))
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
	rv := t.rowView(r, t.Encode(back), true)
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
	v := t.editorView(c, col, r, back, value, version)
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
		v.Conflict = "Someone changed this " + t.Noun + " meanwhile; it now says “" + t.cellView(col, r).Text +
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
