package models

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

// The review queue: a contributor submits a draft, which waits as
// PostSubmitted until an editor approves it (it is published) or returns
// it with a note (a draft again, the note shown to its author). The
// changes are declared like the others and run by changePosts, so the
// role checks are the same.

// MaxReviewNoteLen bounds a returned post's note; sql/00012 holds the same.
const MaxReviewNoteLen = 1000

const (
	submitPostsSQL = `UPDATE posts SET status = 'submitted', review_note = '', version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	returnPostsSQL = `UPDATE posts SET status = 'draft', review_note = $2, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
)

// submitChange puts an author's own draft in the review queue.
func submitChange() postChange {
	return postChange{applies: statusIn(PostDraft), own: PermWrite, rowChange: rowChange{action: "submit",
		after: map[string]any{"status": PostSubmitted}, update: submitPostsSQL, version: -1}}
}

// approveChange publishes submitted posts.
func approveChange() postChange {
	ch := publishChange()
	ch.applies, ch.own, ch.action = statusIn(PostSubmitted), "", "approve"
	return ch
}

// returnChange sends submitted posts back to their authors as drafts with
// a note.
func returnChange(note string) postChange {
	return postChange{applies: statusIn(PostSubmitted), others: PermEditAny, rowChange: rowChange{action: "return",
		after: map[string]any{"status": PostDraft}, update: returnPostsSQL, args: []any{note}, note: note, version: -1}}
}

// Submit puts a draft of who's in the review queue. A post that is not a
// draft, or has moved on from version, is ErrConflict.
func (m *PostModel) Submit(ctx context.Context, who Actor, id int64, version int) (Post, error) {
	ch := submitChange()
	ch.version = version
	return m.change(ctx, who, id, ch)
}

var (
	approvePost = admintable.Action{Key: "approve", Label: "Approve", Done: "Approved and published",
		Help: "They are published at once under their authors' names."}
	returnPost = admintable.Action{Key: "return", Label: "Return", Done: "Returned", Confirm: true, NeedsReason: true,
		Help: "They go back to their authors as drafts. Each author is emailed your note and sees it on the post."}
)

// ReviewTable is /admin/review: the posts waiting for an editor.
var ReviewTable = admintable.Must(&admintable.Table{
	Name: "review", Title: "Review", Noun: "submitted post", Plural: "submitted posts",
	From:  "posts p LEFT JOIN users u ON u.id = p.author_id",
	Where: "p.status = 'submitted' AND p.deleted_at IS NULL",
	ID:    "p.id", Version: "p.version",
	Columns: []admintable.Column{
		{Key: "title", Label: "Title", Expr: "p.title", Link: &admintable.Ref{Page: PostPage, Args: []string{"p.slug", "p.kind"}}, Sortable: true, Searchable: true,
			Render: admintable.Link},
		{Key: "author", Label: "Author", Expr: "coalesce(u.username, 'a deleted user')", Sortable: true, Searchable: true,
			Render: admintable.Text},
		{Key: "submitted", Label: "Submitted", Expr: "p.updated_at", Sortable: true, Render: admintable.Date},
	},
	DefaultSort: "submitted",
	PageSizes:   []int{20, 50, 100},
	RowActions:  []admintable.Action{approvePost, returnPost},
	BulkActions: []admintable.Action{approvePost, returnPost},
	Links:       []admintable.RowLink{{Label: "Edit", To: admintable.Ref{Page: EditPostPage, Args: []string{"p.slug"}}}},
})

// ApprovePosts publishes submitted posts, audited.
func (m *AdminModel) ApprovePosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, approveChange())
}

// Returned is a post sent back from review, for the mail to its author.
type Returned struct {
	Title    string `db:"title"`
	Slug     string `db:"slug"`
	Username string `db:"username"`
	Email    string `db:"email"`
}

const returnedSQL = `SELECT p.title, p.slug, u.username, u.email FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.id = ANY($1) ORDER BY p.id`

// ReturnPosts sends submitted posts back to their authors as drafts with
// note, audited, and returns them for the mail to their authors, to be
// sent once the change has committed.
func (m *AdminModel) ReturnPosts(ctx context.Context, actor Actor, ids []int64, note string) ([]Returned, ActionResult, error) {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return nil, ActionResult{}, refused("Write a note: the authors will read it.")
	case utf8.RuneCountInString(note) > MaxReviewNoteLen:
		return nil, ActionResult{}, refused("Keep the note to %d characters.", MaxReviewNoteLen)
	}
	var returned []Returned
	changed := 0
	err := m.adminTx(ctx, "return posts", func(tx *sqlx.Tx) error {
		entries, err := changePosts(ctx, tx, actor, ids, returnChange(note))
		if err != nil {
			return err
		}
		changed = len(entries)
		back := make([]int64, len(entries))
		for i, e := range entries {
			back[i] = e.ObjectID
		}
		if err := tx.SelectContext(ctx, &returned, returnedSQL, pq.Array(back)); err != nil {
			return err
		}
		return Audit(ctx, tx, actor, entries...)
	})
	if err != nil {
		return nil, ActionResult{}, err
	}
	return returned, result(ids, changed), nil
}
