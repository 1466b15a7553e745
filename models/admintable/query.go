package admintable

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is one state of a table: what a list URL says. Parse makes it from
// query parameters; Values turns it back into them.
type Query struct {
	Search  string
	Sort    string // a sortable column key
	Desc    bool
	Page    int // from 1
	PerPage int
	// Filters holds each active filter's canonical value by filter key.
	Filters map[string]string
}

// ParamError is a query parameter the declaration does not allow. Its
// message is for the person who typed or shared the URL.
type ParamError struct {
	Param, Msg string
}

func (e *ParamError) Error() string { return e.Msg }

func paramErr(param, format string, args ...any) error {
	return &ParamError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

const maxPage = 1_000_000 // keeps OFFSET far from overflowing

const dateLayout = "2006-01-02"

// Parse validates a list's query parameters against the declaration: q
// (search), sort (a sortable column key, -key for descending), page,
// per_page (one of the declared sizes) and one parameter per filter named
// after its key. A date filter also accepts KEY_from and KEY_to, the two
// date inputs of the filter form, and folds them into KEY=from..to.
// Parameters the table does not know are ignored; known ones with values
// it does not allow are a *ParamError.
func (t *Table) Parse(v url.Values) (Query, error) {
	q := Query{Page: 1, PerPage: t.PageSizes[0], Filters: map[string]string{}}
	q.Sort, q.Desc = sortKey(t.DefaultSort)

	search := strings.TrimSpace(v.Get("q"))
	switch {
	case !utf8.ValidString(search) || strings.ContainsRune(search, 0):
		return Query{}, paramErr("q", "the search is not valid text")
	case utf8.RuneCountInString(search) > MaxSearchLen:
		return Query{}, paramErr("q", "the search is too long: use at most %d characters", MaxSearchLen)
	}
	q.Search = search

	if s := v.Get("sort"); s != "" {
		key, desc := sortKey(s)
		c, ok := t.Column(key)
		if !ok {
			return Query{}, paramErr("sort", "unknown sort key %q", s)
		}
		if !c.Sortable {
			return Query{}, paramErr("sort", "the %s column cannot be sorted", c.Label)
		}
		q.Sort, q.Desc = key, desc
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPage {
			return Query{}, paramErr("page", "page must be a whole number from 1 to %d, not %q", maxPage, s)
		}
		q.Page = n
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || !slices.Contains(t.PageSizes, n) {
			return Query{}, paramErr("per_page", "per_page must be one of %s, not %q", joinInts(t.PageSizes), s)
		}
		q.PerPage = n
	}
	for _, f := range t.Filters {
		val, err := f.parse(v)
		if err != nil {
			return Query{}, err
		}
		if val != "" {
			q.Filters[f.Key] = val
		}
	}
	return q, nil
}

func sortKey(s string) (key string, desc bool) {
	key, desc = strings.CutPrefix(s, "-")
	return key, desc
}

// parse returns the filter's canonical value, "" when it is not set.
func (f Filter) parse(v url.Values) (string, error) {
	raw := strings.TrimSpace(v.Get(f.Key))
	switch {
	case f.Date:
		from, to, _ := strings.Cut(raw, "..")
		if v.Has(f.Key+"_from") || v.Has(f.Key+"_to") {
			from, to = v.Get(f.Key+"_from"), v.Get(f.Key+"_to")
		} else if raw != "" && !strings.Contains(raw, "..") {
			to = from // a single day
		}
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		for _, d := range []string{from, to} {
			if d == "" {
				continue
			}
			if t, err := time.Parse(dateLayout, d); err != nil || t.Year() < 1 {
				return "", paramErr(f.Key, "%s: %q is not a date like 2024-01-31", f.Label, d)
			}
		}
		if from != "" && to != "" && from > to {
			return "", paramErr(f.Key, "%s: the range starts after it ends", f.Label)
		}
		if from == "" && to == "" {
			return "", nil
		}
		return from + ".." + to, nil
	case raw == "":
		return "", nil
	case f.Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 {
			return "", paramErr(f.Key, "%s: %q is not an id", f.Label, raw)
		}
		return strconv.FormatInt(n, 10), nil
	default:
		for _, c := range f.Choices {
			if c.Value == raw {
				return raw, nil
			}
		}
		return "", paramErr(f.Key, "unknown %s %q", strings.ToLower(f.Label), raw)
	}
}

// DateRange splits a date filter's canonical value; either end may be "".
func DateRange(value string) (from, to string) {
	from, to, _ = strings.Cut(value, "..")
	return from, to
}

// Values is q as query parameters, leaving out whatever is the default,
// so equal states have equal URLs.
func (t *Table) Values(q Query) url.Values {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	for _, f := range t.Filters {
		if val := q.Filters[f.Key]; val != "" {
			v.Set(f.Key, val)
		}
	}
	if s := q.SortParam(); s != t.DefaultSort {
		v.Set("sort", s)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.PerPage != t.PageSizes[0] {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	return v
}

// Encode is Values as a query string ("" for the default state).
func (t *Table) Encode(q Query) string { return t.Values(q).Encode() }

// SortParam is the sort parameter's value: key, or -key when descending.
func (q Query) SortParam() string {
	if q.Desc {
		return "-" + q.Sort
	}
	return q.Sort
}

// clone copies q so the With methods never share its filter map.
func (q Query) clone() Query {
	f := make(map[string]string, len(q.Filters))
	for k, v := range q.Filters {
		f[k] = v
	}
	q.Filters = f
	return q
}

// WithSort is the state after clicking column key's header: ascending
// first, the other direction when it is already the sort; back to page 1.
func (q Query) WithSort(key string) Query {
	q = q.clone()
	q.Desc = q.Sort == key && !q.Desc
	q.Sort, q.Page = key, 1
	return q
}

// WithPage is the state on page n.
func (q Query) WithPage(n int) Query {
	q = q.clone()
	q.Page = n
	return q
}

// WithPerPage is the state with n rows a page, back on page 1.
func (q Query) WithPerPage(n int) Query {
	q = q.clone()
	q.PerPage, q.Page = n, 1
	return q
}

// WithFilter is the state with filter key set to value ("" clears it),
// back on page 1.
func (q Query) WithFilter(key, value string) Query {
	q = q.clone()
	if value == "" {
		delete(q.Filters, key)
	} else {
		q.Filters[key] = value
	}
	q.Page = 1
	return q
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
