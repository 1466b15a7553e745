package models

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/jmoiron/sqlx"

	"quire/models/markdown"
)

// Demo content for `quire seed`: posts that look like a real multi-author
// blog, so pages, feeds, search and paging can be tried at scale.

type seedTopic struct {
	tags     []string
	subjects []string
	code     string // fenced code language; "" for topics without code
}

var seedTopics = []seedTopic{
	{[]string{"go", "programming"}, []string{"error handling in Go", "Go generics", "context cancellation",
		"table-driven tests", "the Go scheduler", "small interfaces", "Go modules", "profiling Go services"}, "go"},
	{[]string{"postgres", "databases"}, []string{"PostgreSQL indexes", "partial indexes", "VACUUM",
		"advisory locks", "full-text search", "reading query plans", "connection pooling"}, "sql"},
	{[]string{"htmx", "web"}, []string{"htmx", "server-rendered HTML", "progressive enhancement",
		"hypermedia", "forms without JavaScript", "the back button"}, "html"},
	{[]string{"design", "typography"}, []string{"whitespace", "type scales", "colour contrast",
		"designing forms", "small icons", "readable line lengths"}, ""},
	{[]string{"travel"}, []string{"night trains", "walking the Camino", "a week in Lisbon", "slow travel",
		"packing light", "the Scottish islands"}, ""},
	{[]string{"cooking"}, []string{"sourdough", "weeknight dal", "fermentation", "cast iron pans",
		"knife skills", "making stock"}, ""},
	{[]string{"books", "writing"}, []string{"rereading old favourites", "short story collections",
		"reading slowly", "keeping a notebook", "first drafts"}, ""},
	{[]string{"gardening"}, []string{"raised beds", "growing tomatoes", "compost", "a balcony garden"}, ""},
	{[]string{"photography"}, []string{"film cameras", "shooting at night", "a fifty millimetre lens",
		"editing photos"}, ""},
	{[]string{"linux", "security"}, []string{"SSH keys", "backups", "a home server", "password managers",
		"the command line"}, "bash"},
}

var (
	seedExtraTags = []string{"notes", "til", "essay", "tutorial", "review", "opinion", "productivity",
		"running", "music", "history", "science", "coffee"}
	seedTitles = []string{"Notes on %s", "What I learned about %s", "A short guide to %s", "Why %s matters",
		"%s, revisited", "Getting started with %s", "The quiet joy of %s", "Ten things about %s",
		"Against %s", "Thinking about %s", "%s in practice", "A year of %s", "Lessons from %s",
		"On %s", "How I approach %s"}
	seedHeadings = []string{"Background", "What worked", "What did not", "The details", "A closer look",
		"Trade-offs", "Where to start", "Further reading", "In practice", "Looking back", "Next steps"}
	seedOpeners = []string{
		"I have been thinking about %s for a while now.",
		"Most advice about %s misses the point.",
		"The first thing you notice about %s is how little you need to start.",
		"A friend asked me about %s last week, and my answer was longer than either of us expected.",
		"Everyone seems to have an opinion on %s.",
		"This is the post about %s I wish I had read a few years ago.",
	}
	seedSentences = []string{
		"It took me longer than I would like to admit.",
		"That turned out to be the easy part.",
		"Here is what worked, and what did not.",
		"The details matter more than the big picture suggests.",
		"Small, boring steps beat one clever leap.",
		"I wrote most of this down on a train, which may explain the tone.",
		"None of this is new, but it is easy to forget.",
		"The second attempt went much better than the first.",
		"If you only remember one thing, make it this.",
		"Your mileage will vary, and that is fine.",
		"Measure first; guess later.",
		"There is a lot of folklore here, and some of it is even true.",
		"It is worth doing slowly and properly.",
		"I keep coming back to the same three ideas.",
	}
	seedListItems = []string{"Start small and write things down", "Keep a checklist", "Ask someone who has done it",
		"Expect the first try to fail", "Leave time for mistakes", "Read the manual, really",
		"Take notes as you go", "Stop when it stops being fun", "Share what you learn"}
	seedLinks = []string{"https://example.com/notes", "https://example.org/guide", "https://example.net/archive",
		"https://en.wikipedia.org/wiki/Special:Random"}
	seedCode = map[string]string{
		"go":   "func main() {\n\tctx, cancel := context.WithTimeout(context.Background(), time.Second)\n\tdefer cancel()\n\tfmt.Println(run(ctx))\n}",
		"sql":  "CREATE INDEX CONCURRENTLY posts_published_idx\n    ON posts (published_at DESC)\n    WHERE status = 'published';",
		"html": "<button hx-post=\"/like\" hx-swap=\"outerHTML\">\n  Like\n</button>",
		"bash": "rsync -a --delete ~/notes/ backup:/srv/notes/\nssh-keygen -t ed25519 -C \"laptop\"",
	}
	seedAlts = []string{"A mountain path at dawn", "Notebook and pen on a wooden desk", "A bowl of soup on a table",
		"City lights from a train window", "Seedlings in a row of pots", "A bookshelf, slightly untidy"}
)

