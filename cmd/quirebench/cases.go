package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// fixtures are real values picked from the seeded database, so every case
// asks for something that exists and is typical.
type fixtures struct {
	Published int // published posts

	Slug   string // a published post of median length
	PostID int64
	// CommentedSlug is another post of about that length, with 40
	// approved comments (30 and 10 replies).
	CommentedSlug string
	CommentedID   int64
	Author        string // that post's author
	AuthorID      int64
	Tag           string // the most used tag
	Query         string // a word found in about 5% of posts
	Rare          string // the word found in the fewest posts
	Phrase        string // a quoted two-word phrase, as a reader types one

	AdminID     int64
	AdminCookie string // Cookie header of the signed-in admin
	AdminToken  string // the admin's session token

	LoginUser     string // the account the login case signs in as
	LoginPassword string
	LoginUserID   int64
	CSRFCookie    string // a visitor's quire_csrf cookie (the secret)
	CSRFToken     string // a form token for it (masked: any one stays valid)

	ETagPath string // the page the 304 case revalidates
	ETag     string
}

// A query is one statement a page runs, for the PostgreSQL ceiling.
type query struct {
	// SQL is the statement: the models' own (models.BenchQuery, never a
	// copy), or, for the session store's, quoted here.
	SQL string
	// Runs names the code that runs the statement, for the report.
	Runs string
	// Args are the parameter values, $1 first, as text; a value ":name" is
	// the pgbench variable name (set by a Meta command) instead.
	Args func(fx *fixtures) []string
	// Meta are pgbench meta-commands that come before the statement
	// (\set t random(...)), for values that must differ each time.
	Meta []string
	// Expand, when set, stands for statements that are built at run time
	// rather than kept in a constant; it returns them (see adminTableQueries).
	Expand func(ctx context.Context, db *sqlx.DB, fx *fixtures) ([]query, error)
	// As is the statement the app runs when SQL is a variant of it made
	// for pgbench (checkCeiling compares with As then).
	As string
	// Memo marks a statement the app runs once per change of what it reads
	// and then answers from memory (handlers.publicList, publicPost,
	// cachedXML). The ceiling
	// keeps it: it is the page read from the database. checkCeiling leaves
	// it out: a request in steady state does not run it.
	Memo bool
}

// memo marks q as read once per change, then kept in memory.
func memo(q query) query {
	q.Memo = true
	q.Runs += " (once per change, then from memory)"
	return q
}

// changeStamp is the query every cacheable list runs first, for its ETag
// (handlers.listNotModified, the feeds): author 0 and tag "" mean all.
// serve keeps its answer in memory until a change is heard (models.Changes).
func changeStamp(author func(fx *fixtures) string, tag func(fx *fixtures) string) query {
	return memo(query{SQL: models.BenchChangeStamp.SQL, Runs: "PostModel.ChangeStamp (ETag, Last-Modified)",
		Args: func(fx *fixtures) []string { return []string{author(fx), tag(fx)} }})
}

func all(*fixtures) string { return "0" }

func none(*fixtures) string { return "" }

func args(fn func(fx *fixtures) []string) func(fx *fixtures) []string { return fn }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// readerPageSize is handlers.readerPageSize: a reader's list shows ten posts.
const readerPageSize = 10

// Statements of scs's PostgreSQL session store
// (github.com/alexedwards/scs/postgresstore): every request of a signed-in
// user finds its session and, because Quire uses an idle timeout, writes it
// back with a new expiry. They are not Quire's, so they are quoted here.
const (
	sessionFindSQL   = `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`
	sessionCommitSQL = `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3) ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`
)

// ceilingToken is the session row the admin case's ceiling reads and
// writes: not the admin's own, which the app is using.
const ceilingToken = "quirebench-ceiling-session" // #nosec G101 -- the key of a stand-in session row in the private database, not a secret

// sessionBytes stands in for a gob-encoded session: bytea hex input of
// about the size of a signed-in user's session (120 bytes).
var sessionBytes = `\x` + repeatHex(120)

// sessionExpiry is any time in the future.
const sessionExpiry = "2099-01-01 00:00:00+00"

func repeatHex(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		b = append(b, "0123456789abcdef"[i%16], 'a')
	}
	return string(b)
}

