package models

import (
	"context"
	"fmt"
	"slices"

	"github.com/lib/pq"
)

// CommentPage is one page of a post's approved comments: its threads (a
// top-level comment and its replies), oldest first, then their replies.
type CommentPage struct {
	Comments []Comment
	Page     int // 1 is the oldest threads
	Pages    int // at least 1
}

// commentColumns are a comment's fields as readers see them, from
// comments c joined to its account u.
const commentColumns = `c.id, c.post_id, c.parent_id, c.user_id, ` + commentName + `,
	coalesce(u.avatar, '') AS avatar, c.body, c.body_html, c.status, c.held_reason, c.created_at, c.version`

const commentThreadsSQL = `SELECT comment_threads FROM posts WHERE id = $1`

// A page of threads is read on the partial index from the nearer end
// (never more than half the threads), then suspended accounts' comments
// are left out, so page numbers do not move when one is suspended.
const threadsPageSQL = `SELECT ` + commentColumns + `
FROM (SELECT * FROM comments WHERE post_id = $1 AND status = 'approved' AND parent_id IS NULL
	ORDER BY created_at %[1]s, id %[1]s LIMIT $2 OFFSET $3) c
LEFT JOIN users u ON u.id = c.user_id WHERE u.id IS NULL OR u.state = 'active'
ORDER BY c.created_at %[1]s, c.id %[1]s`

const repliesSQL = `SELECT ` + commentColumns + `
FROM comments c LEFT JOIN users u ON u.id = c.user_id
WHERE c.parent_id = ANY ($1) AND c.status = 'approved' AND (u.id IS NULL OR u.state = 'active')
ORDER BY c.created_at, c.id`

// Page reads page n of post postID's approved comments, perPage threads a
// page; n out of range (or 0) is the last page, where the newest are.
func (m *CommentModel) Page(ctx context.Context, postID int64, n, perPage int) (CommentPage, error) {
	var threads int
	if err := m.DB.GetContext(ctx, &threads, commentThreadsSQL, postID); err != nil {
		return CommentPage{}, fmt.Errorf("models: comment threads: %w", err)
	}
	pg := CommentPage{Pages: max(1, (threads+perPage-1)/perPage)}
	pg.Page = n
	if n < 1 || n > pg.Pages {
		pg.Page = pg.Pages
	}
	offset := (pg.Page - 1) * perPage
	limit := min(perPage, threads-offset)
	if limit <= 0 {
		return pg, nil
	}
	order := "ASC"
	if offset > threads/2 {
		order, offset = "DESC", threads-offset-limit
	}
	var tops []Comment
	if err := m.DB.SelectContext(ctx, &tops, fmt.Sprintf(threadsPageSQL, order), postID, limit, offset); err != nil {
		return CommentPage{}, fmt.Errorf("models: comment page: %w", err)
	}
	if order == "DESC" {
		slices.Reverse(tops)
	}
	ids := make([]int64, len(tops))
	for i, c := range tops {
		ids[i] = c.ID
	}
	var replies []Comment
	if err := m.DB.SelectContext(ctx, &replies, repliesSQL, pq.Array(ids)); err != nil {
		return CommentPage{}, fmt.Errorf("models: comment replies: %w", err)
	}
	pg.Comments = append(tops, replies...)
	return pg, nil
}

const threadRankSQL = `SELECT (SELECT comment_threads FROM posts WHERE id = $1) AS threads,
	(SELECT count(*) FROM comments WHERE post_id = $1 AND status = 'approved' AND parent_id IS NULL
	AND (created_at, id) < (SELECT created_at, id FROM comments WHERE id = $2)) AS before`

// PageOf is the page, perPage threads a page, on which the thread of
// top-level comment top shows, and how many pages there are.
func (m *CommentModel) PageOf(ctx context.Context, postID, top int64, perPage int) (n, pages int, err error) {
	var r struct {
		Threads int `db:"threads"`
		Before  int `db:"before"`
	}
	if err := m.DB.GetContext(ctx, &r, threadRankSQL, postID, top); err != nil {
		return 0, 0, fmt.Errorf("models: comment page of %d: %w", top, err)
	}
	return r.Before/perPage + 1, max(1, (r.Threads+perPage-1)/perPage), nil
}

// MaxHeldShown bounds the held comments a post page lists for its
// moderators; the rest wait in /admin/comments.
const MaxHeldShown = 50

const listHeldSQL = `SELECT ` + commentColumns + `
FROM comments c LEFT JOIN users u ON u.id = c.user_id
WHERE c.post_id = $1 AND c.status = 'held' ORDER BY c.created_at, c.id LIMIT $2`

// ListHeld returns the oldest held comments on a post, for its
// moderators.
func (m *CommentModel) ListHeld(ctx context.Context, postID int64) ([]Comment, error) {
	var cs []Comment
	if err := m.DB.SelectContext(ctx, &cs, listHeldSQL, postID, MaxHeldShown); err != nil {
		return nil, fmt.Errorf("models: held comments: %w", err)
	}
	return cs, nil
}
