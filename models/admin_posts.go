package models

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"quire/models/admintable"
)

var (
	postStatusChoices = []admintable.Choice{{Value: PostDraft, Label: "Draft"},
		{Value: PostPublished, Label: "Published"}, {Value: PostHidden, Label: "Hidden"}, {Value: PostSubmitted, Label: "Submitted"},
		{Value: PostScheduled, Label: "Scheduled"}}
	postKindChoices = []admintable.Choice{{Value: KindPost, Label: "Post"}, {Value: KindPage, Label: "Page"}}

	hidePost = admintable.Action{Key: "hide", Label: "Hide", Done: "Hid", Confirm: true, NeedsReason: true, Danger: true,
		Help: "Readers no longer see them. Each author sees the reason, and cannot publish again until an admin unhides."}
	unhidePost    = admintable.Action{Key: "unhide", Label: "Unhide", Done: "Unhid", Help: "They return to their authors as drafts."}
	publishPost   = admintable.Action{Key: "publish", Label: "Publish", Done: "Published", Help: "Drafts and scheduled posts become public now; hidden posts are left alone."}
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
		{Key: "title", Label: "Title", Expr: "p.title", Link: &admintable.Ref{Page: PostPage, Args: []string{"p.slug", "p.kind"}},
			Sortable: true, Searchable: true, Render: admintable.Link,
			Editable: &admintable.Editable{Type: "text", MaxLen: MaxTitleLen, Check: func(v string) string {
				if strings.TrimSpace(v) == "" {
					return "Give the post a title."
				}
				return ""
			}}},
		{Key: "author", Label: "Author", Expr: "coalesce(u.username, 'a deleted user')", Sortable: true, Searchable: true,
			Render: admintable.Text},
		{Key: "kind", Label: "Kind", Expr: "p.kind", Sortable: true, Render: admintable.Badge},
		{Key: "status", Label: "Status", Expr: "p.status", Sortable: true, Render: admintable.Badge,
			Editable: &admintable.Editable{Type: "select", Choices: postStatusChoices[:2]}},
		{Key: "published", Label: "Published", Expr: "p.published_at", Sortable: true, Render: admintable.Date},
		{Key: "scheduled", Label: "Scheduled for", Expr: "p.scheduled_at", Sortable: true, Render: admintable.Date},
		{Key: "updated", Label: "Updated", Expr: "p.updated_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "status", Label: "Status", Expr: "p.status", Choices: postStatusChoices},
		{Key: "kind", Label: "Kind", Expr: "p.kind", Choices: postKindChoices},
		{Key: "published", Label: "Published", Expr: "p.published_at", Date: true},
	},
	DefaultSort: "-updated",
	PageSizes:   []int{20, 50, 100},
	RowActions: []admintable.Action{
		withIf(hidePost, "status", PostDraft, PostPublished, PostScheduled),
		withIf(unhidePost, "status", PostHidden),
		withIf(publishPost, "status", PostDraft, PostScheduled),
		withIf(unpublishPost, "status", PostPublished),
		deletePost,
	},
	BulkActions: []admintable.Action{hidePost, unhidePost, publishPost, unpublishPost, deletePost},
	Links: []admintable.RowLink{
		{Label: "Revisions", To: admintable.Ref{Page: RevisionsPage, Args: []string{"p.id"}}},
	},
	History: true,
})

// changePosts runs ch on the posts and audits each it changed, in one
// transaction.
func (m *AdminModel) changePosts(ctx context.Context, actor Actor, ids []int64, ch postChange) (ActionResult, error) {
	changed := 0
	err := m.adminTx(ctx, ch.action+" posts", func(tx *sqlx.Tx) error {
		entries, err := changePosts(ctx, tx, actor, ids, ch)
		if err != nil {
			return err
		}
		changed = len(entries)
		return Audit(ctx, tx, actor, entries...)
	})
	return result(ids, changed), err
}

// HidePosts takes posts (draft or published) away from readers with a
// reason their authors see; hidden ones are left as they are.
func (m *AdminModel) HidePosts(ctx context.Context, actor Actor, ids []int64, reason string) (ActionResult, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ActionResult{}, refused("Give a reason: the authors will see it.")
	}
	return m.changePosts(ctx, actor, ids, hideChange(reason))
}

// UnhidePosts returns hidden posts to their authors as drafts.
func (m *AdminModel) UnhidePosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, unhideChange())
}

// PublishPosts makes drafts public; published_at is set the first time only.
func (m *AdminModel) PublishPosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, publishChange())
}

// UnpublishPosts takes published posts back to drafts.
func (m *AdminModel) UnpublishPosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, unpublishChange())
}

// DeletePosts moves posts to their authors' trash, as PostModel.SoftDelete
// does: restorable for TrashDays.
func (m *AdminModel) DeletePosts(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changePosts(ctx, actor, ids, trashChange())
}

// EditPost saves an inline edit of one of PostsTable's editable columns
// over version: a newer version is ErrConflict. A title keeps the slug (links
// keep working); status moves between draft and published only, since
// hidden posts come back through UnhidePosts.
func (m *AdminModel) EditPost(ctx context.Context, actor Actor, id int64, version int, field, value string) error {
	var ch postChange
	switch field {
	case "title":
		value = strings.TrimSpace(value)
		if value == "" || utf8.RuneCountInString(value) > MaxTitleLen {
			return refused("Use 1 to %d characters.", MaxTitleLen)
		}
		ch = retitleChange(value)
	case "status":
		switch value {
		case PostDraft:
			ch = unpublishChange()
		case PostPublished:
			ch = publishChange()
		default:
			return refused("Choose draft or published; hide a post with its Hide action, to give the author a reason.")
		}
		ch.check = func(p postSnap) error {
			if p.Status == PostHidden {
				return refused("This post is hidden: unhide it first.")
			}
			return nil
		}
	default:
		return fmt.Errorf("models: posts: %q is not editable", field)
	}
	ch.action, ch.version = "edit", version
	_, err := m.changePosts(ctx, actor, []int64{id}, ch)
	return err
}
