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

// commentAuthor is who wrote a comment, as moderators see it.
const commentAuthor = `CASE WHEN c.user_id IS NULL THEN c.guest_name || ' (guest)'
	ELSE coalesce(nullif(cu.display_name, ''), cu.username, 'a deleted user') END`

// CommentsTable is /admin/comments: every comment with its post, for
// moderation by editors and admins.
var CommentsTable = admintable.Must(&admintable.Table{
	Name: "comments", Title: "Comments", Noun: "comment", Plural: "comments",
	From: "comments c JOIN posts p ON p.id = c.post_id LEFT JOIN users cu ON cu.id = c.user_id",
	ID:   "c.id", Version: "c.version",
	Columns: []admintable.Column{
		{Key: "comment", Label: "Comment", Expr: "left(c.body, 200)", Searchable: true, Render: admintable.Text},
		{Key: "author", Label: "Author", Expr: commentAuthor, Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "email", Label: "Guest's email", Expr: "c.guest_email", Searchable: true, Render: admintable.Text},
		{Key: "post", Label: "Post", Expr: "p.title", Link: &admintable.Ref{Page: PostPage, Args: []string{"p.slug", "p.kind"}},
			Sortable: true, Searchable: true, Render: admintable.Link},
		{Key: "status", Label: "Status", Expr: "c.status", Sortable: true, Render: admintable.Badge},
		{Key: "held", Label: "Held for", Expr: "c.held_reason", Render: admintable.Text},
		{Key: "posted", Label: "Posted", Expr: "c.created_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "status", Label: "Status", Expr: "c.status", Choices: commentStatusChoices},
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
