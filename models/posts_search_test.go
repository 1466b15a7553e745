package models_test

import (
	"context"
	"slices"
	"strings"
	"testing"

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
