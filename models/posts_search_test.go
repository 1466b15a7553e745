package models_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

func TestPostSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	body := publishedPost(t, pm, ada, models.PostInput{Title: "Kitchen notes",
		Body: "First a word about flour.\n\nThen <script>alert('x')</script> we fed the **sourdough** starter & waited."})
	title := publishedPost(t, pm, ada, models.PostInput{Title: "Sourdough for beginners", Body: "Flour, water, patience."})
	tag := publishedPost(t, pm, ada, models.PostInput{Title: "Weekend baking", Body: "Bread again.",
		Tags: []string{"sourdough"}})
	newPost(t, pm, ada, models.PostInput{Title: "Sourdough draft", Body: "sourdough sourdough"})

	hits, total, err := pm.Search(ctx, "Sourdough", models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.Post.ID)
	}
	// Title (weight A) before tags (B) before body (C); drafts never.
	if want := []int64{title.ID, tag.ID, body.ID}; total != 3 || !slices.Equal(ids, want) {
		t.Fatalf("search order = %v (total %d), want title, tag, body match %v", ids, total, want)
	}
	if hits[0].Post.AuthorUsername != "ada" || hits[0].Post.Slug != title.Slug {
		t.Errorf("hit post not filled: %+v", hits[0].Post)
	}

	snip := hits[2].Snippet
	for _, want := range []string{"<mark>sourdough</mark>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "&amp;"} {
		if !strings.Contains(snip, want) {
			t.Errorf("snippet %q lacks %q", snip, want)
		}
	}
	if strings.Contains(snip, "**") {
		t.Errorf("snippet %q keeps Markdown syntax", snip)
	}
	if without := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(snip); strings.ContainsAny(without, "<>") {
		t.Errorf("snippet %q has markup other than <mark>", snip)
	}

	// Phrases and paging: the ranking decides which posts make a page.
	hits, _, err = pm.Search(ctx, "sourdough", models.Page{Number: 1, Size: 1})
	if err != nil || len(hits) != 1 || hits[0].Post.ID != title.ID {
		t.Errorf("page 1 of 1 = %v, %v; want the title match", hits, err)
	}
	hits, total, err = pm.Search(ctx, `"sourdough starter"`, models.Page{})
	if err != nil || total != 1 || len(hits) != 1 || hits[0].Post.ID != body.ID {
		t.Errorf("phrase search = %d hits of %d, %v", len(hits), total, err)
	}
	hits, total, err = pm.Search(ctx, "sourdough", models.Page{Number: 2, Size: 2})
	if err != nil || total != 3 || len(hits) != 1 || hits[0].Post.ID != body.ID {
		t.Errorf("page 2 = %d hits of %d, %v", len(hits), total, err)
	}

	for _, q := range []string{"", "   ", "the and of", "!!!", "-", `""`} {
		hits, total, err := pm.Search(ctx, q, models.Page{})
		if err != nil || total != 0 || len(hits) != 0 {
			t.Errorf("Search(%q) = %d hits, total %d, %v; want none and no error", q, len(hits), total, err)
		}
	}
}

func TestMarkSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a \x02word\x03 b", "a <mark>word</mark> b"},
		{"\x01script>x\x01/script> & \"q\"", "&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34;"},
		{"unclosed \x02mark", "unclosed <mark>mark</mark>"},
		{"stray\x03 close", "stray close"},
		{"\x02a\x02b\x03c\x03", "<mark>ab</mark>c"},
		{"  lots \n\n of   space ", "lots of space"},
	}
	for _, tc := range tests {
		if got := models.MarkSnippet(tc.in); got != tc.want {
			t.Errorf("markSnippet(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// longBody is about size bytes of varied prose, the same for the same seed,
// with phrase after its first 30,000 bytes (past what a snippet is cut
// from, within the 16,383 word positions PostgreSQL keeps for phrases).
func longBody(seed uint32, size int, phrase string) string {
	words := strings.Fields(`the of and a to in is was he for it with as his on be at by had are but from or
		have an they which one you were her all she there would their we him been has when who will more no
		if out so said what up its about into than them can only other new some could time these two may
		then do first any my now such like our over man me even most made after also did many before must
		through back years where much your way well down should because each just those people how too little
		state good very make world still own see men work long get here between both life being under never
		day same another know while last might us great old year off come since against go came right used
		take three bread flour water oven crust crumb starter dough loaf river mountain garden kitchen coffee`)
	var b strings.Builder
	placed := false
	for x := seed | 1; b.Len() < size; {
		if !placed && b.Len() > 30_000 {
			b.WriteString(phrase + ". ")
			placed = true
		}
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteString(words[x%uint32(len(words))])
		if x%97 == 0 {
			b.WriteString(".\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestSearchLongBodies: a phrase search over posts of the longest bodies
// allowed is bounded. Before, five ~195 KB posts took the search past the
// 10 s statement timeout (ts_headline read each whole body).
func TestSearchLongBodies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	for i := range 5 {
		publishedPost(t, pm, ada, models.PostInput{Title: "Long read " + strconv.Itoa(i),
			Body: longBody(uint32(i+1), 195_000, "the quick brown fox")})
	}
	for _, q := range []string{`"quick brown fox"`, `"bread flour" or "crust crumb"`, "oven"} {
		start := time.Now()
		hits, total, err := pm.Search(ctx, q, models.Page{})
		took := time.Since(start)
		t.Logf("search %s over five 195 KB posts: %v", q, took)
		if err != nil {
			t.Fatalf("search %s: %v", q, err)
		}
		if total != 5 || len(hits) != 5 {
			t.Errorf("search %s found %d of %d, want all 5", q, len(hits), total)
		}
		if took > 1500*time.Millisecond {
			t.Errorf("search %s took %v", q, took)
		}
		for _, h := range hits {
			if h.Snippet == "" {
				t.Errorf("search %s: post %q has no snippet", q, h.Post.Title)
			}
		}
	}
}

// TestSearchAnyQuery: whatever the query, a search finds posts or nothing,
// never fails. Fifty hyphens once made PostgreSQL fail with "tsquery stack
// too small": each "-" is one more nested NOT.
func TestSearchAnyQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	publishedPost(t, pm, ada, models.PostInput{Title: "Bread at home", Body: "Flour, water, salt. Rock&roll, c++ and node.js too."})
	for _, q := range nastyQueries {
		if _, _, err := pm.Search(ctx, q, models.Page{}); err != nil {
			t.Errorf("Search(%.60q): %v", q, err)
		}
	}
	// Operators keep their meaning once tidied.
	for q, want := range map[string]int{
		"bread": 1, "-bread": 0, "--bread": 0, strings.Repeat("- ", 50) + "bread": 0, "flour -bread": 0,
		`"bread at home"`: 1, `"home bread"`: 0, "bread or nothing": 1, "nothing or bread": 1, "bread!!!": 1,
		"(bread)": 1, "bread:*": 1, "node.js": 1, "rock&roll": 1, "roll": 1, "salt -pepper": 1,
	} {
		if _, total, err := pm.Search(ctx, q, models.Page{}); err != nil || total != want {
			t.Errorf("Search(%q) = %d posts, %v; want %d", q, total, err, want)
		}
	}
}

// nastyQueries are strings that once broke, or could break, a search.
var nastyQueries = []string{
	strings.Repeat("-", 50), strings.Repeat("-", 50) + "bread", strings.Repeat("- ", 50) + "bread",
	strings.Repeat("!-", 40) + "bread", strings.Repeat("(-", 40) + "bread", strings.Repeat("&-", 40) + "bread",
	strings.Repeat("<-", 40) + "bread", strings.Repeat("|-", 40) + "bread", strings.Repeat(`-"`, 40) + "bread",
	strings.Repeat(`"-`, 40) + "bread", strings.Repeat("bread -", 40), strings.Repeat("-bread ", 40),
	strings.Repeat("or ", 60), strings.Repeat("-or ", 60), strings.Repeat(`"`, 101), strings.Repeat("(", 200),
	"!!!", "&|", "&", "|", "!", `"`, `""`, `"unclosed phrase`, "'", "''", `\`, `\'`, ":*", "a:*", "bread:A",
	"bread:*A", "<->", "a <-> b", "a <2> b", "a & b | !c", "!(a & b)", "'a' & 'b'", "$1", "%", "_", ";",
	"'; DROP TABLE posts; --", "日本語", "café crème", "Straße", "emoji 🍞", "\u202eevil", "a\x00b",
	"\xff\xfe", "e\u0301", strings.Repeat("é", 300), strings.Repeat("bread ", 100), strings.Repeat("a-", 150),
	strings.Repeat("x", 300), "http://example.com/a?b=c&d=e", "user@example.com", "-", "--", " - ", "or",
	"-or", "or-", "\"-\"", "- \"\"", `-"bread at" -home`,
}

// FuzzSearch: any query gives results or none, never an error. Its seeds
// run with the tests; fuzz it with go test -fuzz=FuzzSearch ./models.
func FuzzSearch(f *testing.F) {
	for _, q := range nastyQueries {
		f.Add(q)
	}
	db := dbtest.New(f)
	pm := &models.PostModel{DB: db}
	var ada int64
	if err := db.Get(&ada, `INSERT INTO users (username, email, password_hash) VALUES ('ada', 'ada@example.com', 'x') RETURNING id`); err != nil {
		f.Fatal(err)
	}
	p, err := pm.Insert(context.Background(), ada, models.PostInput{Title: "Bread at home", Body: "Flour, water, salt."})
	if err == nil {
		_, err = pm.Publish(context.Background(), asAuthor(p), p.ID, p.Version)
	}
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, _, err := pm.Search(context.Background(), q, models.Page{}); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	})
}

func TestSearchQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"bread", "bread"},
		{"slow-travel -bread", "slow-travel -bread"},
		{`"a phrase" or -"not this"`, `"a phrase" or -"not this"`},
		{"--bread", "-bread"},
		{"- - -bread", "-  bread"},
		{"!-!-bread", " - bread"},
		{"a&b|c", "a b c"},
		{"x:*", "x  "},
		{"!!!", ""},
		{strings.Repeat("-", 50), ""},
		{`""`, ""},
	}
	for _, tc := range tests {
		if got := models.SearchQuery(tc.in); got != tc.want {
			t.Errorf("searchQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSearchBounds: searches past the concurrency cap are refused quickly
// with ErrSearchBusy, and a search that runs past its own statement timeout
// (2 s, not the connection's 10 s) ends with ErrSearchTooCostly.
func TestSearchBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	publishedPost(t, pm, ada, models.PostInput{Title: "Bread at home", Body: "Flour, water, salt."})

	release, err := pm.HoldSearchSlots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err = pm.Search(ctx, "bread", models.Page{})
	if took := time.Since(start); !errors.Is(err, models.ErrSearchBusy) || took > 3*time.Second {
		t.Errorf("search with every slot taken = %v after %v; want ErrSearchBusy within about 1 s", err, took)
	}
	release()
	if _, total, err := pm.Search(ctx, "bread", models.Page{}); err != nil || total != 1 {
		t.Errorf("search after the slots were freed = %d, %v", total, err)
	}

	// A lock held on posts stands for a search too costly to finish.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE posts IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	_, _, err = pm.Search(ctx, "bread", models.Page{})
	took := time.Since(start)
	if !errors.Is(err, models.ErrSearchTooCostly) || took > 6*time.Second {
		t.Errorf("blocked search = %v after %v; want ErrSearchTooCostly after about 2 s", err, took)
	}
}

// A snippet is the body's passage alone: the title, shown above it, ran
// into the body as one sentence ("Garden notes Some words about…").
func TestSearchSnippetLeavesTitleOut(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	publishedPost(t, pm, ada, models.PostInput{Title: "Garden notes", Body: "Some words about gardens."})
	for _, q := range []string{"gardens", "notes"} {
		hits, _, err := pm.Search(ctx, q, models.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || !strings.HasPrefix(hits[0].Snippet, "Some words about") || strings.Contains(hits[0].Snippet, "notes") {
			t.Errorf("search %q: snippets %+v, want the body's words alone", q, hits)
		}
	}
}
