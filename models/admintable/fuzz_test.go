package admintable_test

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"quire/models"
	"quire/models/admintable"
)

// fuzzTables are Quire's own declarations: what real URLs are parsed against.
var fuzzTables = []*admintable.Table{models.UsersTable, models.PostsTable, models.MediaTable, models.AuditTable}

// FuzzParse checks list parameters against the real declarations: Parse
// never panics; what it accepts holds only declared sort keys, page sizes
// and filters with canonical values, and survives the trip through Values
// (the list URL) and back unchanged. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(uint8(0), "q=ada&sort=-username&page=2&per_page=50", uint8(0), "admin")
	f.Add(uint8(1), "status=published&published=2024-01-01..2024-12-31", uint8(1), "2024-03-01")
	f.Add(uint8(2), "used=yes&type=image/png&uploaded_from=2024-01-01&uploaded_to=2024-01-31", uint8(2), "")
	f.Add(uint8(3), "actor=007&object=12&at=..2025-06-30", uint8(0), "1")
	f.Add(uint8(0), "sort=password_hash", uint8(0), "admin' OR '1'='1")
	f.Add(uint8(1), "page=99999999999999999999&per_page=-1", uint8(0), "%00")
	f.Fuzz(func(t *testing.T, table uint8, raw string, filter uint8, value string) {
		tb := fuzzTables[int(table)%len(fuzzTables)]
		v, _ := url.ParseQuery(raw) // what did parse is what a request would carry
		if len(tb.Filters) > 0 {
			fl := tb.Filters[int(filter)%len(tb.Filters)]
			v.Set(fl.Key, value)
		}
		q, err := tb.Parse(v)
		if err != nil {
			var pe *admintable.ParamError
			if !errors.As(err, &pe) || pe.Msg == "" {
				t.Fatalf("Parse(%q) failed with %T %v, not a *ParamError", v.Encode(), err, err)
			}
			return
		}
		checkDeclared(t, tb, q)
		again, err := tb.Parse(tb.Values(q))
		if err != nil {
			t.Fatalf("%s: Values(%+v) = %q does not parse: %v", tb.Name, q, tb.Encode(q), err)
		}
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("%s: round trip through %q: %+v, want %+v", tb.Name, tb.Encode(q), again, q)
		}
		fromURL, err := url.ParseQuery(tb.Encode(q))
		if err != nil {
			t.Fatalf("%s: Encode gave %q: %v", tb.Name, tb.Encode(q), err)
		}
		if again, err := tb.Parse(fromURL); err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("%s: through the URL %q: %+v, %v", tb.Name, tb.Encode(q), again, err)
		}
	})
}

// checkDeclared fails t unless everything in q is allowed by tb.
func checkDeclared(t *testing.T, tb *admintable.Table, q admintable.Query) {
	t.Helper()
	if c, ok := tb.Column(q.Sort); !ok || !c.Sortable {
		t.Fatalf("%s: sort key %q is not a sortable column", tb.Name, q.Sort)
	}
	if q.Page < 1 || q.Page > 1_000_000 {
		t.Fatalf("%s: page %d", tb.Name, q.Page)
	}
	if !slices.Contains(tb.PageSizes, q.PerPage) {
		t.Fatalf("%s: per_page %d is not declared", tb.Name, q.PerPage)
	}
	if !utf8.ValidString(q.Search) || strings.ContainsRune(q.Search, 0) || strings.TrimSpace(q.Search) != q.Search ||
		utf8.RuneCountInString(q.Search) > admintable.MaxSearchLen {
		t.Fatalf("%s: search %q", tb.Name, q.Search)
	}
	for key, val := range q.Filters {
		i := slices.IndexFunc(tb.Filters, func(f admintable.Filter) bool { return f.Key == key })
		if i < 0 {
			t.Fatalf("%s: filter %q is not declared", tb.Name, key)
		}
		fl := tb.Filters[i]
		switch {
		case fl.Date:
			from, to := admintable.DateRange(val)
			if from == "" && to == "" || !strings.Contains(val, "..") {
				t.Fatalf("%s: date filter %s = %q", tb.Name, key, val)
			}
			for _, d := range []string{from, to} {
				if _, err := time.Parse("2006-01-02", d); d != "" && err != nil {
					t.Fatalf("%s: date filter %s = %q: %v", tb.Name, key, val, err)
				}
			}
		case fl.Int:
			if n, err := strconv.ParseInt(val, 10, 64); err != nil || n < 1 || strconv.FormatInt(n, 10) != val {
				t.Fatalf("%s: id filter %s = %q", tb.Name, key, val)
			}
		default:
			if !slices.ContainsFunc(fl.Choices, func(c admintable.Choice) bool { return c.Value == val }) {
				t.Fatalf("%s: filter %s = %q is not a declared choice", tb.Name, key, val)
			}
		}
	}
}
