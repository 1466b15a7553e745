package models

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// SearchHit is one search result.
type SearchHit struct {
	Post Post
	// Snippet is safe HTML: the passage that matched, escaped, with the
	// matched words in <mark></mark> and no other markup.
	Snippet string
}

// Bounds on what one search may cost, so that searching can never take
// reader pages down (21 phrase searches over five 195 KB posts once held
// the whole connection pool for 10 s, and the home page took 8.6 s).
const (
	// maxQueryLen bounds the search text; longer queries are cut, which
	// keeps the work of parsing and highlighting small.
	maxQueryLen = 256
	// searchTimeout is a search's statement_timeout, tighter than the
	// connection's 10 s: a search the server cannot answer in time is
	// refused instead of holding a connection and a CPU.
	searchTimeout = 2 * time.Second
	// searchSlots bounds the searches running at once per process, a fifth
	// of the connection pool, so the rest stays free for reader pages.
	searchSlots = maxOpenConns / 5
	// searchWait is how long a search waits for a free slot before it is
	// refused as busy: long enough to absorb a burst, short enough that a
	// flood never queues.
	searchWait = time.Second
)

// SnippetChars is how much of a hit's body its snippet is cut
// from. ts_headline's cost grows faster than its text: over a whole 195 KB
// body a phrase took 1.2 s a post, over 10,000 characters a few
// milliseconds. A match further in still finds the post; its snippet is
// then the post's beginning.
const SnippetChars = 10_000

// Search refusals. Neither is the reader's fault, and both are answered
// with a page that says so.
var (
	// ErrSearchBusy: searchSlots searches were already running.
	ErrSearchBusy = errors.New("models: too many searches at once")
	// ErrSearchTooCostly: the search needed more than searchTimeout or
	// more than PostgreSQL allows a query.
	ErrSearchTooCostly = errors.New("models: search too costly")
)

// searchGate admits at most searchSlots searches at once. The zero value
// is ready to use.
type searchGate struct {
	once  sync.Once
	slots chan struct{}
}

