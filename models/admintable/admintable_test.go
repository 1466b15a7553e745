package admintable_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models/admintable"
	"quire/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// people is a table over the real users table, declared for these tests
// alone: the engine knows nothing of Quire's own declarations.
func people() *admintable.Table {
	return &admintable.Table{
		Name: "people", Title: "People", Noun: "person", Plural: "people",
		From: "users u", ID: "u.id", Version: "u.version",
		Columns: []admintable.Column{
			{Key: "name", Label: "Name", Expr: "u.username", Sortable: true, Searchable: true, Render: admintable.Text},
			{Key: "mail", Label: "Email", Expr: "u.email", Searchable: true, Render: admintable.Text},
			{Key: "bio", Label: "Bio", Expr: "u.bio", Sortable: true, Searchable: true, Render: admintable.Text},
			{Key: "role", Label: "Role", Expr: "u.role", Sortable: true, Render: admintable.Badge,
				Editable: &admintable.Editable{Type: "select", Choices: []admintable.Choice{{Value: "author", Label: "Author"}, {Value: "admin", Label: "Admin"}}}},
			{Key: "joined", Label: "Joined", Expr: "u.created_at", Sortable: true, Render: admintable.Date},
			{Key: "seen", Label: "Last login", Expr: "u.last_login_at", Sortable: true, Render: admintable.Date},
			{Key: "profile", Label: "Profile", Expr: "u.username",
				Link: &admintable.Ref{Page: "author", Args: []string{"u.username"}}, Render: admintable.Link},
		},
		Filters: []admintable.Filter{
			{Key: "role", Label: "Role", Expr: "u.role", Choices: []admintable.Choice{{Value: "author", Label: "Author"}, {Value: "admin", Label: "Admin"}}},
			{Key: "joined", Label: "Joined", Expr: "u.created_at", Date: true},
			{Key: "ident", Label: "Id", Expr: "u.id", Int: true, ChoicesSQL: "SELECT id::text, username FROM users ORDER BY id"},
		},
		DefaultSort: "name",
		PageSizes:   []int{10, 25},
		RowActions:  []admintable.Action{{Key: "poke", Label: "Poke", Done: "Poked", If: &admintable.Cond{Column: "role", In: []string{"admin"}}}},
		BulkActions: []admintable.Action{{Key: "poke", Label: "Poke", Done: "Poked", Confirm: true, NeedsReason: true}},
		Links:       []admintable.RowLink{{Label: "Mail", To: admintable.Ref{Page: "mail", Args: []string{"u.email", "u.id"}}}},
	}
}

func TestValidateAcceptsGoodDeclaration(t *testing.T) {
	if err := people().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejectsBadDeclarations(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*admintable.Table)
		want   string
	}{
		{"bad name", func(t *admintable.Table) { t.Name = "People!" }, "table name"},
		{"no from", func(t *admintable.Table) { t.From = "" }, "from and id"},
		{"duplicate column", func(t *admintable.Table) { t.Columns = append(t.Columns, t.Columns[0]) }, "declared twice"},
		{"reserved column key", func(t *admintable.Table) { t.Columns[0].Key = "sort" }, "reserved"},
		{"column key with SQL", func(t *admintable.Table) { t.Columns[0].Key = "a;drop" }, "column key"},
		{"unknown render", func(t *admintable.Table) { t.Columns[0].Render = "blink" }, "unknown render"},
		{"link without link", func(t *admintable.Table) { t.Columns[6].Link = nil }, "needs a link"},
		{"link without arguments", func(t *admintable.Table) { t.Columns[6].Link.Args = nil }, "needs a page and its arguments"},
		{"default sort unknown", func(t *admintable.Table) { t.DefaultSort = "nope" }, "default sort"},
		{"default sort not sortable", func(t *admintable.Table) { t.DefaultSort = "-mail" }, "default sort"},
		{"no page sizes", func(t *admintable.Table) { t.PageSizes = nil }, "no page sizes"},
		{"zero page size", func(t *admintable.Table) { t.PageSizes = []int{0} }, "page size 0"},
		{"repeated page size", func(t *admintable.Table) { t.PageSizes = []int{10, 10} }, "page size 10"},
		{"filter of two kinds", func(t *admintable.Table) { t.Filters[0].Date = true }, "exactly one"},
		{"filter of no kind", func(t *admintable.Table) { t.Filters[0].Choices = nil }, "exactly one"},
		{"duplicate filter", func(t *admintable.Table) { t.Filters = append(t.Filters, t.Filters[0]) }, "declared twice"},
		{"reserved filter key", func(t *admintable.Table) { t.Filters[0].Key = "page" }, "reserved"},
		{"empty choice", func(t *admintable.Table) { t.Filters[0].Choices[0].Value = "" }, "non-empty and unique"},
		{"select editor without choices", func(t *admintable.Table) { t.Columns[3].Editable.Choices = nil }, "needs choices"},
		{"editable without version", func(t *admintable.Table) { t.Version = "" }, "version"},
		{"reason without confirmation", func(t *admintable.Table) { t.BulkActions[0].Confirm = false }, "confirmation"},
		{"action named like a route", func(t *admintable.Table) { t.RowActions[0].Key = "edit" }, "action key"},
		{"condition on unknown column", func(t *admintable.Table) { t.RowActions[0].If.Column = "nope" }, "unknown column"},
		{"action without done", func(t *admintable.Table) { t.RowActions[0].Done = "" }, "done"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tbl := people()
			tc.mutate(tbl)
			err := tbl.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error about %q", err, tc.want)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("Must did not panic on an invalid declaration")
		}
	}()
	bad := people()
	bad.PageSizes = nil
	admintable.Must(bad)
}

