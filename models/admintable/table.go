// Package admintable is the data side of the admin's tables: a model's
// table is declared once (columns, filters, search, sorting, page sizes,
// actions, inline-editable fields) and this package checks the declaration,
// validates a request's query parameters against it and runs the
// parameterised SQL that lists, counts and selects its rows.
//
// Every piece of SQL comes from the declaration, never from input: input
// only ever picks among declared keys or travels as a query parameter.
package admintable

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Render says how a column's value is shown.
type Render string

const (
	Text    Render = "text"
	Badge   Render = "badge"   // a short state word: active, hidden
	Date    Render = "date"    // a timestamp
	Link    Render = "link"    // the value as text, linking to where the column's Link leads
	Image   Render = "image"   // the value is a media key: a small preview
	Number  Render = "number"  // an integer
	Bytes   Render = "bytes"   // an integer number of bytes, shown as KiB/MiB
	Links   Render = "links"   // a JSON array of {"text","args"} objects, each leading to the column's Link page
	Changes Render = "changes" // a JSON object {"before":{...},"after":{...}}
)

// Table declares one model's admin table.
type Table struct {
	Name         string // URL segment and audit model name: "users"
	Title        string // heading: "Users"
	Noun, Plural string // "user", "users": for counts and notices

	From  string // FROM clause with its joins: "users u LEFT JOIN ..."
	Where string // optional condition every row meets: "p.deleted_at IS NULL"
	ID    string // the row's unique bigint id: "u.id"; also the sort tie-breaker
	// Version is the row's version expression, for refusing inline edits
	// made over a newer version; "" for tables without one.
	Version string

	Columns     []Column
	Filters     []Filter
	DefaultSort string // a sortable column key, "-key" for descending
	PageSizes   []int  // the first is the default

	RowActions  []Action // offered on each row (subject to Action.If)
	BulkActions []Action // offered for selected rows
	Links       []RowLink
	// History links each row to its entries in the audit log.
	History bool
	// ExactCount bounds the rows a list's count reads; past it the total
	// is the planner's estimate, shown as "about N". 0: DefaultExactCount.
	ExactCount int
}

// Column is one column of the table.
type Column struct {
	Key   string // public name: sort=key, filters, form fields
	Label string
	// Expr computes the value. SortExpr, when set, orders the column
	// instead (e.g. pixels for "640×480").
	Expr, SortExpr string
	// Link says where a Link column's values lead; for a Links column it
	// names the page only (each JSON object carries its "args").
	Link       *Ref
	Sortable   bool
	Searchable bool // q matches this column's text (ILIKE)
	Render     Render
	Editable   *Editable
}

// Editable makes a column editable in place.
type Editable struct {
	Type    string   // "text", "textarea" (several lines) or "select"
	Choices []Choice // for select
	MaxLen  int      // for text, in characters; 0 for no limit
	// Check returns a user-facing message for an unacceptable value, "" when fine.
	Check func(value string) string
}

// Choice is one allowed value and its label.
type Choice struct{ Value, Label string }

// Filter narrows the rows; its query parameter is its Key.
type Filter struct {
	Key, Label string
	Expr       string // compared with the chosen value as a parameter
	// Exactly one kind: Choices (expr = value), Date (a range of days,
	// "2024-01-01..2024-01-31", either end optional), or Int (expr = a
	// positive integer, e.g. an id; ChoicesSQL, when set, lists the
	// options as rows of (value text, label text)).
	Choices    []Choice
	Date       bool
	Int        bool
	ChoicesSQL string
}

// Action is something an admin does to one or more rows.
type Action struct {
	Key, Label string
	Done       string // past tense for the notice: "Suspended"
	Help       string // what it does, shown when confirming
	Confirm    bool   // ask first, listing the rows it changes
	// NeedsReason asks for a reason (kept in the audit log, and shown to the
	// affected person where the action says so).
	NeedsReason bool
	Danger      bool
	Option      *Option // a choice made when confirming
	If          *Cond   // row actions only: offered when the row matches
}

// Option is a choice the admin makes when confirming an action. With no
// Default the admin must choose explicitly.
type Option struct {
	Label   string
	Choices []Choice
	Default string
}

// Cond matches rows whose column Key holds one of In.
type Cond struct {
	Column string
	In     []string
}

// RowLink is a link shown on each row.
type RowLink struct {
	Label string
	To    Ref
}

// Page names a kind of page a link leads to; handlers turn a page and its
// parameters into a URL (views/urls), so no path is written in SQL.
type Page string

// Ref is where a link leads: a page and the SQL expressions of its
// parameters, in the order the page's URL builder takes them.
type Ref struct {
	Page Page
	Args []string
}

// MaxMatching caps "select all N matching": a bulk action touches at most
// this many rows at once.
const MaxMatching = 10_000

// MaxSearchLen bounds q, in characters.
const MaxSearchLen = 200

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// reserved are the list parameters the engine uses itself. (Forms that
// act on rows carry the list's state in one "back" field, so their own
// field names never meet column keys.)
var reserved = []string{"q", "sort", "page", "per_page", "back"}

var renders = []Render{Text, Badge, Date, Link, Image, Number, Bytes, Links, Changes}

