package importer

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// commentStatus is Quire's state for WordPress's comment_approved, "" for
// what is not imported.
func commentStatus(approved string) string {
	switch approved {
	case "1":
		return models.CommentApproved
	case "0":
		return models.CommentHeld
	case "spam":
		return models.CommentSpam
	case "trash", "post-trashed":
		return models.CommentTrash
	}
	return ""
}

// The post's comments kept from this source, made into comments or not.
const keptCommentsSQL = `SELECT source_id, data, coalesce(comment_id, 0) AS comment_id FROM imported_comments
WHERE source = $1 AND post_id = $2`

const linkCommentSQL = `UPDATE imported_comments SET comment_id = $3 WHERE source = $1 AND source_id = $2`

// The account of one of this source's imported authors with the address.
const commentAccountSQL = `SELECT coalesce(min(s.user_id), 0) FROM import_sources s JOIN users u ON u.id = s.user_id
WHERE s.source = $1 AND s.kind = 'user' AND lower(u.email) = lower($2) AND $2 <> ''`

const importedPostSQL = `SELECT post_id FROM import_sources WHERE source = $1 AND kind = 'post' AND source_id = $2`

// comments brings in the item's comments once its post is imported (now
// or before: a post unchanged at the source may have new comments, and
// comments kept by an import before Quire had comments are made now). A
// failure is noted, and ends an atomic run.
func (w *wordpress) comments(ctx context.Context, it *Item) error {
	if len(it.Comments) == 0 {
		return nil
	}
	err := w.run.inTx(ctx, func(tx *sqlx.Tx) error {
		var postID int64
		err := tx.GetContext(ctx, &postID, importedPostSQL, w.source, strconv.FormatInt(it.ID, 10))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the item was skipped
		}
		if err != nil {
			return err
		}
		if err := w.keepComments(ctx, tx, it, postID); err != nil {
			return err
		}
		return w.makeComments(ctx, tx, postID)
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	if w.opt.Atomic && !w.opt.DryRun {
		return fmt.Errorf("%s: comments: %w", itemLabel(it), err)
	}
	w.note(it, "Its comments could not be imported: %v", err)
	return nil
}

// makeComments turns the post's kept WordPress comments that are not yet
// comments into Quire's (imported_comments.comment_id says which are):
// their status and date as WordPress had them, a reply to a reply under
// its top-level comment (Quire has one level), written by the account of
// an imported author with the commenter's address, else as a guest.
// Pingbacks and trackbacks are not comments; they stay kept only.
func (w *wordpress) makeComments(ctx context.Context, tx *sqlx.Tx, postID int64) error {
	var rows []struct {
		SourceID  string `db:"source_id"`
		Data      []byte `db:"data"`
		CommentID int64  `db:"comment_id"`
	}
	if err := tx.SelectContext(ctx, &rows, keptCommentsSQL, w.source, postID); err != nil {
		return err
	}
	byID := map[int64]Comment{}
	made := map[int64]int64{} // WordPress id to Quire id
	for _, r := range rows {
		var c Comment
		if err := json.Unmarshal(r.Data, &c); err != nil {
			return fmt.Errorf("importer: kept comment %s: %w", r.SourceID, err)
		}
		byID[c.ID] = c
		if r.CommentID > 0 {
			made[c.ID] = r.CommentID
		}
	}
	// top is the top-level comment a comment belongs under, 0 for itself;
	// a loop or a missing parent makes it top-level.
	top := func(c Comment) int64 {
		root := int64(0)
		for p, n := c.Parent, 0; p != 0 && n < len(byID); n++ {
			parent, ok := byID[p]
			if !ok || !isComment(parent) {
				break
			}
			root, p = p, parent.Parent
		}
		return root
	}
	// Top-level comments first, so replies find theirs; oldest first.
	order := make([]Comment, 0, len(byID))
	for _, c := range byID {
		order = append(order, c)
	}
	sortComments(order, top)
	for _, c := range order {
		if _, done := made[c.ID]; done || !isComment(c) {
			continue
		}
		label := "comment " + strconv.FormatInt(c.ID, 10)
		status := commentStatus(c.Approved)
		if status == "" {
			w.run.note(label, "Its status %q is not imported.", c.Approved)
			continue
		}
		var user int64
		if err := tx.GetContext(ctx, &user, commentAccountSQL, w.source, c.AuthorEmail); err != nil {
			return err
		}
		body, err := toMarkdown(models.CleanText(c.Content))
		if err != nil {
			return err
		}
		in := models.ImportedComment{PostID: postID, ParentID: made[top(c)], UserID: user, Name: c.Author,
			Email: c.AuthorEmail, Body: body, Status: status, Created: w.commentTime(c)}
		id, err := models.InsertImportedComment(ctx, tx, in)
		if errors.Is(err, models.ErrInvalidComment) {
			w.run.note(label, "It is empty, so it was not imported.")
			continue
		}
		if err != nil {
			return err
		}
		made[c.ID] = id
		if _, err := tx.ExecContext(ctx, linkCommentSQL, w.source, strconv.FormatInt(c.ID, 10), id); err != nil {
			return err
		}
	}
	return nil
}

// isComment says whether a WordPress comment is a reader's comment, not a
// pingback or trackback.
func isComment(c Comment) bool { return c.Type == "" || c.Type == "comment" }

// commentTime is when the comment was written: its GMT date, else its
// local date in the site's zone, else now.
func (w *wordpress) commentTime(c Comment) time.Time {
	if t, err := time.ParseInLocation(wpDate, c.DateGMT, time.UTC); err == nil && !t.IsZero() && c.DateGMT != "0000-00-00 00:00:00" {
		return t
	}
	if t, err := time.ParseInLocation(wpDate, c.Date, w.opt.Location); err == nil {
		return t
	}
	return time.Now()
}

// sortComments orders top-level comments before replies, each by id
// (WordPress's ids grow with time).
func sortComments(cs []Comment, top func(Comment) int64) {
	slices.SortFunc(cs, func(a, b Comment) int {
		ta, tb := top(a) != 0, top(b) != 0
		if ta != tb {
			if ta {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
