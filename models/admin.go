package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models/admintable"
)

// The pages admin tables link to, by what their URLs take; handlers build
// the URLs (views/urls), so no path is written in the tables' SQL.
const (
	PostPage      admintable.Page = "post"      // slug
	AuthorPage    admintable.Page = "author"    // username
	EditPostPage  admintable.Page = "edit"      // slug
	RevisionsPage admintable.Page = "revisions" // post id
	HistoryPage   admintable.Page = "history"   // audit model, object id
)

// AdminModel runs the admin's actions. Each one changes its rows and writes
// their audit entries in one transaction: all of it happens, or none.
type AdminModel struct {
	DB *sqlx.DB
}

// ActionResult is what an action did: how many objects it changed, and how
// many it left as they were (already in that state, or gone meanwhile),
// and what is left to do now that it has committed.
type ActionResult struct {
	Changed, Unchanged int
	After              AfterCommit
}

func result(ids []int64, changed int) ActionResult {
	return ActionResult{Changed: changed, Unchanged: len(ids) - changed}
}

// ErrRefused is an action the rules forbid, whatever the rows' versions:
// demoting the last admin, suspending oneself, deleting media in use.
var ErrRefused = errors.New("refused")

// RefusedError says why an action was refused, for the admin to read.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string        { return e.Msg }
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refused(format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...)}
}

const lockAdminsSQL = `SELECT id FROM users WHERE role = 'admin' AND state = 'active' ORDER BY id FOR UPDATE`

// lockAdmins serialises the actions that can take away admins: with the
// active admins' rows locked, two admins demoting each other at once
// cannot both succeed and leave the site with none.
func lockAdmins(ctx context.Context, tx *sqlx.Tx) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, lockAdminsSQL); err != nil {
		return fmt.Errorf("lock admins: %w", err)
	}
	return nil
}

// ensureAdminLeft refuses a change that leaves no active admin.
func ensureAdminLeft(ctx context.Context, tx *sqlx.Tx) error {
	var n int
	if err := tx.GetContext(ctx, &n, countAdminsSQL); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return refused("The last active admin cannot be demoted, suspended or deleted: make another admin first.")
	}
	return nil
}

// adminTx runs fn in a transaction and names the action in its errors;
// refusals and sentinel errors pass through as they are.
func (m *AdminModel) adminTx(ctx context.Context, what string, fn func(tx *sqlx.Tx) error) error {
	err := inTx(ctx, m.DB, fn)
	if err == nil || errors.Is(err, ErrRefused) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	return fmt.Errorf("models: admin %s: %w", what, err)
}

// Dashboard is /admin at a glance.
type Dashboard struct {
	Users struct {
		Active    int `db:"active"`
		Suspended int `db:"suspended"`
		Admins    int `db:"admins"`
	}
	Posts struct {
		Draft     int `db:"draft"`
		Published int `db:"published"`
		Hidden    int `db:"hidden"`
		Trashed   int `db:"trashed"`
	}
	Media struct {
		Count int   `db:"count"`
		Bytes int64 `db:"bytes"`
	}
	Recent   []AuditRecord
	NewUsers []DashboardUser
	NewPosts []DashboardPost
}

// DashboardUser is a newly joined account.
type DashboardUser struct {
	ID       int64     `db:"id"`
	Username string    `db:"username"`
	Role     string    `db:"role"`
	State    string    `db:"state"`
	Joined   time.Time `db:"created_at"`
}

// DashboardPost is a newly written post.
type DashboardPost struct {
	ID      int64     `db:"id"`
	Title   string    `db:"title"`
	Slug    string    `db:"slug"`
	Status  string    `db:"status"`
	Author  string    `db:"author"`
	Created time.Time `db:"created_at"`
}

const (
	dashUsersSQL = `SELECT count(*) FILTER (WHERE state = 'active') AS active,
	count(*) FILTER (WHERE state = 'suspended') AS suspended,
	count(*) FILTER (WHERE role = 'admin' AND state = 'active') AS admins FROM users`
	dashPostsSQL = `SELECT count(*) FILTER (WHERE status = 'draft' AND deleted_at IS NULL) AS draft,
	count(*) FILTER (WHERE status = 'published' AND deleted_at IS NULL) AS published,
	count(*) FILTER (WHERE status = 'hidden' AND deleted_at IS NULL) AS hidden,
	count(*) FILTER (WHERE deleted_at IS NOT NULL) AS trashed FROM posts`
	dashMediaSQL    = `SELECT count(*) AS count, coalesce(sum(bytes), 0) AS bytes FROM media`
	dashNewUsersSQL = `SELECT id, username, role, state, created_at FROM users ORDER BY created_at DESC, id DESC LIMIT $1`
	dashNewPostsSQL = `SELECT p.id, p.title, p.slug, p.status, coalesce(u.username, '') AS author, p.created_at
	FROM posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.deleted_at IS NULL
	ORDER BY p.created_at DESC, p.id DESC LIMIT $1`
)

// Dashboard counts users, posts and media by state and lists the newest
// actions, users and posts (n of each).
func (m *AdminModel) Dashboard(ctx context.Context, n int) (Dashboard, error) {
	var d Dashboard
	steps := []struct {
		dest  any
		query string
		get   bool
	}{
		{&d.Users, dashUsersSQL, true}, {&d.Posts, dashPostsSQL, true}, {&d.Media, dashMediaSQL, true},
		{&d.NewUsers, dashNewUsersSQL, false}, {&d.NewPosts, dashNewPostsSQL, false},
	}
	for _, s := range steps {
		var err error
		if s.get {
			err = m.DB.GetContext(ctx, s.dest, s.query)
		} else {
			err = m.DB.SelectContext(ctx, s.dest, s.query, n)
		}
		if err != nil {
			return Dashboard{}, fmt.Errorf("models: dashboard: %w", err)
		}
	}
	var err error
	d.Recent, err = m.RecentAudit(ctx, n)
	return d, err
}
