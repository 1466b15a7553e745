package models

import (
	"context"
	"fmt"
)

// FeedComments is how many of a post's newest approved comments its
// comments feed carries.
const FeedComments = 50

// As a post page shows them: approved, and not by a suspended account.
// The page's index (post_id, created_at, id) read backwards serves it.
const listFeedCommentsSQL = `SELECT c.id, c.post_id, c.parent_id, c.user_id, ` + commentName + `,
	c.body, c.body_html, c.status, c.held_reason, c.created_at, c.version
FROM comments c LEFT JOIN users u ON u.id = c.user_id
WHERE c.post_id = $1 AND c.status = 'approved' AND (u.id IS NULL OR u.state = 'active')
ORDER BY c.created_at DESC, c.id DESC LIMIT $2`

// ListForFeed returns a post's newest approved comments, newest first, at
// most FeedComments; callers check that the post is public.
func (m *CommentModel) ListForFeed(ctx context.Context, postID int64) ([]Comment, error) {
	cs := []Comment{}
	if err := m.DB.SelectContext(ctx, &cs, listFeedCommentsSQL, postID, FeedComments); err != nil {
		return nil, fmt.Errorf("models: list comments for feed: %w", err)
	}
	return cs, nil
}
