package pages

import (
	"strconv"

	"quire/views/textdiff"
	"quire/views/urls"
)

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

// RevisionView compares an earlier version with the current one: what
// changed from the older to the newer.
type RevisionView struct {
	PostID     int64
	Slug       string
	RevisionID int64
	Version    int
	Until      string // when the next save replaced it
	CurVersion int
	CurSaved   string // when the current version was saved
	Title      textdiff.Diff
	Body       textdiff.Diff
	Tags       textdiff.Diff
	Excerpt    textdiff.Diff
	CSRF       string
}

// older and newer name the two sides of the comparison.
func (v RevisionView) older() string { return "version " + strconv.Itoa(v.Version) }
func (v RevisionView) newer() string { return "version " + strconv.Itoa(v.CurVersion) + " (current)" }

// fields are the fields whose text changed.
func (v RevisionView) fields() []FieldDiff {
	return changedFields(v.Title, v.Body, v.Tags, v.Excerpt)
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