// seedRow is one generated post on its way to the database.
type seedRow struct {
	authorID                                  int64
	title, slug, body, html, excerpt, summary string
	coverKey, coverAlt, status, tags          string
	publishedAt, createdAt, updatedAt         string // RFC 3339; publishedAt "" for drafts
}

// seedBlock is a piece of Markdown and its rendered HTML.
type seedBlock struct{ md, html string }

// seedPools hold rendered building blocks. Rendering every post from
// scratch would cost more than everything else in seeding together, so a
// post is assembled from blocks rendered once. The blocks are separate
// Markdown blocks (ending in a blank line) and no post repeats a heading,
// so a post's HTML is exactly markdown.Render of its body (the test checks).
type seedPools struct {
	intros   map[string][]seedIntro // by subject
	sections []seedSection
	code     map[string]seedBlock // by language
	images   map[string]seedBlock // by cover key and alt, rendered on first use
}

// seedIntro is a post's opening paragraph. It is longer than SummaryLen,
// so it alone decides the post's summary.
type seedIntro struct {
	seedBlock
	summary string
}

type seedSection struct {
	seedBlock
	heading int // index in seedHeadings
}

const (
	seedIntrosPerSubject = 12
	seedSections         = 600
)

func newSeedPools(r *rand.Rand) (*seedPools, error) {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	sentences := func(k int) string {
		s := make([]string, k)
		for j := range s {
			s[j] = pick(seedSentences)
		}
		return strings.Join(s, " ")
	}
	var err error
	block := func(md string) seedBlock {
		html, rerr := markdown.Render(md)
		if rerr != nil && err == nil {
			err = rerr
		}
		return seedBlock{md: md, html: html}
	}

	p := &seedPools{intros: map[string][]seedIntro{}, code: map[string]seedBlock{}, images: map[string]seedBlock{}}
	for _, topic := range seedTopics {
		for _, subject := range topic.subjects {
			for range seedIntrosPerSubject {
				text := fmt.Sprintf(pick(seedOpeners), subject)
				for len(text) < SummaryLen+40 {
					text += " " + pick(seedSentences)
				}
				md := text + "\n\n"
				p.intros[subject] = append(p.intros[subject],
					seedIntro{seedBlock: block(md), summary: markdown.Excerpt(md, SummaryLen)})
			}
		}
		if topic.code != "" {
			p.code[topic.code] = block(fmt.Sprintf("```%s\n%s\n```\n\n", topic.code, seedCode[topic.code]))
		}
	}
	for range seedSections {
		h := r.IntN(len(seedHeadings))
		var b strings.Builder
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", seedHeadings[h], sentences(2+r.IntN(4)))
		switch r.IntN(5) {
		case 0:
			for range 3 + r.IntN(3) {
				fmt.Fprintf(&b, "- %s\n", pick(seedListItems))
			}
			b.WriteString("\n")
		case 1:
			fmt.Fprintf(&b, "There is a good write-up [over here](%s), and it is **well worth** reading. %s\n\n",
				pick(seedLinks), sentences(1))
		case 2:
			fmt.Fprintf(&b, "> %s\n\n", sentences(1))
		}
		p.sections = append(p.sections, seedSection{seedBlock: block(b.String()), heading: h})
	}
	return p, err
}

// image returns the block showing an uploaded image.
func (p *seedPools) image(key, alt string) (seedBlock, error) {
	if b, ok := p.images[key+"\x00"+alt]; ok {
		return b, nil
	}
	md := fmt.Sprintf("![%s](/media/%s)\n\n", alt, key)
	html, err := markdown.Render(md)
	b := seedBlock{md: md, html: html}
	p.images[key+"\x00"+alt] = b
	return b, err
}

const seedBatchSize = 500

// seedFirstNumberSQL numbers a seeding run's slugs after every post so far.
const seedFirstNumberSQL = `SELECT coalesce(max(id), 0) + 1 FROM posts`

