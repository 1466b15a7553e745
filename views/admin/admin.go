// Package admin holds the admin area's templ components: one generic set
// (table page and fragment, filters, pager, bulk and row actions, inline
// editor, confirmation) that every declared table renders through, and the
// dashboard. Every control is a link or a form first; htmx attributes make
// the same controls swap in place.
package admin

import (
	"strconv"

	"quire/views/format"
)

// Target is the element every table interaction swaps.
const Target = "#admin-table"

// Tab is one entry of the admin navigation.
type Tab struct {
	Label, Href string
	Current     bool
}

// TableView is one state of a table, shaped like the page.
type TableView struct {
	Name, Title string
	Noun        string // plural, for "1,000 users"
	Base        string // the list without its state: urls.AdminTable(name, "")
	URL         string // this state's canonical URL
	Back        string // this state's query string, carried by row and bulk forms
	Tabs        []Tab
	Create      *Tab // a link to add a row ("Invite someone"), when the table has one

	Searchable  bool
	Search      string
	SearchHint  string // which columns the search looks in
	Filters     []FilterView
	Keep        []Hidden // state the filter form carries: sort, per_page
	Headers     []Header
	Rows        []RowView
	Total       int
	Approx      bool // Total is an estimate: "about N"
	Pager       PagerView
	Bulk        []Option // bulk actions to choose from
	HasActions  bool     // a column of row actions
	MatchingCap int      // "select all N matching" acts on at most this many

	CSRF   string
	Notice string // what the last action did
	Error  string
}

// Hidden is a hidden form field.
type Hidden struct{ Name, Value string }

// FilterView is one filter control.
type FilterView struct {
	Key, Label string
	Kind       string // "select", "date" or "id"
	Options    []Option
	From, To   string // date
	Value      string // the active value, "" for none
	ClearURL   string // the same state without this filter
}

// Option is a choice in a select or a radio group.
type Option struct {
	Value, Label string
	Selected     bool
}

// Header is a column heading; a sortable one links to the state sorted by it.
type Header struct {
	Key, Label string
	Href       string // "" when not sortable
	Sort       string // "ascending", "descending" or ""
}

// RowView is one row.
type RowView struct {
	ID      int64
	Label   string // names the row for screen readers and confirmations
	Cells   []Cell
	Actions []RowAction
	Links   []Link
}

// Cell is one value, ready to show.
type Cell struct {
	DomID   string
	Kind    string // text, badge, date, link, image, number, bytes, links, changes
	Text    string
	Href    string
	Links   []Link
	Changes []Change
	Edit    string // the inline editor's URL, "" when not editable
	Key     string // the column's key
	Label   string // the column's label
}

// Change is one field an audited action changed.
type Change struct{ Field, Before, After string }

// Link is a labelled URL.
type Link struct{ Label, Href string }

// RowAction is an action offered on one row: a confirmation link, or a
// form that acts at once.
type RowAction struct {
	Key, Label string
	URL        string
	Direct     bool
	Danger     bool
}

// PagerView is the page links and the page-size choice.
type PagerView struct {
	Page, Last            int
	From, To, Total       int
	Approx                bool   // Total is an estimate: "about N"
	First, Prev, Next, LL string // URLs, "" when there is no such page
	Sizes                 []SizeLink
}

// SizeLink is one page-size choice.
type SizeLink struct {
	Size    int
	Href    string
	Current bool
}

// ConfirmView asks before an action, listing what it changes.
type ConfirmView struct {
	Tabs        []Tab
	Heading     string // "Hide 20 posts?"
	Help        string
	Action      string
	Submit      string
	Danger      bool
	PostURL     string
	CancelURL   string
	Headers     []Header
	Rows        []RowView
	More        int    // rows changed but not listed
	Capped      string // set when "all matching" was capped
	IDs         string // comma-separated ids, for bulk actions
	Back        string
	NeedsReason bool
	Reason      string
	Option      *OptionField
	Error       string
	CSRF        string
}

// OptionField is the choice an action asks for when confirming.
type OptionField struct {
	Label   string
	Choices []Option
}

// EditorView is the inline editor of one cell.
type EditorView struct {
	Tabs      []Tab
	Heading   string // for the full page: "Role of ada"
	Label     string
	Type      string // text, textarea or select
	Value     string
	Options   []Option
	MaxLen    int
	Version   int
	PostURL   string
	CellURL   string // the cell as it was, for Cancel in place
	BackURL   string // the list, for Cancel without JavaScript
	Back      string
	Error     string
	Conflict  string
	CSRF      string
	Inline    bool
	DomID     string
	FieldName string
}

// DashboardView is /admin.
type DashboardView struct {
	Tabs     []Tab
	Counts   []CountGroup
	Recent   []AuditItem
	NewUsers []Item
	NewPosts []Item
}

// CountGroup is one model's counts by state.
type CountGroup struct {
	Title, Href string
	Counts      []Count
}

// Count is a number of objects in one state, linking to them.
type Count struct {
	Label, N, Href string
}

// AuditItem is one recent admin action.
type AuditItem struct {
	When, Actor, Action, Object, Href, Note string
}

// Item is a named link with a detail beside it.
type Item struct {
	Label, Href, Detail, Badge string
}

func itoa(n int) string          { return strconv.Itoa(n) }
func i64(n int64) string         { return strconv.FormatInt(n, 10) }
func (v TableView) cols() string { return itoa(len(v.Headers) + 2) }

func (v TableView) allLabel() string {
	if v.Total > v.MatchingCap {
		return "Apply to the first " + format.Number(v.MatchingCap) + " of " + total(v.Total, v.Approx) + " matching"
	}
	return "Apply to all " + format.Number(v.Total) + " matching"
}

func (p PagerView) showing(noun string) string {
	switch {
	case p.Total == 0:
		return "No " + noun
	case p.From == 0: // past the end of an estimated total
		return "No " + noun + " on this page, of " + total(p.Total, p.Approx) + " in all"
	}
	return format.Number(p.From) + "–" + format.Number(p.To) + " of " + total(p.Total, p.Approx) + " " + noun
}

// total is a count as shown: an estimate reads "about N", N rounded to
// two significant digits so it claims no more than it knows.
func total(n int, approx bool) string {
	if !approx {
		return format.Number(n)
	}
	unit := 1
	for n/unit >= 100 {
		unit *= 10
	}
	return "about " + format.Number((n+unit/2)/unit*unit)
}

func sortMark(s string) string {
	switch s {
	case "ascending":
		return " ▲"
	case "descending":
		return " ▼"
	}
	return ""
}

func sortAria(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
