package models

import "quire/models/admintable"

var (
	commentStatusChoices = []admintable.Choice{{Value: CommentHeld, Label: "Held"}, {Value: CommentApproved, Label: "Approved"},
		{Value: CommentSpam, Label: "Spam"}, {Value: CommentTrash, Label: "Trash"}}

	approveComment = admintable.Action{Key: "approve", Label: "Approve", Done: "Approved",
		Help: "Held and spam comments appear under their posts; their writers' later comments appear at once."}
	spamComment = admintable.Action{Key: "spam", Label: "Spam", Done: "Marked as spam", Danger: true,
		Help: "They leave their posts; Restore brings them back."}
	trashComment = admintable.Action{Key: "trash", Label: "Trash", Done: "Trashed", Danger: true,
		Help: "They leave their posts; Restore brings them back."}
	restoreComment = admintable.Action{Key: "restore", Label: "Restore", Done: "Restored",
		Help: "Spam and trashed comments go back to where they were: held or approved."}
)

// commentAuthor is who wrote a comment, as moderators see it: a suspended
// account's comments are hidden from readers, and say so here.
const commentAuthor = `CASE WHEN c.user_id IS NULL AND c.guest_name = '' THEN 'Anonymous (a deleted account, or no name)'
	WHEN c.user_id IS NULL THEN c.guest_name || ' (guest)'
	ELSE coalesce(nullif(cu.display_name, ''), cu.username, 'a deleted user') ||
		CASE WHEN cu.state = 'suspended' THEN ' (suspended)' ELSE '' END END`

// CommentsTable is /admin/comments: every comment with its post, for
// moderation by editors and admins.
var CommentsTable = admintable.Must(&admintable.Table{
	Name: "comments", Title: "Comments", Noun: "comment", Plural: "comments",
	From: "comments c JOIN posts p ON p.id = c.post_id LEFT JOIN users cu ON cu.id = c.user_id",
	ID:   "c.id", Version: "c.version",
	Columns: []admintable.Column{
		{Key: "comment", Label: "Comment", Expr: "c.body", Searchable: true, Render: admintable.Text,
			Editable: &admintable.Editable{Type: "textarea", MaxLen: MaxCommentLen}},
		{Key: "author", Label: "Author", Expr: commentAuthor, Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "email", Label: "Guest's email", Expr: "c.guest_email", Searchable: true, Render: admintable.Text},
		// A trashed post's comments stay with it, and say so here.
		{Key: "post", Label: "Post", Expr: "p.title || CASE WHEN p.deleted_at IS NULL THEN '' ELSE ' (in the trash)' END",
			SortExpr: "p.title", Link: &admintable.Ref{Page: PostPage, Args: []string{"p.slug", "p.kind"}},
			Sortable: true, Searchable: true, Render: admintable.Link},
		{Key: "status", Label: "Status", Expr: "c.status", Sortable: true, Render: admintable.Badge},
		{Key: "held", Label: "Held for", Expr: "c.held_reason", Render: admintable.Text},
		{Key: "posted", Label: "Posted", Expr: "c.created_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "status", Label: "Status", Expr: "c.status", Choices: commentStatusChoices},
		{Key: "post_id", Label: "Post", Expr: "c.post_id", Int: true,
			ChoicesSQL: `SELECT p.id::text, p.title || CASE WHEN p.deleted_at IS NULL THEN '' ELSE ' (in the trash)' END
				FROM posts p WHERE EXISTS (SELECT 1 FROM comments c WHERE c.post_id = p.id) ORDER BY p.title, p.id`},
		{Key: "post_state", Label: "Post is", Expr: "CASE WHEN p.deleted_at IS NULL THEN 'live' ELSE 'trash' END",
			Choices: []admintable.Choice{{Value: "live", Label: "Live"}, {Value: "trash", Label: "In the trash"}}},
		{Key: "account", Label: "Account", Expr: "c.user_id", Int: true,
			ChoicesSQL: `SELECT u.id::text, coalesce(nullif(u.display_name, ''), u.username) FROM users u
				WHERE EXISTS (SELECT 1 FROM comments c WHERE c.user_id = u.id) ORDER BY 2, 1`},
		{Key: "writer", Label: "Written by", Expr: "CASE WHEN c.user_id IS NULL THEN 'guest' ELSE 'account' END",
			Choices: []admintable.Choice{{Value: "account", Label: "An account"}, {Value: "guest", Label: "A guest"}}},
		{Key: "posted", Label: "Posted", Expr: "c.created_at", Date: true},
	},
	DefaultSort: "-posted",
	PageSizes:   []int{20, 50, 100},
	RowActions: []admintable.Action{
		withIf(approveComment, "status", CommentHeld, CommentSpam),
		withIf(spamComment, "status", CommentHeld, CommentApproved),
		withIf(trashComment, "status", CommentHeld, CommentApproved, CommentSpam),
		withIf(restoreComment, "status", CommentSpam, CommentTrash),
	},
	BulkActions: []admintable.Action{approveComment, spamComment, trashComment, restoreComment},
	History:     true,
})