// SeedPosts creates n demo posts spread over authorIDs: Markdown with
// headings, lists, links, quotes, code and images, 0-4 tags, about 85%
// published over the last three years and the rest drafts, half with a
// cover from coverKeys (which may be empty). Posts are assembled from
// pre-rendered blocks and copied in 500 per COPY over several connections,
// so PostgreSQL's own work (the search vector, the indexes) is most of the
// cost. Slugs end in a number, so seeding again adds posts instead of
// colliding. It returns how many posts were created.
func (m *PostModel) SeedPosts(ctx context.Context, n int, authorIDs []int64, coverKeys []string, r *rand.Rand) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	if len(authorIDs) == 0 {
		return 0, errors.New("models: seed posts: no authors")
	}
	pools, err := newSeedPools(r)
	if err != nil {
		return 0, fmt.Errorf("models: seed posts: %w", err)
	}
	var first int64
	if err := m.DB.GetContext(ctx, &first, seedFirstNumberSQL); err != nil {
		return 0, fmt.Errorf("models: seed posts: %w", err)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []seedRow, 2)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	// Several inserters: PostgreSQL's share (above all the search vector
	// of each body) is most of the work, and each connection gets a core.
	for range min(max(2, runtime.GOMAXPROCS(0)), 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				k, err := m.copySeedBatch(ctx, batch)
				if err != nil {
					cancel(err)
					continue // drain, so the generator never blocks
				}
				mu.Lock()
				created += k
				mu.Unlock()
			}
		}()
	}

	now := time.Now()
	batch := make([]seedRow, 0, seedBatchSize)
generate:
	for i := range n {
		row, err := pools.post(r, now, first+int64(i), authorIDs, coverKeys)
		if err != nil {
			cancel(err)
			break
		}
		batch = append(batch, row)
		if len(batch) == seedBatchSize || i == n-1 {
			select {
			case batches <- batch:
			case <-ctx.Done():
				break generate
			}
			batch = make([]seedRow, 0, seedBatchSize)
		}
	}
	close(batches)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return created, fmt.Errorf("models: seed posts: %w", err)
	}
	if first == 1 { // the site had no posts: every one is this renderer's
		if err := m.markRendered(ctx); err != nil {
			return created, fmt.Errorf("models: seed posts: %w", err)
		}
	}
	return created, nil
}

// markRendered records, as RerenderStale would, that every stored post's
// HTML is the current renderer's, so serve does not render them all again
// at its first start (100,000 seeded posts took minutes of both cores,
// competing with the bench's first case). The seed's HTML is each
// block's rendering joined, which differs from a whole body's only in
// what the body adds (heading anchors, image sizes from the library).
func (m *PostModel) markRendered(ctx context.Context) error {
	return inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var done bool
		if err := tx.GetContext(ctx, &done, rerenderDoneSQL, rerenderAuditModel, markdown.RenderVersion, rerenderAuditAction); err != nil || done {
			return err
		}
		return Audit(ctx, tx, Actor{Name: "Quire"}, AuditEntry{Model: rerenderAuditModel, ObjectID: markdown.RenderVersion,
			Action: rerenderAuditAction, Note: fmt.Sprintf("Version %d of the Markdown renderer wrote the demo posts.", markdown.RenderVersion)})
	})
}

