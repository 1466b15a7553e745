package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

var (
	postStatusChoices = []admintable.Choice{{Value: PostDraft, Label: "Draft"},
		{Value: PostPublished, Label: "Published"}, {Value: PostHidden, Label: "Hidden"}}

	hidePost = admintable.Action{Key: "hide", Label: "Hide", Done: "Hid", Confirm: true, NeedsReason: true, Danger: true,
		Help: "Readers no longer see them. Each author sees the reason, and cannot publish again until an admin unhides."}
	unhidePost    = admintable.Action{Key: "unhide", Label: "Unhide", Done: "Unhid", Help: "They return to their authors as drafts."}
	publishPost   = admintable.Action{Key: "publish", Label: "Publish", Done: "Published", Help: "Drafts become public; hidden posts are left alone."}
	unpublishPost = admintable.Action{Key: "unpublish", Label: "Unpublish", Done: "Unpublished", Help: "Published posts go back to drafts."}
	deletePost    = admintable.Action{Key: "delete", Label: "Delete", Done: "Deleted", Confirm: true, Danger: true,
		Help: "They move to their authors' trash, where the authors can restore them for 30 days."}
)

// PostsTable is /admin/posts. Deleted posts (in their author's trash) are
// not listed.
var PostsTable = admintable.Must(&admintable.Table{
	Name: "posts", Title: "Posts", Noun: "post", Plural: "posts",
	From:  "posts p LEFT JOIN users u ON u.id = p.author_id",
	Where: "p.deleted_at IS NULL",
	ID:    "p.id", Version: "p.version",
	Columns: []admintable.Column{
		{Key: "title", Label: "Title", Expr: "p.title", Href: "'/posts/' || p.slug",
			Sortable: true, Searchable: true, Render: admintable.Link,
			Editable: &admintable.Editable{Type: "text", MaxLen: MaxTitleLen, Check: func(v string) string {
				if strings.TrimSpace(v) == "" {
					return "Give the post a title."
				}
				return ""
			}}},
		{Key: "author", Label: "Author", Expr: "coalesce(u.username, 'a deleted user')", Sortable: true, Searchable: true,
			Render: admintable.Text},
		{Key: "status", Label: "Status", Expr: "p.status", Sortable: true, Render: admintable.Badge,
			Editable: &admintable.Editable{Type: "select", Choices: postStatusChoices[:2]}},
		{Key: "published", Label: "Published", Expr: "p.published_at", Sortable: true, Render: admintable.Date},
		{Key: "updated", Label: "Updated", Expr: "p.updated_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "status", Label: "Status", Expr: "p.status", Choices: postStatusChoices},
		{Key: "published", Label: "Published", Expr: "p.published_at", Date: true},
	},
	DefaultSort: "-updated",
	PageSizes:   []int{20, 50, 100},
	RowActions: []admintable.Action{
		withIf(hidePost, "status", PostDraft, PostPublished),
		withIf(unhidePost, "status", PostHidden),
		withIf(publishPost, "status", PostDraft),
		withIf(unpublishPost, "status", PostPublished),
		deletePost,
	},
	BulkActions: []admintable.Action{hidePost, unhidePost, publishPost, unpublishPost, deletePost},
	Links: []admintable.RowLink{
		{Label: "Revisions", Href: "'/posts/' || p.id || '/revisions'"},
	},
	History: true,
})

// postSnap is what the post actions read, and lock, before changing.
type postSnap struct {
	ID           int64  `db:"id"`
	Title        string `db:"title"`
	Status       string `db:"status"`
	HiddenReason string `db:"hidden_reason"`
	Version      int    `db:"version"`
}

// field is the snapshot's value of a field an action changes.
func (p postSnap) field(name string) any {
	switch name {
	case "title":
		return p.Title
	case "status":
		return p.Status
	case "hidden_reason":
		return p.HiddenReason
	case "deleted":
		return false
	}
	return nil
}

const lockPostsSQL = `SELECT id, title, status, hidden_reason, version FROM posts
WHERE id = ANY($1) AND deleted_at IS NULL ORDER BY id FOR UPDATE`

// postChange is one kind of state change applied to many posts.
type postChange struct {
	action  string
	applies func(postSnap) bool
	after   map[string]any // the changed fields' new values
	update  string         // UPDATE ... WHERE id = ANY($1); further arguments in args
	args    []any
	note    string
	version int // >= 0: one post, which must be at this version
	// check, when set, refuses the whole change because of one post.
	check func(postSnap) error
}

// changePosts locks the posts, changes those the change applies to, and
// audits each with the fields before and after.
func (m *AdminModel) changePosts(ctx context.Context, actor Actor, ids []int64, ch postChange) (ActionResult, error) {
	changed := 0
	err := m.adminTx(ctx, ch.action+" posts", func(tx *sqlx.Tx) error {
		var posts []postSnap
		if err := tx.SelectContext(ctx, &posts, lockPostsSQL, pq.Array(ids)); err != nil {
			return err
		}
		if ch.version >= 0 {
			if err := checkVersion(len(posts), ch.version, func() int { return posts[0].Version }); err != nil {
				return err
			}
		}
		var targets []int64
		var entries []AuditEntry
		for _, p := range posts {
			if ch.check != nil {
				if err := ch.check(p); err != nil {
					return err
				}
			}
			if !ch.applies(p) {
				continue
			}
			before := map[string]any{}
			for k := range ch.after {
				before[k] = p.field(k)
			}
			b, a := diff(before, ch.after)
			if len(a) == 0 {
				continue
			}
			targets = append(targets, p.ID)
			entries = append(entries, AuditEntry{Model: "posts", ObjectID: p.ID, Action: ch.action,
				Before: b, After: a, Note: ch.note})
		}
		if len(targets) == 0 {
			return nil
		}
		if ch.action == "edit" && ch.after["title"] != nil && posts[0].Status == PostPublished {
			// An edited published post keeps its previous text as a revision,
			// as an author's own edit does.
			if _, err := tx.ExecContext(ctx, keepRevisionSQL, posts[0].ID, actor.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, ch.update, append([]any{pq.Array(targets)}, ch.args...)...); err != nil {
			return err
		}
		changed = len(targets)
		return Audit(ctx, tx, actor, entries...)
	})
	return result(ids, changed), err
}

const keepRevisionSQL = `INSERT INTO post_revisions (post_id, version, title, body, excerpt, tags, edited_by)
SELECT id, version, title, body, excerpt, tags, nullif($2::bigint, 0) FROM posts WHERE id = $1`

const (
	hidePostsSQL = `UPDATE posts SET status = 'hidden', hidden_reason = $2, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	unhidePostsSQL = `UPDATE posts SET status = 'draft', hidden_reason = '', version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	publishPostsSQL = `UPDATE posts SET status = 'published', published_at = coalesce(published_at, now()),
	version = version + 1, updated_at = now() WHERE id = ANY($1)`
	unpublishPostsSQL = `UPDATE posts SET status = 'draft', version = version + 1, updated_at = now() WHERE id = ANY($1)`
	trashPostsSQL     = `UPDATE posts SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = ANY($1)`
	retitlePostSQL    = `UPDATE posts SET title = $2, version = version + 1, updated_at = now() WHERE id = ANY($1)`
)

func statusIn(states ...string) func(postSnap) bool {
	return func(p postSnap) bool { return slices.Contains(states, p.Status) }
}

// HidePosts takes posts (draft or published) away from readers with a
// reason their authors see; hidden ones are left as they are.
func (m *AdminModel) HidePosts(ctx context.Context, actor Actor, ids []int64, reason string) (ActionResult, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ActionResult{}, refused("Give a reason: the authors will see it.")
	}
	return m.changePosts(ctx, actor, ids, postChange{action: "hide", applies: statusIn(PostDraft, PostPublished),
		after: map[string]any{"status": PostHidden, "hidden_reason": reason}, update: hidePostsSQL,
		args: []any{reason}, note: reason, version: -1})
}

// UnhidePosts returns hidden posts to their authors as drafts.
func (m *AdminModel) UnhidePosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, postChange{action: "unhide", applies: statusIn(PostHidden),
		after: map[string]any{"status": PostDraft, "hidden_reason": ""}, update: unhidePostsSQL, version: -1})
}

