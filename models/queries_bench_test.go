package models_test

import (
	"context"
	"strconv"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestBenchQueries: every statement cmd/quirebench replays prepares and
// runs against a migrated database, with text arguments as pgbench sends
// them, and finds the rows it is about.
func TestBenchQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	ada := newUser(t, db, "ada", "")
	p := publishedPost(t, &models.PostModel{DB: db}, ada, models.PostInput{
		Title: "Gardens in winter", Body: "The garden sleeps.", Tags: []string{"garden"}})
	id, post := strconv.FormatInt(ada, 10), strconv.FormatInt(p.ID, 10)
	account := "user:" + id

	// Each statement's arguments, $1 first, and whether it returns a row
	// about the user or post above (writes and locks return none).
	args := map[string]struct {
		args []string
		row  bool
	}{
		"changeStampSQL":                       {[]string{"0", ""}, true},
		"listPublishedSQL":                     {[]string{"10", "0"}, true},
		"listPublishedSQL from the oldest end": {[]string{"10", "0"}, true},
		"listByAuthorSQL":                      {[]string{id, "10", "0"}, true},
		"listByTagSQL":                         {[]string{"garden", "10", "0"}, true},
		"listForFeedSQL":                       {[]string{"0", "", "20", strconv.Itoa(models.FeedEntryHTML + 1)}, true},
		"resolveHeadSQL":                       {[]string{p.Slug}, true},
		"getPostSQL":                           {[]string{post}, true},
		"searchCountSQL":                       {[]string{"garden", strconv.Itoa(models.SearchRanked + 1)}, true},
		"searchSQL":                            {[]string{"garden", "10", "0", strconv.Itoa(models.SnippetChars), strconv.Itoa(models.SearchRanked + 1)}, true},
		"getUserSQL":                           {[]string{id}, true},
		"getUserByUsernameSQL":                 {[]string{"ada"}, true},
		"getUserByLoginSQL":                    {[]string{"ada"}, true},
		"recordLoginSQL":                       {[]string{id}, false},
		"lockKeySQL":                           {[]string{"1903454322", "1"}, true},
		"throttleSQL":                          {[]string{account, "127.0.0.1", "900000 milliseconds", "5"}, true},
		"failSQL":                              {[]string{account, "127.0.0.1"}, false},
		"resetFailuresSQL":                     {[]string{account}, false},
	}
	qs := models.BenchQueries()
	if len(qs) != len(args) {
		t.Errorf("%d bench queries, %d with arguments here: give each its arguments", len(qs), len(args))
	}
	for _, q := range qs {
		a, ok := args[q.Name]
		if !ok {
			t.Errorf("%s: no arguments in this test", q.Name)
			continue
		}
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := tx.PreparexContext(ctx, q.SQL)
		if err != nil {
			t.Errorf("%s does not prepare: %v", q.Name, err)
			_ = tx.Rollback()
			continue
		}
		vals := make([]any, len(a.args))
		for i, v := range a.args {
			vals[i] = v
		}
		rows, err := st.QueryContext(ctx, vals...)
		if err != nil {
			t.Errorf("%s does not run: %v", q.Name, err)
			_ = tx.Rollback()
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
		_ = rows.Close()
		if a.row && n == 0 {
			t.Errorf("%s returned no row", q.Name)
		}
		_ = tx.Rollback()
	}
}