// enter waits up to searchWait for a slot; leave gives it back.
func (g *searchGate) enter(ctx context.Context) (leave func(), err error) {
	g.once.Do(func() { g.slots = make(chan struct{}, searchSlots) })
	wait := time.NewTimer(searchWait)
	defer wait.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-wait.C:
		return nil, ErrSearchBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// searchConfig is the text search configuration of the site's language
// (sql/00015), which the posts' search vectors are made with: evaluated
// once per statement.
const searchConfig = `(SELECT search_config FROM site_settings WHERE id = 1)`

// SearchRanked bounds the matches a search ranks: the newest
// SearchRanked public posts that match, read newest first from the
// published index (a very common word stops after them) or from the
// search index (a rare word finds them all). Ranking and counting every
// match took 183 ms at 10,000 posts; past the bound a reader is told
// "more than SearchRanked results" and pages through the best of these.
const SearchRanked = 500

// Queries are parsed with websearch_to_tsquery ("quoted phrases", or, -not).
// numnode(...) = 0 means the query has no searchable words (empty, or only
// stop words): it folds to false when planned, so nothing is scanned.
const searchMatches = `SELECT p.id, p.published_at, p.search FROM posts p
	WHERE numnode(websearch_to_tsquery(` + searchConfig + `, $1)) > 0
		AND search @@ websearch_to_tsquery(` + searchConfig + `, $1) AND ` + listedPost + `
	ORDER BY p.published_at DESC, p.id DESC`

// searchCountSQL counts matches up to $2 (SearchRanked + 1: "more than"),
// for a page past the last, which searchSQL returns no row to count by.
const searchCountSQL = `SELECT count(*) FROM (` + searchMatches + ` LIMIT $2) m`

// The ranked page is picked from the newest $5 (SearchRanked + 1) matches'
// ids first, so the sort carries only small rows; titles and bodies are
// read for that page alone, and ts_headline runs on its rows only. Each
// row carries the number of matches read (total), so the search reads
// its matches once.
//
// The snippet is ts_headline over the first $4 characters of the body as
// plain text (the title is shown above it; joined, the two read as one
// sentence): links and images read as their text, Markdown
// punctuation becomes spaces, and "<" is swapped for \x01 so that the text
// parser does not take "<script>" for a tag and drop it (Go swaps it back
// and escapes it). Matches are delimited by \x02 and \x03, which are first
// removed from the text, so only ts_headline's own marks remain.
const searchSQL = `WITH matches AS (` + searchMatches + ` LIMIT $5),
hits AS (
	SELECT id, published_at, ts_rank_cd(search, websearch_to_tsquery(` + searchConfig + `, $1)) AS rank,
		count(*) OVER () AS total
	FROM matches
	ORDER BY rank DESC, published_at DESC, id DESC
	LIMIT $2 OFFSET $3
)
SELECT ` + listColumns + `, h.total,
	ts_headline(` + searchConfig + `,
		translate(
			regexp_replace(regexp_replace(regexp_replace(left(p.body, $4),
				'!?\[([^]\n]*)\]\([^)\n]*\)', '\1', 'g'),
				'(^|\n)[ \t]*[#>][#> \t]*', '\1', 'g'),
				'[*_\x60~|]+', ' ', 'g'),
			E'\x01\x02\x03<', E'   \x01'),
		websearch_to_tsquery(` + searchConfig + `, $1),
		E'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
	) AS snippet
FROM hits h JOIN posts p ON p.id = h.id LEFT JOIN users u ON u.id = p.author_id
ORDER BY h.rank DESC, h.published_at DESC, h.id DESC`

// searchTimeoutSQL sets the statement timeout for the rest of a search's
// transaction.
const searchTimeoutSQL = `SELECT set_config('statement_timeout', $1, true)`

// Search finds public posts matching q, best first among the newest
// SearchRanked matches: a match in the title outweighs one in the tags,
// which outweighs one in the body; ties go to the newest. The total is
// exact up to SearchRanked; SearchRanked+1 means more. A query without
// searchable words (empty, or only stop words like "the") finds nothing
// and is not an error. Searches are bounded (see searchSlots and
// searchTimeout): past the bounds Search returns
// ErrSearchBusy or ErrSearchTooCostly.
func (m *PostModel) Search(ctx context.Context, q string, pg Page) ([]SearchHit, int, error) {
	q = strings.ReplaceAll(strings.ToValidUTF8(strings.TrimSpace(q), ""), "\x00", "")
	if utf8.RuneCountInString(q) > maxQueryLen {
		q = string([]rune(q)[:maxQueryLen])
	}
	if q = searchQuery(q); q == "" {
		return nil, 0, nil
	}
	pg = pg.Normalize()
	leave, err := m.searches.enter(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer leave()
	var (
		total int
		rows  []struct {
			Post
			Snippet string `db:"snippet"`
			Total   int    `db:"total"`
		}
	)
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, searchTimeoutSQL, fmt.Sprint(searchTimeout.Milliseconds())); err != nil {
			return err
		}
		if pg.Offset() < SearchRanked {
			if err := tx.SelectContext(ctx, &rows, searchSQL, q, pg.Size, pg.Offset(), SnippetChars, SearchRanked+1); err != nil {
				return err
			}
			// The one match past SearchRanked only says there are more.
			rows = rows[:min(len(rows), SearchRanked-pg.Offset())]
		}
		if len(rows) > 0 || pg.Offset() == 0 {
			if len(rows) > 0 {
				total = rows[0].Total
			}
			return nil
		}
		if err := tx.GetContext(ctx, &total, searchCountSQL, q, SearchRanked+1); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		return nil
	})
	if tooCostly(err) {
		return nil, 0, fmt.Errorf("%w: %w", ErrSearchTooCostly, err)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("models: search: %w", err)
	}
	hits := make([]SearchHit, len(rows))
	for i, r := range rows {
		hits[i] = SearchHit{Post: r.Post, Snippet: markSnippet(r.Snippet)}
	}
	return hits, total, nil
}

// tooCostly reports the server refusing a query's cost: its statement
// timeout (57014) or a program limit (class 54, such as a tsquery too large).
func tooCostly(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "57014" || pqErr.Code.Class() == "54")
}

// searchQuery gives q in the plain form of websearch_to_tsquery's syntax
// (words, "quoted phrases", -excluded words, or), each operator once, or ""
// when q has nothing to search for. PostgreSQL reads each "-" before a word
// as one more NOT, nested, and fails past 32 ("tsquery stack too small");
// it also ends a word at tsquery's own operator characters, which no
// indexed word contains. So those characters become spaces, and of a run
// of "-" between two words only the first is kept.
func searchQuery(q string) string {
	var b strings.Builder
	between := true // not inside a word: a "-" here is an operator
	negated := false
	hasWord := false
	for _, r := range q {
		switch {
		case strings.ContainsRune(`!&|()<:*\`, r):
			r, between = ' ', true
		case r == '"' || unicode.IsSpace(r):
			between = true
		case r == '-' && between:
			if negated {
				continue
			}
			negated = true
		case r == '-':
		default:
			between, negated, hasWord = false, false, true
		}
		b.WriteRune(r)
	}
	if !hasWord {
		return ""
	}
	return b.String()
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