// post makes up one post from the pools.
func (p *seedPools) post(r *rand.Rand, now time.Time, num int64, authorIDs []int64, coverKeys []string) (seedRow, error) {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	topic := seedTopics[r.IntN(len(seedTopics))]
	subject := pick(topic.subjects)
	title := fmt.Sprintf(pick(seedTitles), subject)
	title = strings.ToUpper(title[:1]) + title[1:]

	var tags []string
	switch k := r.IntN(10); {
	case k == 0: // untagged
	case k < 4:
		tags = []string{topic.tags[0]}
	default:
		tags = append(tags, topic.tags...)
		for range r.IntN(3) {
			if t := pick(seedExtraTags); !slices.Contains(tags, t) && len(tags) < 4 {
				tags = append(tags, t)
			}
		}
	}

	var cover, coverAlt string
	if len(coverKeys) > 0 && r.IntN(2) == 0 {
		cover, coverAlt = pick(coverKeys), pick(seedAlts)
	}

	intros := p.intros[subject]
	intro := intros[r.IntN(len(intros))]
	blocks := []seedBlock{intro.seedBlock}
	var headings []int
	for sec, n := 0, 2+r.IntN(3); sec < n; {
		s := p.sections[r.IntN(len(p.sections))]
		if slices.Contains(headings, s.heading) {
			continue // a repeated heading would get a different id in the whole post
		}
		headings = append(headings, s.heading)
		blocks = append(blocks, s.seedBlock)
		if sec == 0 && topic.code != "" && r.IntN(3) > 0 {
			blocks = append(blocks, p.code[topic.code])
		}
		if sec == 1 && len(coverKeys) > 0 && r.IntN(4) == 0 {
			img, err := p.image(pick(coverKeys), pick(seedAlts))
			if err != nil {
				return seedRow{}, err
			}
			blocks = append(blocks, img)
		}
		sec++
	}
	var body, html strings.Builder
	for _, b := range blocks {
		body.WriteString(b.md)
		html.WriteString(b.html)
	}

	row := seedRow{
		authorID: authorIDs[r.IntN(len(authorIDs))],
		title:    title,
		slug:     numberedSlug(markdown.Slugify(title), int(num)),
		body:     body.String(),
		html:     html.String(),
		summary:  intro.summary,
		coverKey: cover,
		coverAlt: coverAlt,
		tags:     strings.Join(tags, ","),
	}
	if r.IntN(5) == 0 {
		row.excerpt = fmt.Sprintf(pick(seedOpeners), subject)
		row.summary = row.excerpt
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	if r.IntN(100) < 85 {
		published := now.Add(-time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		updated := published
		if r.IntN(4) == 0 {
			updated = notAfter(published.Add(time.Duration(r.Int64N(int64(30*24*time.Hour)))), now)
		}
		row.status = PostPublished
		row.publishedAt = stamp(published)
		row.createdAt = stamp(published.Add(-time.Duration(r.Int64N(int64(72 * time.Hour)))))
		row.updatedAt = stamp(updated)
	} else {
		created := now.Add(-time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
		row.status = PostDraft
		row.createdAt = stamp(created)
		row.updatedAt = stamp(notAfter(created.Add(time.Duration(r.Int64N(int64(7*24*time.Hour)))), now))
	}
	return row, nil
}

func notAfter(t, limit time.Time) time.Time {
	if t.After(limit) {
		return limit
	}
	return t
}

// Arrays in, one statement out: tags travel comma-joined because unnest
// cannot take an array of arrays.
const insertSeedPostsSQL = `INSERT INTO posts (author_id, title, slug, body, body_html, excerpt, summary,
	cover_key, cover_alt, status, tags, published_at, created_at, updated_at)
SELECT a, t, s, b, h, e, su, ck, ca, st, string_to_array(tg, ','), nullif(pa, '')::timestamptz,
	cr::timestamptz, up::timestamptz
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
	AS x(a, t, s, b, h, e, su, ck, ca, st, tg, pa, cr, up)
ON CONFLICT (slug) DO NOTHING`

// seedColumns holds a batch column by column, as insertSeedPostsSQL takes it.
type seedColumns struct {
	authors                                                   pq.Int64Array
	titles, slugs, bodies, htmls, excerpts, summaries         pq.StringArray
	covers, alts, statuses, tags, published, created, updated pq.StringArray
}

func (c *seedColumns) add(row seedRow) {
	c.authors = append(c.authors, row.authorID)
	c.titles = append(c.titles, row.title)
	c.slugs = append(c.slugs, row.slug)
	c.bodies = append(c.bodies, row.body)
	c.htmls = append(c.htmls, row.html)
	c.excerpts = append(c.excerpts, row.excerpt)
	c.summaries = append(c.summaries, row.summary)
	c.covers = append(c.covers, row.coverKey)
	c.alts = append(c.alts, row.coverAlt)
	c.statuses = append(c.statuses, row.status)
	c.tags = append(c.tags, row.tags)
	c.published = append(c.published, row.publishedAt)
	c.created = append(c.created, row.createdAt)
	c.updated = append(c.updated, row.updatedAt)
}

// insertSeedBatch inserts a batch in one statement.
func (m *PostModel) insertSeedBatch(ctx context.Context, batch []seedRow) (int, error) {
	var c seedColumns
	for _, row := range batch {
		c.add(row)
	}
	res, err := m.DB.ExecContext(ctx, insertSeedPostsSQL, c.authors, c.titles, c.slugs, c.bodies, c.htmls,
		c.excerpts, c.summaries, c.covers, c.alts, c.statuses, c.tags, c.published, c.created, c.updated)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