// PublishPosts makes drafts public; published_at is set the first time only.
func (m *AdminModel) PublishPosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, postChange{action: "publish", applies: statusIn(PostDraft),
		after: map[string]any{"status": PostPublished}, update: publishPostsSQL, version: -1})
}

// UnpublishPosts takes published posts back to drafts.
func (m *AdminModel) UnpublishPosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, postChange{action: "unpublish", applies: statusIn(PostPublished),
		after: map[string]any{"status": PostDraft}, update: unpublishPostsSQL, version: -1})
}

// DeletePosts moves posts to their authors' trash, as PostModel.SoftDelete
// does: restorable for TrashDays.
func (m *AdminModel) DeletePosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, postChange{action: "delete", applies: func(postSnap) bool { return true },
		after: map[string]any{"deleted": true}, update: trashPostsSQL, version: -1})
}

// EditPost saves an inline edit of one of PostsTable's editable columns
// over version: a newer version is ErrConflict. A title keeps the slug (links
// keep working); status moves between draft and published only, since
// hidden posts come back through UnhidePosts.
func (m *AdminModel) EditPost(ctx context.Context, actor Actor, id int64, version int, field, value string) error {
	ids := []int64{id}
	var ch postChange
	switch field {
	case "title":
		value = strings.TrimSpace(value)
		if value == "" || utf8.RuneCountInString(value) > MaxTitleLen {
			return refused("Use 1 to %d characters.", MaxTitleLen)
		}
		ch = postChange{applies: func(postSnap) bool { return true }, after: map[string]any{"title": value},
			update: retitlePostSQL, args: []any{value}}
	case "status":
		switch value {
		case PostDraft:
			ch = postChange{applies: statusIn(PostPublished, PostDraft), after: map[string]any{"status": value}, update: unpublishPostsSQL}
		case PostPublished:
			ch = postChange{applies: statusIn(PostDraft, PostPublished), after: map[string]any{"status": value}, update: publishPostsSQL}
		default:
			return refused("Choose draft or published; hide a post with its Hide action, to give the author a reason.")
		}
	default:
		return fmt.Errorf("models: posts: %q is not editable", field)
	}
	ch.action, ch.version = "edit", version
	if field == "status" {
		ch.check = func(p postSnap) error {
			if p.Status == PostHidden {
				return refused("This post is hidden: unhide it first.")
			}
			return nil
		}
	}
	_, err := m.changePosts(ctx, actor, ids, ch)
	return err
}
