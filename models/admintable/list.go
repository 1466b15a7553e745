package admintable

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Row is one row of a table: its values by column key.
type Row struct {
	ID      int64
	Version int
	Values  map[string]any    // string, int64, float64, bool, time.Time or nil
	Targets map[string]Target // a Link column's, by column key
	Links   []LinkValue
}

// LinkValue is a row link with its parameters filled in.
type LinkValue struct {
	Label string
	To    Target
}

// Target is where one link leads: a page and its parameters' values.
type Target struct {
	Page Page
	Args []string
}

// Result is one page of rows and the number of rows matching in all.
type Result struct {
	Rows  []Row
	Total int
	// Approx says Total is the planner's estimate: more rows matched than
	// the table counts exactly (see Table.ExactCount).
	Approx bool
}

// Pages is the number of pages of q's size; 1 for an empty result.
func (r Result) Pages(q Query) int {
	if r.Total == 0 {
		return 1
	}
	return (r.Total + q.PerPage - 1) / q.PerPage
}

// List returns the page of rows q asks for and the number matching.
func (t *Table) List(ctx context.Context, db sqlx.QueryerContext, q Query) (Result, error) {
	where, args := t.where(q)
	var res Result
	var err error
	if res.Total, res.Approx, err = t.count(ctx, db, where, args); err != nil {
		return Result{}, err
	}
	res.Rows = []Row{}
	offset := (q.Page - 1) * q.PerPage
	if offset >= res.Total && !res.Approx {
		return res, nil
	}
	n := len(args)
	query := t.selectList() + " FROM " + t.From + where + t.orderBy(q) +
		" LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	rows, err := t.scan(ctx, db, query, append(args, q.PerPage, offset)...)
	if err != nil {
		return Result{}, err
	}
	res.Rows = rows
	return res, nil
}

// Rows returns the rows with the given ids (those that still exist and
// meet the table's Where), in the table's default order.
func (t *Table) Rows(ctx context.Context, db sqlx.QueryerContext, ids []int64) ([]Row, error) {
	q := Query{}
	q.Sort, q.Desc = sortKey(t.DefaultSort)
	where := " WHERE (" + t.ID + ") = ANY($1::bigint[])"
	if t.Where != "" {
		where += " AND (" + t.Where + ")"
	}
	return t.scan(ctx, db, t.selectList()+" FROM "+t.From+where+t.orderBy(q), pq.Array(ids))
}

// IDsMatching returns the ids of every row q matches, in q's order, up to
// MaxMatching, and how many match in all: "select all N matching". Past
// the table's exact count the total is an estimate (approx).
func (t *Table) IDsMatching(ctx context.Context, db sqlx.QueryerContext, q Query) (ids []int64, total int, approx bool, err error) {
	where, args := t.where(q)
	ids = []int64{}
	query := "SELECT " + t.ID + " FROM " + t.From + where + t.orderBy(q) + " LIMIT " + strconv.Itoa(MaxMatching)
	if err := sqlx.SelectContext(ctx, db, &ids, query, args...); err != nil {
		return nil, 0, false, fmt.Errorf("admintable %s: select ids: %w", t.Name, err)
	}
	if len(ids) < MaxMatching {
		return ids, len(ids), false, nil // all of them
	}
	total, approx, err = t.count(ctx, db, where, args)
	if err != nil {
		return nil, 0, false, err
	}
	return ids, max(total, len(ids)), approx, nil
}

