package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"quire/models/dbtest"
)

// TestTimeZone: an app started in Pacific/Auckland shows every date in
// that zone (readers' pages, the author's page, drafts, admin tables, the
// dashboard), and <time datetime> carries the zone's offset; an app in UTC
// on the same database at the same time shows the same instants in UTC. The
// times are half an hour before midnight UTC, so the day, month and year
// differ between the two.
func TestTimeZone(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.New(t)
	nz := startApp(t, db, appOptions{zone: auckland})
	utc := startApp(t, db, appOptions{})

	at := time.Date(2025, 12, 31, 23, 30, 5, 0, time.UTC) // 12:30:05 on 1 January 2026 in Auckland (UTC+13)
	author := nz.createUser("kiri", "author")
	nz.createUser("boss", "admin")
	p := nz.addPost(author, post{title: "New year", body: "Fireworks.", published: at})
	for _, q := range []string{
		`UPDATE users SET created_at = $1`,
		`UPDATE posts SET created_at = $1, updated_at = $1`,
	} {
		if _, err := db.ExecContext(context.Background(), q, at); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		app                          *testApp
		day, month, short, when, iso string
	}{
		{nz, "1 January 2026", "January 2026", "1 Jan 2026", "1 Jan 2026 12:30", "2026-01-01T12:30:05+13:00"},
		{utc, "31 December 2025", "December 2025", "31 Dec 2025", "31 Dec 2025 23:30", "2025-12-31T23:30:05Z"},
	} {
		name := "UTC"
		if tc.app == nz {
			name = "Auckland"
		}
		check := func(where string, got, want any) {
			t.Helper()
			if got != want {
				t.Errorf("%s, %s: %v, want %v", name, where, got, want)
			}
		}
		reader := tc.app.client()
		page := reader.get("/posts/" + p.Slug)
		wantStatus(t, page, 200)
		tm := page.doc.Find("time.dt-published")
		iso, _ := tm.Attr("datetime")
		check("the post's date", strings.TrimSpace(tm.Text()), tc.day)
		check("the post's <time datetime>", iso, tc.iso)

		home := reader.get("/")
		iso, _ = home.doc.Find("#posts time").First().Attr("datetime")
		check("the home page's date", strings.TrimSpace(home.doc.Find("#posts time").First().Text()), tc.day)
		check("the home page's <time datetime>", iso, tc.iso)

		check("the author's page", strings.Contains(reader.get("/@kiri").body, "joined "+tc.month), true)

		writer := tc.app.client()
		writer.login("kiri", strongPassword)
		drafts := writer.get("/drafts")
		check("the drafts list", strings.TrimSpace(drafts.doc.Find(`[data-testid=my-posts] tbody tr`).First().Find("td").Last().Text()), tc.when)

		admin := tc.app.client()
		admin.login("boss", strongPassword)
		table := admin.get("/admin/posts")
		check("the admin posts table", strings.TrimSpace(table.doc.Find(fmt.Sprintf("#cell-posts-%d-published", p.ID)).Text()), tc.when)
		dash := admin.get("/admin")
		check("the dashboard's new posts", strings.Contains(dash.doc.Find(`[data-testid=new-posts]`).Text(), tc.short), true)
	}
}
