package importer_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"quire/models/importer"
)

// readAll collects every record of a WXR file.
func readAll(t *testing.T, r io.Reader, name string) (*importer.Site, []*importer.Author, []*importer.Term, []*importer.Item, error) {
	t.Helper()
	w := importer.NewWXR(r, name)
	var (
		site    *importer.Site
		authors []*importer.Author
		terms   []*importer.Term
		items   []*importer.Item
	)
	for {
		rec, err := w.Next()
		if err == io.EOF {
			return site, authors, terms, items, nil
		}
		if err != nil {
			return site, authors, terms, items, err
		}
		switch v := rec.(type) {
		case *importer.Site:
			site = v
		case *importer.Author:
			authors = append(authors, v)
		case *importer.Term:
			terms = append(terms, v)
		case *importer.Item:
			items = append(items, v)
		}
	}
}

func TestImportWXRParsesFixture(t *testing.T) {
	f, err := os.Open("testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	site, authors, terms, items, err := readAll(t, f, "wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	if site == nil || site.WXRVersion != "1.2" || site.BaseSiteURL != "http://127.0.0.1:18254" || site.Title != "Peer blog (small fixture) — café ☕ 中文" {
		t.Fatalf("site = %+v", site)
	}
	if len(authors) != 7 || authors[6].Login != "elodie" || authors[6].DisplayName != "Élodie Martin" || authors[6].Email != "elodie@example.test" {
		t.Fatalf("authors = %d, last %+v", len(authors), authors[len(authors)-1])
	}
	byTax := map[string]int{}
	for _, tm := range terms {
		byTax[tm.Taxonomy]++
		if tm.Slug == "desserts" && tm.Parent != "recipes" {
			t.Errorf("desserts parent = %q", tm.Parent)
		}
	}
	if byTax["category"] != 4 || byTax["post_tag"] != 14 || byTax["post_format"] != 1 || len(terms) != 19 {
		t.Fatalf("terms by taxonomy = %v (want 4 categories, 14 tags, 1 format, deduplicated)", byTax)
	}
	counts := map[string]int{}
	var rich, classic, draft, future, colophon, convo *importer.Item
	for _, it := range items {
		counts[it.Type+"/"+it.Status]++
		switch {
		case strings.HasPrefix(it.Title, "Crème brûlée"):
			rich = it
		case strings.HasPrefix(it.Title, "Classic editor"):
			classic = it
		case strings.HasPrefix(it.Title, "Colophon"):
			colophon = it
		case strings.HasPrefix(it.Title, "A post with a conversation"):
			convo = it
		case it.Status == "future":
			future = it
		case it.Status == "draft" && draft == nil:
			draft = it
		}
	}
	want := map[string]int{"post/publish": 10, "post/draft": 2, "post/future": 1, "post/pending": 1, "post/private": 1, "page/publish": 2, "attachment/inherit": 1}
	if len(items) != 18 || len(counts) != len(want) {
		t.Fatalf("items = %d, %v", len(items), counts)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s = %d, want %d", k, counts[k], n)
		}
	}
	if rich == nil || !rich.Sticky || rich.Excerpt == "" || rich.MetaValue("mood") == "" || !strings.Contains(rich.Content, "<!-- wp:more -->") {
		t.Fatalf("rich post = %+v", rich)
	}
	if rich.Name != "creme-brulee-%e6%9c%88%e9%a5%bc-a-rich-post-%f0%9f%8d%ae" {
		t.Errorf("rich slug = %q", rich.Name)
	}
	if classic == nil || !strings.Contains(classic.Content, "]]>") {
		t.Errorf("classic post lost its literal ]]>: %+v", classic)
	}
	if colophon == nil || colophon.Parent == 0 || colophon.MenuOrder != 2 {
		t.Errorf("colophon = %+v", colophon)
	}
	if convo == nil || len(convo.Comments) != 3 || convo.Comments[0].UserID != 8 || convo.Comments[2].Parent != 2 {
		t.Fatalf("comments = %+v", convo)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if at, ok := future.Published(paris); !ok || !at.Equal(time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("future date = %v %v", at, ok)
	}
	if draft.Name != "" || draft.DateGMT != "0000-00-00 00:00:00" {
		t.Errorf("draft = %q %q", draft.Name, draft.DateGMT)
	}
	if at, ok := draft.Published(paris); !ok || at.Location() != paris {
		t.Errorf("a draft's date is read in the site's zone: %v %v", at, ok)
	}
}

func TestImportWXRErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
		is             error
	}{
		{"not xml", "hello", "", importer.ErrNotWXR},
		{"rss without wp", `<rss><channel><title>x</title><item><title>a</title></item></channel></rss>`, "", importer.ErrNotWXR},
		{"truncated", `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>a</title>
<wp:post_id>1</wp:post_id>`, "t.xml:2 (item 1)", nil},
		{"bad id", `<rss xmlns:wp="http://wordpress.org/export/1.1/"><channel><wp:wxr_version>1.1</wp:wxr_version>

<item><title>a</title><wp:post_id>x</wp:post_id></item></channel></rss>`, "t.xml:3 (item 1): the item is malformed", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, _, err := readAll(t, strings.NewReader(c.in), "t.xml")
			if err == nil {
				t.Fatal("no error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("err = %v, want %v", err, c.is)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// One element larger than MaxItemBytes stops the read instead of growing
// memory without bound.
func TestImportWXRBoundsAnItem(t *testing.T) {
	head := `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version><item><title>`
	body := strings.NewReader(strings.Repeat("a", importer.MaxItemBytes+1))
	r := io.MultiReader(strings.NewReader(head), body, strings.NewReader(`</title></item></channel></rss>`))
	_, _, _, _, err := readAll(t, r, "big.xml")
	if !errors.Is(err, importer.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}
