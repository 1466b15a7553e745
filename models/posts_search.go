package models

import (
	"context"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// SearchHit is one search result.
type SearchHit struct {
	Post Post
	// Snippet is safe HTML: the passage that matched, escaped, with the
	// matched words in <mark></mark> and no other markup.
	Snippet string
}

// maxQueryLen bounds the search text; longer queries are cut, which keeps
// the work of parsing and highlighting small.
const maxQueryLen = 256

// Queries are parsed with websearch_to_tsquery ("quoted phrases", or, -not).
// numnode(...) = 0 means the query has no searchable words (empty, or only
// stop words): it folds to false when planned, so nothing is scanned.
const searchCountSQL = `SELECT count(*) FROM posts
WHERE numnode(websearch_to_tsquery('english', $1)) > 0
	AND search @@ websearch_to_tsquery('english', $1) AND status = 'published' AND deleted_at IS NULL AND NOT author_suspended`

// The ranked page is picked from ids first, so the sort carries only
// small rows; titles and bodies are read for that page alone.
//
// The snippet is ts_headline over the title and body as plain text: links
// and images read as their text, Markdown punctuation becomes spaces, and
// "<" is swapped for \x01 so that the text parser does not take "<script>"
// for a tag and drop it (Go swaps it back and escapes it). Matches are
// delimited by \x02 and \x03, which are first removed from the text, so
// only ts_headline's own marks remain.
const searchSQL = `WITH hits AS (
	SELECT id, published_at, ts_rank_cd(search, websearch_to_tsquery('english', $1)) AS rank
	FROM posts
	WHERE numnode(websearch_to_tsquery('english', $1)) > 0
		AND search @@ websearch_to_tsquery('english', $1) AND status = 'published' AND deleted_at IS NULL AND NOT author_suspended
	ORDER BY rank DESC, published_at DESC, id DESC
	LIMIT $2 OFFSET $3
)
SELECT ` + listColumns + `,
	ts_headline('english',
		translate(
			regexp_replace(regexp_replace(regexp_replace(p.title || E'\n\n' || p.body,
				'!?\[([^]\n]*)\]\([^)\n]*\)', '\1', 'g'),
				'(^|\n)[ \t]*[#>][#> \t]*', '\1', 'g'),
				'[*_\x60~|]+', ' ', 'g'),
			E'\x01\x02\x03<', E'   \x01'),
		websearch_to_tsquery('english', $1),
		E'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
	) AS snippet
FROM hits h JOIN posts p ON p.id = h.id LEFT JOIN users u ON u.id = p.author_id
ORDER BY h.rank DESC, h.published_at DESC, h.id DESC`

// Search finds public posts matching q, best first: a match in the title
// outweighs one in the tags, which outweighs one in the body; ties go to
// the newest. A query without searchable words (empty, or only stop words
// like "the") finds nothing and is not an error.
func (m *PostModel) Search(ctx context.Context, q string, pg Page) ([]SearchHit, int, error) {
	q = strings.ReplaceAll(strings.ToValidUTF8(strings.TrimSpace(q), ""), "\x00", "")
	if q == "" {
		return nil, 0, nil
	}
	if utf8.RuneCountInString(q) > maxQueryLen {
		q = string([]rune(q)[:maxQueryLen])
	}
	pg = pg.Normalize()
	var total int
	if err := m.DB.GetContext(ctx, &total, searchCountSQL, q); err != nil {
		return nil, 0, fmt.Errorf("models: count search: %w", err)
	}
	if total <= pg.Offset() {
		return nil, total, nil
	}
	var rows []struct {
		Post
		Snippet string `db:"snippet"`
	}
	if err := m.DB.SelectContext(ctx, &rows, searchSQL, q, pg.Size, pg.Offset()); err != nil {
		return nil, 0, fmt.Errorf("models: search: %w", err)
	}
	hits := make([]SearchHit, len(rows))
	for i, r := range rows {
		hits[i] = SearchHit{Post: r.Post, Snippet: markSnippet(r.Snippet)}
	}
	return hits, total, nil
}

// markSnippet turns ts_headline's output into safe HTML: the text is
// escaped and only the \x02...\x03 pairs become <mark></mark>. Stray or
// unbalanced delimiters are dropped, so the marks always nest correctly.
func markSnippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	open := false
	for {
		i := strings.IndexAny(s, "\x02\x03")
		if i < 0 {
			break
		}
		b.WriteString(escapeSnippet(s[:i]))
		switch {
		case s[i] == '\x02' && !open:
			b.WriteString("<mark>")
			open = true
		case s[i] == '\x03' && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+1:]
	}
	b.WriteString(escapeSnippet(s))
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

func escapeSnippet(s string) string {
	return html.EscapeString(strings.ReplaceAll(s, "\x01", "<"))
}