// Validate checks the declaration itself: names, keys, the default sort,
// page sizes, filters, editable fields and actions.
func (t *Table) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !keyRE.MatchString(t.Name) {
		bad("table name %q: use a-z, 0-9 and _", t.Name)
	}
	if t.Title == "" || t.Noun == "" || t.Plural == "" {
		bad("title, noun and plural are required")
	}
	if strings.TrimSpace(t.From) == "" || strings.TrimSpace(t.ID) == "" {
		bad("from and id are required")
	}
	cols := map[string]Column{}
	for _, c := range t.Columns {
		switch {
		case !keyRE.MatchString(c.Key) || slices.Contains(reserved, c.Key):
			bad("column key %q: use a-z, 0-9 and _, not a reserved name", c.Key)
		case cols[c.Key].Key != "":
			bad("column key %q declared twice", c.Key)
		}
		cols[c.Key] = c
		if c.Label == "" || strings.TrimSpace(c.Expr) == "" {
			bad("column %q: label and expr are required", c.Key)
		}
		if !slices.Contains(renders, c.Render) {
			bad("column %q: unknown render %q", c.Key, c.Render)
		}
		links := c.Render == Link || c.Render == Links
		switch {
		case links != (c.Link != nil):
			bad("column %q: a link column needs a link, and only a link column has one", c.Key)
		case c.Render == Link && (c.Link.Page == "" || len(c.Link.Args) == 0):
			bad("column %q: a link needs a page and its arguments", c.Key)
		}
		if e := c.Editable; e != nil {
			switch {
			case e.Type == "select" && len(e.Choices) == 0:
				bad("column %q: a select editor needs choices", c.Key)
			case e.Type != "select" && e.Type != "text" && e.Type != "textarea":
				bad("column %q: editor type %q is not text, textarea or select", c.Key, e.Type)
			case t.Version == "":
				bad("column %q: editable columns need the table's version expression", c.Key)
			}
		}
	}
	if len(cols) == 0 {
		bad("no columns")
	}
	if key, _ := strings.CutPrefix(t.DefaultSort, "-"); !cols[key].Sortable {
		bad("default sort %q is not a sortable column", t.DefaultSort)
	}
	if len(t.PageSizes) == 0 {
		bad("no page sizes")
	}
	for i, n := range t.PageSizes {
		if n <= 0 || n > 500 || slices.Index(t.PageSizes, n) != i {
			bad("page size %d: sizes are 1 to 500, each once", n)
		}
	}
	filters := map[string]bool{}
	for _, f := range t.Filters {
		kinds := 0
		for _, k := range []bool{len(f.Choices) > 0, f.Date, f.Int} {
			if k {
				kinds++
			}
		}
		switch {
		case !keyRE.MatchString(f.Key) || slices.Contains(reserved, f.Key):
			bad("filter key %q: use a-z, 0-9 and _, not a reserved name", f.Key)
		case filters[f.Key]:
			bad("filter key %q declared twice", f.Key)
		case kinds != 1:
			bad("filter %q: declare exactly one of choices, date or int", f.Key)
		case f.ChoicesSQL != "" && !f.Int:
			bad("filter %q: choices from SQL are for int filters", f.Key)
		case f.Label == "" || strings.TrimSpace(f.Expr) == "":
			bad("filter %q: label and expr are required", f.Key)
		}
		filters[f.Key] = true
		if f.Date {
			for _, suffix := range []string{"_from", "_to"} {
				if cols[f.Key+suffix].Key != "" {
					bad("filter %q: column %q collides with its date inputs", f.Key, f.Key+suffix)
				}
			}
		}
		seen := map[string]bool{}
		for _, c := range f.Choices {
			if c.Value == "" || seen[c.Value] {
				bad("filter %q: choice values are non-empty and unique", f.Key)
			}
			seen[c.Value] = true
		}
	}
	for _, list := range [][]Action{t.RowActions, t.BulkActions} {
		keys := map[string]bool{}
		for _, a := range list {
			switch {
			case !keyRE.MatchString(a.Key) || a.Key == "edit" || a.Key == "cell" || a.Key == "bulk":
				bad("action key %q: use a-z, 0-9 and _, not edit, cell or bulk", a.Key)
			case keys[a.Key]:
				bad("action %q declared twice", a.Key)
			case a.Label == "" || a.Done == "":
				bad("action %q: label and done are required", a.Key)
			case (a.NeedsReason || a.Option != nil) && !a.Confirm:
				bad("action %q: a reason or an option needs a confirmation step", a.Key)
			case a.Option != nil && len(a.Option.Choices) == 0:
				bad("action %q: an option needs choices", a.Key)
			case a.If != nil && cols[a.If.Column].Key == "":
				bad("action %q: condition on unknown column %q", a.Key, a.If.Column)
			}
			keys[a.Key] = true
		}
	}
	for _, l := range t.Links {
		if l.Label == "" || l.To.Page == "" || len(l.To.Args) == 0 {
			bad("row links need a label, a page and its arguments")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("admintable %q: %w", t.Name, errors.Join(errs...))
	}
	return nil
}

// Must returns t, panicking when its declaration is invalid: declarations
// are package variables, so a mistake stops the program (and its tests)
// at once.
func Must(t *Table) *Table {
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return t
}

// Column returns the column with key.
func (t *Table) Column(key string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Key == key {
			return c, true
		}
	}
	return Column{}, false
}

// Action returns the bulk action (bulk) or the row action with key.
func (t *Table) Action(key string, bulk bool) (Action, bool) {
	list := t.RowActions
	if bulk {
		list = t.BulkActions
	}
	for _, a := range list {
		if a.Key == key {
			return a, true
		}
	}
	return Action{}, false
}

// Matches reports whether row r meets the action's condition.
func (a Action) Matches(r Row) bool {
	if a.If == nil {
		return true
	}
	return slices.Contains(a.If.In, fmt.Sprint(r.Values[a.If.Column]))
}