// kind tells how a case's request is made and what it must answer.
type kind int

const (
	kindGet        kind = iota // a reader's GET, expected 200
	kindRevalidate             // a GET with If-None-Match, expected 304
	kindAdmin                  // a signed-in admin's GET, expected 200
	kindLogin                  // POST /login with the right password, expected 303
)

// benchCase is one row of the report.
type benchCase struct {
	Name  string
	Title string
	Kind  kind
	// Path is the request path with its query; "" means decided while
	// preparing (the 304 case).
	Path func(fx *fixtures) string
	// Queries are the statements the page runs, in order, for pgbench.
	Queries []query
	// Targeted cases carry the targets (ceiling share, p99).
	Targeted bool
	// Limit cases are also served by nginx from a file (limit.go).
	Limit bool
}

// cases are run in this order; login is last because it adds a session
// row per request, and it is reported apart: argon2id sets its pace.
var cases = []benchCase{
	{
		Name: "home", Title: "Home page", Kind: kindGet, Targeted: true, Limit: true,
		Path: func(*fixtures) string { return "/" },
		// The change stamp's count is the list's size (Page.WithTotal), so
		// ListPublished runs no count of its own.
		Queries: []query{
			changeStamp(all, none),
			memo(query{SQL: models.BenchListPublished.SQL, Runs: "PostModel.ListPublished (page)",
				Args: args(func(*fixtures) []string { return []string{itoa(readerPageSize), "0"} })}),
		},
	},
	{
		Name: "home-500", Title: "Home page 500", Kind: kindGet,
		Path: func(*fixtures) string { return "/?page=500" },
		Queries: []query{
			changeStamp(all, none),
			memo(query{SQL: models.BenchListPublished.SQL, Runs: "PostModel.ListPublished (page)",
				Args: args(func(*fixtures) []string { return []string{itoa(readerPageSize), itoa(499 * readerPageSize)} })}),
		},
	},
	{
		Name: "post", Title: "Post page", Kind: kindGet, Targeted: true, Limit: true,
		Path: func(fx *fixtures) string { return "/posts/" + fx.Slug },
		Queries: []query{
			memo(query{SQL: models.BenchResolveHead.SQL, Runs: "PostModel.ResolveHead (visibility and ETag)",
				Args: args(func(fx *fixtures) []string { return []string{fx.Slug} })}),
			memo(query{SQL: models.BenchGetPost.SQL, Runs: "PostModel.Get",
				Args: args(func(fx *fixtures) []string { return []string{itoa(fx.PostID)} })}),
		},
	},
	{
		Name: "post-comments", Title: "Post page, 40 comments", Kind: kindGet,
		Path: func(fx *fixtures) string { return "/posts/" + fx.CommentedSlug },
		Queries: []query{
			memo(query{SQL: models.BenchResolveHead.SQL, Runs: "PostModel.ResolveHead (visibility and ETag)",
				Args: args(func(fx *fixtures) []string { return []string{fx.CommentedSlug} })}),
			memo(query{SQL: models.BenchGetPost.SQL, Runs: "PostModel.Get",
				Args: args(func(fx *fixtures) []string { return []string{itoa(fx.CommentedID)} })}),
		},
	},
	{
		Name: "author", Title: "Author page", Kind: kindGet,
		Path: func(fx *fixtures) string { return "/@" + fx.Author },
		Queries: []query{
			{SQL: models.BenchGetUserByName.SQL, Runs: "UserModel.GetByUsername",
				Args: args(func(fx *fixtures) []string { return []string{fx.Author} })},
			changeStamp(func(fx *fixtures) string { return itoa(fx.AuthorID) }, none),
			memo(query{SQL: models.BenchListByAuthor.SQL, Runs: "PostModel.ListByAuthor (page)",
				Args: args(func(fx *fixtures) []string { return []string{itoa(fx.AuthorID), itoa(readerPageSize), "0"} })}),
		},
	},
	{
		Name: "tag", Title: "Tag page", Kind: kindGet, Limit: true,
		Path: func(fx *fixtures) string { return "/tags/" + url.PathEscape(fx.Tag) },
		Queries: []query{
			changeStamp(all, func(fx *fixtures) string { return fx.Tag }),
			memo(query{SQL: models.BenchListByTag.SQL, Runs: "PostModel.ListByTag (page)",
				Args: args(func(fx *fixtures) []string { return []string{fx.Tag, itoa(readerPageSize), "0"} })}),
		},
	},
	searchCase("search", "Search", func(fx *fixtures) string { return fx.Query }),
	searchCase("search-rare", "Search, a rare word", func(fx *fixtures) string { return fx.Rare }),
	searchCase("search-phrase", "Search, a phrase", func(fx *fixtures) string { return fx.Phrase }),
	{
		Name: "rss", Title: "RSS feed", Kind: kindGet,
		Path: func(*fixtures) string { return "/feed.xml" },
		// handlers.serveFeed: the change stamp, then the newest feedLen (20)
		// when the feed is not in memory.
		Queries: []query{
			changeStamp(all, none),
			memo(query{SQL: models.BenchListForFeed.SQL, Runs: "PostModel.ListForFeed",
				Args: args(func(*fixtures) []string { return []string{"0", "", "20", itoa(models.FeedEntryHTML + 1)} })}),
		},
	},
	{
		Name: "revalidate-304", Title: "304 revalidation", Kind: kindRevalidate,
		// The home page (or the feed) answers 304 after its change stamp.
		Path:    func(fx *fixtures) string { return fx.ETagPath },
		Queries: []query{changeStamp(all, none)},
	},
	// The last page: past the middle, a list is read from the oldest end.
	{
		Name: "home-last", Title: "Home, last page", Kind: kindGet,
		Path: func(fx *fixtures) string { return "/?page=" + itoa(lastPage(fx.Published)) },
		Queries: []query{
			changeStamp(all, none),
			memo(query{SQL: models.BenchListPublishedFromOldest.SQL, Runs: "PostModel.ListPublished (page, from the oldest end)",
				Args: args(func(fx *fixtures) []string {
					return []string{itoa(int64(fx.Published) - (lastPage(fx.Published)-1)*readerPageSize), "0"}
				})}),
		},
	},
	adminPostsCase(),
	loginCase(),
}