func TestParse(t *testing.T) {
	tbl := people()
	cases := []struct {
		query string
		want  admintable.Query
	}{
		{"", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{}}},
		{"q=+ada++lovelace+&sort=-joined&page=3&per_page=25", admintable.Query{Search: "ada  lovelace", Sort: "joined", Desc: true, Page: 3, PerPage: 25, Filters: map[string]string{}}},
		{"role=admin&ident=007", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{"role": "admin", "ident": "7"}}},
		{"joined=2024-01-01..2024-02-01", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{"joined": "2024-01-01..2024-02-01"}}},
		{"joined=2024-01-05", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{"joined": "2024-01-05..2024-01-05"}}},
		{"joined=..2024-02-01", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{"joined": "..2024-02-01"}}},
		// The filter form's two date inputs fold into the one parameter.
		{"joined_from=2024-03-01&joined_to=", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{"joined": "2024-03-01.."}}},
		{"joined=2020-01-01..&joined_from=&joined_to=", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{}}},
		{"unrelated=1&role=", admintable.Query{Sort: "name", Page: 1, PerPage: 10, Filters: map[string]string{}}},
	}
	for _, tc := range cases {
		v, _ := url.ParseQuery(tc.query)
		got, err := tbl.Parse(v)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.query, got, tc.want)
		}
		// The canonical form parses back to the same state.
		again, err := tbl.Parse(tbl.Values(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("Parse(Values(%q)) = %+v, %v", tc.query, again, err)
		}
	}
	if s := tbl.Encode(admintable.Query{Sort: "name", Page: 1, PerPage: 10}); s != "" {
		t.Errorf("default state encodes as %q, want empty", s)
	}
}

// TestParseRejects: every parameter refuses what the declaration does not
// allow, SQL included, with a message a person can act on.
func TestParseRejects(t *testing.T) {
	tbl := people()
	injections := []string{"name; DROP TABLE users", "name DESC, (SELECT 1)", "1 OR 1=1", "'--", "name)"}
	cases := []struct {
		param, value, msg string
	}{
		{"sort", "nope", `unknown sort key "nope"`},
		{"sort", "--name", `unknown sort key "--name"`},
		{"sort", "mail", "cannot be sorted"},
		{"sort", "profile", "cannot be sorted"},
		{"page", "0", "page must be"},
		{"page", "-2", "page must be"},
		{"page", "two", "page must be"},
		{"page", "99999999999", "page must be"},
		{"per_page", "11", "per_page must be one of 10, 25"},
		{"per_page", "1000000", "per_page must be one of"},
		{"role", "root", `unknown role "root"`},
		{"ident", "0", "not an id"},
		{"ident", "abc", "not an id"},
		{"joined", "yesterday", "not a date"},
		{"joined", "2024-02-30", "not a date"},
		{"joined", "2024-03-01..2024-02-01", "starts after it ends"},
		{"q", strings.Repeat("x", admintable.MaxSearchLen+1), "too long"},
		{"q", "bad\xffutf8", "not valid text"},
		{"q", "nul\x00byte", "not valid text"},
	}
	for _, inj := range injections {
		for _, p := range []string{"sort", "page", "per_page", "role", "ident", "joined"} {
			cases = append(cases, struct{ param, value, msg string }{p, inj, ""})
		}
	}
	for _, tc := range cases {
		_, err := tbl.Parse(url.Values{tc.param: {tc.value}})
		var pe *admintable.ParamError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%s=%q) = %v, want a ParamError", tc.param, tc.value, err)
			continue
		}
		if pe.Param != tc.param || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("Parse(%s=%q): param %q, message %q, want %q", tc.param, tc.value, pe.Param, pe.Msg, tc.msg)
		}
	}
}