// FilterChoices lists the options of an int filter declared with
// ChoicesSQL.
func (t *Table) FilterChoices(ctx context.Context, db sqlx.QueryerContext, f Filter) ([]Choice, error) {
	var out []Choice
	rows, err := db.QueryxContext(ctx, f.ChoicesSQL)
	if err != nil {
		return nil, fmt.Errorf("admintable %s: choices of %s: %w", t.Name, f.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Choice
		if err := rows.Scan(&c.Value, &c.Label); err != nil {
			return nil, fmt.Errorf("admintable %s: choices of %s: %w", t.Name, f.Key, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// where builds the WHERE clause and its arguments: the table's own
// condition, each active filter, and each search term, which must match
// at least one searchable column.
func (t *Table) where(q Query) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if t.Where != "" {
		conds = append(conds, "("+t.Where+")")
	}
	for _, f := range t.Filters {
		val := q.Filters[f.Key]
		switch {
		case val == "":
		case f.Date:
			from, to := DateRange(val)
			if from != "" {
				conds = append(conds, "("+f.Expr+") >= "+arg(from)+"::date")
			}
			if to != "" {
				conds = append(conds, "("+f.Expr+") < "+arg(to)+"::date + 1")
			}
		case f.Int:
			n, _ := strconv.ParseInt(val, 10, 64)
			conds = append(conds, "("+f.Expr+") = "+arg(n))
		default:
			conds = append(conds, "("+f.Expr+") = "+arg(val))
		}
	}
	var searchable []string
	for _, c := range t.Columns {
		if c.Searchable {
			searchable = append(searchable, c.Expr)
		}
	}
	if len(searchable) > 0 {
		for _, term := range searchTerms(q.Search) {
			p := arg("%" + escapeLike(term) + "%")
			ors := make([]string, len(searchable))
			for i, e := range searchable {
				ors[i] = "(" + e + ")::text ILIKE " + p
			}
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		}
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// maxTerms bounds the words of a search, and so the size of its SQL.
const maxTerms = 8

// searchTerms splits a search into words, each of which must match.
func searchTerms(s string) []string {
	terms := strings.Fields(s)
	if len(terms) > maxTerms {
		terms = append(terms[:maxTerms-1], strings.Join(terms[maxTerms-1:], " "))
	}
	return terms
}

// escapeLike makes s match itself literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy sorts by the chosen column, then by id in the same direction:
// rows that tie keep one order, so paging never repeats or skips one.
func (t *Table) orderBy(q Query) string {
	c, _ := t.Column(q.Sort)
	expr := c.Expr
	if c.SortExpr != "" {
		expr = c.SortExpr
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	return " ORDER BY (" + expr + ")" + dir + " NULLS LAST, (" + t.ID + ")" + dir
}

// selectList selects the id, the version, every column, every link
// column's arguments and every row link's arguments, in that order.
func (t *Table) selectList() string {
	version := "0"
	if t.Version != "" {
		version = t.Version
	}
	parts := []string{"(" + t.ID + ")", "(" + version + ")::int"}
	for _, c := range t.Columns {
		parts = append(parts, "("+c.Expr+")")
	}
	for _, c := range t.Columns {
		if c.Render == Link {
			for _, a := range c.Link.Args {
				parts = append(parts, "("+a+")")
			}
		}
	}
	for _, l := range t.Links {
		for _, a := range l.To.Args {
			parts = append(parts, "("+a+")")
		}
	}
	return "SELECT " + strings.Join(parts, ", ")
}

func (t *Table) scan(ctx context.Context, db sqlx.QueryerContext, query string, args ...any) ([]Row, error) {
	rows, err := db.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("admintable %s: list: %w", t.Name, err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			return nil, fmt.Errorf("admintable %s: scan: %w", t.Name, err)
		}
		r := Row{Values: make(map[string]any, len(t.Columns)), Targets: map[string]Target{}}
		r.ID, _ = vals[0].(int64)
		v, _ := vals[1].(int64)
		r.Version = int(v)
		i := 2
		for _, c := range t.Columns {
			r.Values[c.Key] = normalize(vals[i])
			i++
		}
		for _, c := range t.Columns {
			if c.Render == Link {
				if to, ok := target(c.Link, vals[i:]); ok {
					r.Targets[c.Key] = to
				}
				i += len(c.Link.Args)
			}
		}
		for _, l := range t.Links {
			if to, ok := target(&l.To, vals[i:]); ok {
				r.Links = append(r.Links, LinkValue{Label: l.Label, To: to})
			}
			i += len(l.To.Args)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("admintable %s: list: %w", t.Name, err)
	}
	return out, nil
}

// target fills ref's parameters from vals; a missing one means no link.
func target(ref *Ref, vals []any) (Target, bool) {
	to := Target{Page: ref.Page, Args: make([]string, len(ref.Args))}
	for i := range ref.Args {
		if to.Args[i] = str(vals[i]); to.Args[i] == "" {
			return Target{}, false
		}
	}
	return to, true
}

// normalize turns the driver's text-like values into strings.
func normalize(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

func str(v any) string {
	switch x := normalize(v).(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}