// searchCase is the search page for the word or phrase q picks.
func searchCase(name, title string, q func(fx *fixtures) string) benchCase {
	return benchCase{
		Name: name, Title: title, Kind: kindGet,
		Path: func(fx *fixtures) string { return "/search?q=" + url.QueryEscape(q(fx)) },
		// The page query counts the matches it ranks: the count runs
		// only past the last page.
		Queries: []query{
			{SQL: models.BenchSearch.SQL, Runs: "PostModel.Search (page)",
				Args: args(func(fx *fixtures) []string {
					return []string{q(fx), itoa(readerPageSize), "0", itoa(models.SnippetChars), itoa(models.SearchRanked + 1)}
				})},
		},
	}
}

// lastPage is the home page's last page number for n published posts.
func lastPage(n int) int64 { return max(1, (int64(n)+readerPageSize-1)/readerPageSize) }

func adminPostsCase() benchCase {
	find := query{SQL: sessionFindSQL, Runs: "scs LoadAndSave (store Find)",
		Args: args(func(*fixtures) []string { return []string{ceilingToken} })}
	commit := query{SQL: sessionCommitSQL, Runs: "scs LoadAndSave (store Commit: idle timeout renews)",
		Args: args(func(*fixtures) []string { return []string{ceilingToken, sessionBytes, sessionExpiry} })}
	return benchCase{
		Name: "admin-posts", Title: "Admin posts table", Kind: kindAdmin,
		Path: func(*fixtures) string { return "/admin/posts?" + adminPostsQuery },
		Queries: []query{
			find,
			{SQL: models.BenchGetUser.SQL, Runs: "UserModel.Get (loadUser)",
				Args: args(func(fx *fixtures) []string { return []string{itoa(fx.AdminID)} })},
			{Runs: "admintable.Table.List of models.PostsTable", Expand: adminTableQueries},
			commit,
		},
	}
}

