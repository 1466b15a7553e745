package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/admintable"
	"quire/views/admin"
	"quire/views/format"
	"quire/views/urls"
)

// The admin tables' view models: a declared table's rows, cells, filters,
// pager and editor shaped for the components in views/admin.

// tableView is the list in state q: its rows, filters, sort links and pager.
func (a *App) tableView(c echo.Context, t *adminTable, q admintable.Query) (admin.TableView, error) {
	ctx := c.Request().Context()
	res, err := t.List(ctx, a.DB, q)
	if err != nil {
		return admin.TableView{}, err
	}
	back := t.Encode(q)
	v := admin.TableView{
		Name: t.Name, Title: t.Title, Noun: t.Plural, Base: urls.AdminTable(t.Name, ""), URL: listURL(t, q), Back: back,
		Tabs: a.adminTabs(c, t.Name), Search: q.Search, Total: res.Total, Approx: res.Approx, MatchingCap: admintable.MaxMatching,
		CSRF: csrfToken(c), Create: t.create,
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
	viewer, _ := currentUser(c)
	for _, r := range res.Rows {
		rv := t.rowView(a.formatter(c), r, back, true)
		if !viewer.Can(models.PermAdmin) {
			rv.Links = rv.Links[:len(r.Links)] // History, last, opens the audit log: not the editors'
		}
		v.Rows = append(v.Rows, rv)
	}
	for _, act := range t.BulkActions {
		v.Bulk = append(v.Bulk, admin.Option{Value: act.Key, Label: act.Label})
	}

	last := res.Pages(q)
	pv := admin.PagerView{Page: q.Page, Last: last, Total: res.Total, Approx: res.Approx}
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
// rowLabelLen bounds a row's name in checkbox labels and confirmations.
const rowLabelLen = 80

func (t *adminTable) rowView(f format.Formatter, r admintable.Row, back string, interactive bool) admin.RowView {
	rv := admin.RowView{ID: r.ID}
	for _, col := range t.Columns {
		cell := t.cellView(f, col, r)
		if interactive && col.Editable != nil && t.edit != nil {
			cell.Edit = withBack(urls.AdminEdit(t.Name, r.ID, col.Key), back)
		}
		rv.Cells = append(rv.Cells, cell)
	}
	if len(rv.Cells) > 0 {
		rv.Label = rv.Cells[0].Text
		if rv.Cells[0].Kind == string(admintable.Image) && len(rv.Cells) > 1 {
			rv.Label = rv.Cells[1].Text
		}
		if r := []rune(rv.Label); len(r) > rowLabelLen { // a comment's whole body names its row
			rv.Label = string(r[:rowLabelLen-1]) + "…"
		}
	}
	if !interactive {
		return rv
	}
	for _, act := range t.RowActions {
		if !act.Matches(r) {
			continue
		}
		path := urls.AdminRow(t.Name, r.ID, act.Key)
		ra := admin.RowAction{Key: act.Key, Label: act.Label, Danger: act.Danger, Direct: !act.Confirm, URL: path}
		if act.Confirm {
			ra.URL = withBack(path, back)
		}
		rv.Actions = append(rv.Actions, ra)
	}
	for _, l := range r.Links {
		rv.Links = append(rv.Links, admin.Link{Label: l.Label, Href: adminLink(l.To)})
	}
	if t.History {
		rv.Links = append(rv.Links, admin.Link{Label: "History",
			Href: urls.AdminHistory(t.Name, r.ID)})
	}
	return rv
}

// cellView formats a value the way its column's Render says.
func (t *adminTable) cellView(f format.Formatter, col admintable.Column, r admintable.Row) admin.Cell {
	c := admin.Cell{DomID: fmt.Sprintf("cell-%s-%d-%s", t.Name, r.ID, col.Key), Kind: string(col.Render),
		Key: col.Key, Label: col.Label}
	val := r.Values[col.Key]
	switch col.Render {
	case admintable.Date:
		c.Text = "—"
		if tm, ok := val.(time.Time); ok {
			c.Text = f.DateTime(tm)
		}
	case admintable.Number:
		n, _ := val.(int64)
		c.Text = format.Number(int(n))
	case admintable.Bytes:
		n, _ := val.(int64)
		c.Text = format.Bytes(n)
	case admintable.Link:
		c.Text, c.Href = cellText(val), adminLink(r.Targets[col.Key])
	case admintable.Image:
		c.Text = urls.Media(cellText(val))
	case admintable.Links:
		var links []struct {
			Text string
			Args []string
		}
		_ = json.Unmarshal([]byte(cellText(val)), &links)
		for _, l := range links {
			c.Links = append(c.Links, admin.Link{Label: l.Text, Href: adminLink(admintable.Target{Page: col.Link.Page, Args: l.Args})})
		}
		c.Text = "—"
	case admintable.Changes:
		c.Changes = auditChanges(cellText(val))
	default:
		c.Text = cellText(val)
	}
	return c
}

// adminLink is the URL of a page a table links to, "" for none.
func adminLink(to admintable.Target) string {
	arg := func(i int) string { // a declaration short of arguments gives a dead link, not a panic
		if i < len(to.Args) {
			return to.Args[i]
		}
		return ""
	}
	id := func(i int) int64 {
		n, _ := strconv.ParseInt(arg(i), 10, 64)
		return n
	}
	switch to.Page {
	case models.PostPage: // slug, and kind when the row may be a page
		if arg(1) == "page" {
			return urls.Page(arg(0))
		}
		return urls.Post(arg(0))
	case models.AuthorPage:
		return urls.Author(arg(0))
	case models.EditPostPage:
		return urls.EditPost(arg(0))
	case models.RevisionsPage:
		return urls.PostRevisions(id(0))
	case models.HistoryPage:
		return urls.AdminHistory(arg(0), id(1))
	case models.RedirectPage: // kind, then slug, tag or address
		return redirectHref(arg(0), arg(1))
	}
	return ""
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

// auditChanges reads an audit entry's {"before":{...},"after":{...}} into one
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

// adminCount is n rows in words: "1 user", "1,200 users".
func adminCount(t *adminTable, n int) string {
	if n == 1 {
		return "1 " + t.Noun
	}
	return format.Number(n) + " " + t.Plural
}

// editorView is the inline editor of col on row r, holding value over version.
func (t *adminTable) editorView(c echo.Context, f format.Formatter, col admintable.Column, r admintable.Row, back admintable.Query, value string, version int) admin.EditorView {
	cell := t.cellView(f, col, r)
	v := admin.EditorView{
		Heading: col.Label + " of " + t.rowView(f, r, "", false).Label, Label: col.Label, Type: col.Editable.Type,
		Value: value, MaxLen: col.Editable.MaxLen, Version: version, PostURL: urls.AdminEdit(t.Name, r.ID, col.Key),
		CellURL: withBack(urls.AdminCell(t.Name, r.ID, col.Key), t.Encode(back)), BackURL: listURL(t, back), Back: t.Encode(back),
		CSRF: csrfToken(c), Inline: wantsFragment(c.Request()), DomID: cell.DomID, FieldName: col.Key,
	}
	for _, ch := range col.Editable.Choices {
		v.Options = append(v.Options, admin.Option{Value: ch.Value, Label: ch.Label, Selected: ch.Value == value})
	}
	return v
}
