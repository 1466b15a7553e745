package admintable_test

import (
	"context"
	"net/url"
	"testing"

	"quire/models/admintable"
	"quire/models/dbtest"
)

// TestCountAboutPastExactCount: a list matching more rows than the table
// counts exactly gives the planner's estimate, marked approximate, and
// still pages; one matching fewer stays exact.
func TestCountAboutPastExactCount(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	seed(t, db, 30)
	if _, err := db.Exec(`ANALYZE users`); err != nil {
		t.Fatal(err)
	}
	tbl := people()
	tbl.ExactCount = 12

	res := list(t, db, tbl, "")
	if !res.Approx || res.Total != 30 || len(res.Rows) != 10 {
		t.Errorf("all 30 rows: total %d (approx %v), %d rows; want about 30 and a page of 10", res.Total, res.Approx, len(res.Rows))
	}
	if res := list(t, db, tbl, "page=3"); !res.Approx || len(res.Rows) != 10 || names(res)[9] != "user029" {
		t.Errorf("the last page of an estimated total: %v", names(res))
	}
	for query, want := range map[string]int{"role=admin": 10, "q=user01": 10, "q=user02&role=admin": 3, "q=nobody": 0} {
		if res := list(t, db, tbl, query); res.Approx || res.Total != want {
			t.Errorf("%s: total %d (approx %v), want exactly %d", query, res.Total, res.Approx, want)
		}
	}

	// The planner expecting few rows does not make a count of many exact.
	if _, err := db.Exec(`INSERT INTO users (username, email, password_hash, role)
		SELECT 'more' || i, 'more' || i || '@example.com', 'x', 'admin' FROM generate_series(1, 20) i`); err != nil {
		t.Fatal(err)
	}
	if res := list(t, db, tbl, "role=admin"); !res.Approx || res.Total < 13 {
		t.Errorf("30 admins where the planner expects 10: total %d (approx %v), want about at least 13", res.Total, res.Approx)
	}

	// Select all N matching: every id while they fit, and a total never
	// below the ids it returns.
	q, _ := tbl.Parse(url.Values{"role": {"author"}})
	ids, total, _, err := tbl.IDsMatching(context.Background(), db, q)
	if err != nil || len(ids) != 20 || total != 20 {
		t.Errorf("IDsMatching = %d ids of %d, %v; want 20 of 20", len(ids), total, err)
	}
	// Past MaxMatching the total is counted as any list's, and an
	// estimate says so ("of about N matching").
	if _, err := db.Exec(`INSERT INTO users (username, email, password_hash, role)
		SELECT 'many' || i, 'many' || i || '@example.com', 'x', 'author' FROM generate_series(1, $1) i`, admintable.MaxMatching); err != nil {
		t.Fatal(err)
	}
	ids, total, approx, err := tbl.IDsMatching(context.Background(), db, q)
	if err != nil || len(ids) != admintable.MaxMatching || total < admintable.MaxMatching || !approx {
		t.Errorf("IDsMatching past the cap = %d ids of %d (approx %v), %v; want %d of about more", len(ids), total, approx, err, admintable.MaxMatching)
	}
}