func loginCase() benchCase {
	// Each sign-in writes a new session row: the token differs every time.
	commit := query{
		SQL:  strings.Replace(sessionCommitSQL, "VALUES ($1,", "VALUES ('quirebench-login-' || $1::text,", 1),
		As:   sessionCommitSQL,
		Runs: "scs LoadAndSave (store Commit of the new session)",
		Meta: []string{`\set t random(1, 2000000000)`},
		Args: args(func(*fixtures) []string { return []string{":t", sessionBytes, sessionExpiry} }),
	}
	account := func(fx *fixtures) string { return "user:" + itoa(fx.LoginUserID) }
	return benchCase{
		Name: "login", Title: "Login (argon2id)", Kind: kindLogin,
		Path: func(*fixtures) string { return "/login" },
		Queries: []query{
			{SQL: models.BenchGetUserByLogin.SQL, Runs: "UserModel.SignIn (the account, read once)",
				Args: args(func(fx *fixtures) []string { return []string{fx.LoginUser} })},
			{SQL: models.BenchThrottleLock.SQL, Runs: "ThrottleModel.Reserve (the account's lock)",
				Args: args(func(*fixtures) []string { return []string{"1903454322", "1"} })},
			{SQL: models.BenchThrottleLock.SQL, Runs: "ThrottleModel.Reserve (the address's lock)",
				Args: args(func(*fixtures) []string { return []string{"1903454322", "2"} })},
			{SQL: models.BenchThrottleCount.SQL, Runs: "ThrottleModel.Reserve (count)",
				Args: args(func(fx *fixtures) []string {
					return []string{account(fx), "127.0.0.1", "900000 milliseconds", "5"}
				})},
			{SQL: models.BenchThrottleFail.SQL, Runs: "ThrottleModel.Reserve (the attempt)",
				Args: args(func(fx *fixtures) []string { return []string{account(fx), "127.0.0.1"} })},
			{SQL: models.BenchResetFailures.SQL, Runs: "UserModel.SignIn (clear the failures)",
				Args: args(func(fx *fixtures) []string { return []string{account(fx)} })},
			{SQL: models.BenchRecordLogin.SQL, Runs: "UserModel.SignIn (record)",
				Args: args(func(fx *fixtures) []string { return []string{itoa(fx.LoginUserID)} })},
			commit,
		},
	}
}

// adminPostsQuery is the admin case's query string.
const adminPostsQuery = "sort=-updated&status=published"

// adminTableQueries returns the statements /admin/posts runs for the
// case's query string. The admin tables build their SQL from a declaration
// (models.PostsTable) rather than keeping it in constants, so the
// declaration is asked: its List runs once against the database through a
// recorder that notes each statement and its arguments.
func adminTableQueries(ctx context.Context, db *sqlx.DB, _ *fixtures) ([]query, error) {
	v, err := url.ParseQuery(adminPostsQuery)
	if err != nil {
		return nil, err
	}
	q, err := models.PostsTable.Parse(v)
	if err != nil {
		return nil, err
	}
	rec := &recorder{db: db}
	if _, err := models.PostsTable.List(ctx, rec, q); err != nil {
		return nil, err
	}
	if len(rec.queries) == 0 {
		return nil, fmt.Errorf("models.PostsTable.List ran no statement")
	}
	return rec.queries, nil
}

// recorder is a sqlx.QueryerContext that notes what passes through it.
type recorder struct {
	db      *sqlx.DB
	queries []query
}

func (r *recorder) note(text string, values []any) {
	vals := make([]string, len(values))
	for i, v := range values {
		vals[i] = argText(v)
	}
	r.queries = append(r.queries, query{SQL: text, Runs: "admintable.Table.List of models.PostsTable",
		Args: func(*fixtures) []string { return vals }})
}

func (r *recorder) QueryContext(ctx context.Context, q string, a ...any) (*sql.Rows, error) {
	r.note(q, a)
	return r.db.QueryContext(ctx, q, a...)
}

func (r *recorder) QueryxContext(ctx context.Context, q string, a ...any) (*sqlx.Rows, error) {
	r.note(q, a)
	return r.db.QueryxContext(ctx, q, a...)
}

func (r *recorder) QueryRowxContext(ctx context.Context, q string, a ...any) *sqlx.Row {
	r.note(q, a)
	return r.db.QueryRowxContext(ctx, q, a...)
}

// argText renders a statement argument as the text PostgreSQL would parse.
func argText(v any) string {
	if dv, ok := v.(driver.Valuer); ok {
		if x, err := dv.Value(); err == nil {
			v = x
		}
	}
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}
