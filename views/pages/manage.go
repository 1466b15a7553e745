package pages

import "quire/views/urls"

// MyPostsView is /drafts: the author's own posts, and deleted ones that can
// still be restored.
type MyPostsView struct {
	Items []MyPostItem
	Trash []MyPostItem
	Pager Pager
	CSRF  string
	// CanCreatePages offers "New page" (/pages/new).
	CanCreatePages bool
}

// MyPostItem is one of the author's posts.
type MyPostItem struct {
	ID                   int64
	Slug, Title, Status  string
	Updated, DeletedDays string
	Page                 bool
	Scheduled            string // when a scheduled post goes out; "" for others
}

// href is where readers find the post or page.
func (it MyPostItem) href() string {
	if it.Page {
		return urls.Page(it.Slug)
	}
	return urls.Post(it.Slug)
}

// ConfirmView asks before a destructive action.
type ConfirmView struct {
	Heading, Message, Action, Submit, Cancel string
	Version                                  int
	CSRF                                     string
}

// RevisionsView lists a post's earlier versions.
type RevisionsView struct {
	PostID    int64
	Slug      string
	Title     string
	Revisions []RevisionItem
}

// RevisionItem is one saved earlier version.
type RevisionItem struct {
	ID      int64
	Version int
	Title   string
	Editor  string
	Created string
}

// DiffLine is one line of a comparison: " " same, "-" removed, "+" added.
type DiffLine struct {
	Op   string
	Text string
}

func (d DiffLine) class() string {
	switch d.Op {
	case "+":
		return "diff-add"
	case "-":
		return "diff-del"
	}
	return "diff-same"
}

// RevisionView compares an earlier version with the current one.
type RevisionView struct {
	PostID     int64
	Slug       string
	RevisionID int64
	Version    int
	Created    string
	TitleFrom  string
	TitleTo    string
	Lines      []DiffLine
	CurVersion int
	CSRF       string
}

func (v RevisionView) restoreURL() string {
	return urls.RestoreRevision(v.PostID, v.RevisionID)
}

// MediaItem is an uploaded image in the library.
type MediaItem struct {
	URL, Markdown, Alt string
	Width, Height      int
	Size               string
}

// MediaLibraryView is /media: the account's uploads and an upload form
// that works without JavaScript.
type MediaLibraryView struct {
	Items []MediaItem
	Pager Pager
	Error string
	Just  *MediaItem // the upload that was just made
	CSRF  string
}