func TestQueryWith(t *testing.T) {
	q := admintable.Query{Sort: "name", Page: 4, PerPage: 10, Filters: map[string]string{"role": "author"}}
	if s := q.WithSort("name"); !s.Desc || s.Page != 1 {
		t.Errorf("clicking the sorted column: %+v, want descending on page 1", s)
	}
	if s := q.WithSort("name").WithSort("name"); s.Desc {
		t.Errorf("clicking twice: %+v, want ascending", s)
	}
	if s := q.WithSort("joined"); s.Sort != "joined" || s.Desc {
		t.Errorf("clicking another column: %+v", s)
	}
	f := q.WithFilter("role", "")
	if _, ok := f.Filters["role"]; ok || q.Filters["role"] != "author" {
		t.Error("WithFilter changed the original query's filters")
	}
	if p := q.WithPerPage(25); p.PerPage != 25 || p.Page != 1 {
		t.Errorf("WithPerPage: %+v", p)
	}
}

// seed makes n accounts named user000..; every third is an admin, bios
// repeat so sorting by bio has ties, and creation dates are one day apart
// from 2024-01-01.
func seed(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	for i := range n {
		role := "author"
		if i%3 == 0 {
			role = "admin"
		}
		_, err := db.Exec(`INSERT INTO users (username, email, password_hash, role, bio, created_at)
			VALUES ($1, $2, 'x', $3, $4, $5)`, fmt.Sprintf("user%03d", i), fmt.Sprintf("u%03d@example.com", i),
			role, fmt.Sprintf("bio %d", i%4), time.Date(2024, 1, 1+i, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
	}
}

func list(t *testing.T, db *sqlx.DB, tbl *admintable.Table, query string) admintable.Result {
	t.Helper()
	v, _ := url.ParseQuery(query)
	q, err := tbl.Parse(v)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tbl.List(context.Background(), db, q)
	if err != nil {
		t.Fatalf("List(%q): %v", query, err)
	}
	return res
}

func names(res admintable.Result) []string {
	var out []string
	for _, r := range res.Rows {
		out = append(out, r.Values["name"].(string))
	}
	return out
}

func TestListAgainstDatabase(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	seed(t, db, 30)
	tbl := people()

	res := list(t, db, tbl, "")
	if res.Total != 30 || len(res.Rows) != 10 || names(res)[0] != "user000" {
		t.Fatalf("default: total %d, %d rows, first %v", res.Total, len(res.Rows), names(res))
	}
	r := res.Rows[0]
	if to := r.Targets["profile"]; to.Page != "author" || !slices.Equal(to.Args, []string{"user000"}) ||
		len(r.Links) != 1 || r.Links[0].To.Page != "mail" || !slices.Equal(r.Links[0].To.Args, []string{"u000@example.com", strconv.FormatInt(r.ID, 10)}) {
		t.Errorf("link targets: %+v %+v", r.Targets, r.Links)
	}
	if _, ok := r.Values["joined"].(time.Time); !ok || r.Values["seen"] != nil || r.Version != 1 || r.ID == 0 {
		t.Errorf("values: %#v, version %d", r.Values, r.Version)
	}
	if got := names(list(t, db, tbl, "sort=-name&page=3")); !slices.Equal(got, []string{"user009", "user008", "user007",
		"user006", "user005", "user004", "user003", "user002", "user001", "user000"}) {
		t.Errorf("descending page 3 = %v", got)
	}
	if res := list(t, db, tbl, "page=4"); res.Total != 30 || len(res.Rows) != 0 || res.Pages(admintable.Query{PerPage: 10}) != 3 {
		t.Errorf("past the end: %d of %d", len(res.Rows), res.Total)
	}

	// Filters, search and a date range combine.
	if got := names(list(t, db, tbl, "role=admin&per_page=25")); len(got) != 10 || got[1] != "user003" {
		t.Errorf("admins = %v", got)
	}
	if got := names(list(t, db, tbl, "q=USER01")); len(got) != 10 || got[0] != "user010" {
		t.Errorf("search is case-insensitive: %v", got)
	}
	if got := names(list(t, db, tbl, "q=user01+u012@")); !slices.Equal(got, []string{"user012"}) {
		t.Errorf("every word must match some column: %v", got)
	}
	if got := names(list(t, db, tbl, "joined=2024-01-03..2024-01-05")); !slices.Equal(got, []string{"user002", "user003", "user004"}) {
		t.Errorf("date range is inclusive: %v", got)
	}
	if got := names(list(t, db, tbl, "joined=2024-01-28..&role=admin&q=user02")); !slices.Equal(got, []string{"user027"}) {
		t.Errorf("combined = %v", got)
	}
	if got := names(list(t, db, tbl, "ident=5")); len(got) != 1 {
		t.Errorf("id filter = %v", got)
	}

	// Wildcards and quotes in a search are literal: no row has them.
	for _, q := range []string{"%", "_", `\`, "user0_1", "'; DROP TABLE users; --", "' OR '1'='1"} {
		if res := list(t, db, tbl, url.Values{"q": {q}}.Encode()); res.Total != 0 {
			t.Errorf("search %q matched %d rows", q, res.Total)
		}
	}
	if _, err := db.Exec(`UPDATE users SET bio = '100% _real_' WHERE username = 'user007'`); err != nil {
		t.Fatal(err)
	}
	if got := names(list(t, db, tbl, "q=0%25+_r")); !slices.Equal(got, []string{"user007"}) {
		t.Errorf("literal %% and _ = %v", got)
	}

	choices, err := tbl.FilterChoices(context.Background(), db, tbl.Filters[2])
	if err != nil || len(choices) != 30 || choices[0].Label != "user000" {
		t.Errorf("filter choices: %d, %v", len(choices), err)
	}
}

// TestSortIsStable pages through every sort in both directions: with ties
// broken by id, each row appears exactly once.
func TestSortIsStable(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	seed(t, db, 23)
	if _, err := db.Exec(`UPDATE users SET created_at = '2024-06-01' WHERE id % 2 = 0`); err != nil {
		t.Fatal(err)
	}
	tbl := people()
	for _, c := range tbl.Columns {
		if !c.Sortable {
			continue
		}
		for _, dir := range []string{"", "-"} {
			seen := map[int64]int{}
			for page := 1; page <= 3; page++ {
				res := list(t, db, tbl, fmt.Sprintf("sort=%s%s&page=%d", dir, c.Key, page))
				for _, r := range res.Rows {
					seen[r.ID]++
				}
			}
			if len(seen) != 23 {
				t.Errorf("sort=%s%s: %d distinct rows over all pages, want 23", dir, c.Key, len(seen))
			}
		}
	}
}

func TestRowsAndIDsMatching(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	seed(t, db, 12)
	tbl := people()
	ctx := context.Background()
	q, _ := tbl.Parse(url.Values{"role": {"admin"}, "sort": {"-name"}})
	ids, total, _, err := tbl.IDsMatching(ctx, db, q)
	if err != nil || total != 4 || len(ids) != 4 {
		t.Fatalf("IDsMatching = %v, %d, %v", ids, total, err)
	}
	rows, err := tbl.Rows(ctx, db, append(ids, 999999))
	if err != nil || len(rows) != 4 || rows[0].Values["name"] != "user000" {
		t.Fatalf("Rows = %d rows, %v", len(rows), err)
	}
	if !tbl.RowActions[0].Matches(rows[0]) {
		t.Error("row action condition does not match an admin row")
	}
}
