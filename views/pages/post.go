package pages

import (
	"strconv"

	"quire/views/urls"
)

// PostView is a post as readers (and its author) see it.
type PostView struct {
	ID             int64
	Slug           string
	Title          string
	BodyHTML       string // sanitised when saved
	Tags           []string
	AuthorUsername string // "" when the author's account is gone
	AuthorName     string
	Status         string // draft, submitted, published, hidden
	HiddenReason   string
	ReviewNote     string // an editor's note on a draft returned from review
	CanPublish     bool   // the viewer may publish it; otherwise a draft is submitted for review
	Published      string // "2 January 2006", "" for never
	PublishedISO   string
	Updated        string
	CoverURL       string
	CoverSrcset    string
	CoverAlt       string
	CoverCaption   string
	Version        int
	CanEdit        bool
	CSRF           string
	// Only an admin sees the post then: readers get 404.
	AuthorSuspended bool
	// A page shows no byline, date or tags: it is the site's, not a dated post.
	Page bool
	// Comments are shown under a post (comments.templ); nil on pages.
	Comments *CommentsView
}

// EditorView is the post form: inline on the post page (htmx) or as a full
// page at /posts/{slug}/edit and /posts/new (works without JavaScript).
type EditorView struct {
	ID       int64 // 0 for a new post
	Slug     string
	Status   string
	Title    string
	Body     string
	Tags     string // comma-separated, as typed
	Excerpt  string
	SlugEdit string // the slug field, as typed
	CoverKey string
	CoverAlt string
	Version  int
	Errors   map[string]string
	Message  string // about the whole form
	Conflict *ConflictView
	SavedAt  string
	// PendingAt is when the pending changes shown were kept, "" for none.
	PendingAt string
	Inline    bool
	CSRF      string
	Page      bool // a page: no tags; a new one is created with kind=page
	// DraftKey names a new post's editor to its saves, so all of them land
	// on the one draft its first autosave makes.
	DraftKey     string
	SEO          SEOView
	Schedule     ScheduleView // the publish time (schedule.templ)
	CoverCaption string       // shown under the cover
	// AllowComments is the "Allow comments" checkbox (posts only).
	AllowComments bool
}

func (v EditorView) action() string {
	if v.ID == 0 {
		return urls.CreatePost()
	}
	return urls.SavePost(v.ID)
}

// noun is what the form edits, for its headings and hints.
func (v EditorView) noun() string {
	if v.Page {
		return "page"
	}
	return "post"
}

func (v EditorView) excerptHint() string {
	if v.Page {
		return "Shown to search engines and in link previews; derived from the page when empty."
	}
	return "Shown in lists and feeds; derived from the post when empty."
}

// readURL is where readers find what the form edits.
func (v EditorView) readURL() string {
	if v.Page {
		return urls.Page(v.Slug)
	}
	return urls.Post(v.Slug)
}

// autosave: every saved post autosaves (a draft in place, any other as
// pending changes).
func (v EditorView) autosave() bool { return v.ID != 0 || v.DraftKey != "" }

// autosaveURL is where the body's autosave posts: a new post's first
// autosave creates the draft.
func (v EditorView) autosaveURL() string {
	if v.ID == 0 {
		return urls.AutosaveNewPost()
	}
	return urls.PostAutosave(v.ID)
}

func (v EditorView) err(name string) string { return v.Errors[name] }

// PostItem is a post in a list.
type PostItem struct {
	Slug, Title, Summary   string
	AuthorUsername, Author string
	Published, ISO         string
	Tags                   []string
	Status                 string
	Snippet                string // search: safe HTML with <mark> only
	CoverURL               string // "" when the post has no cover
	Comments               string // "3 comments", linking to them; "" for none
}

// Pager is a list's page links; they work without JavaScript.
type Pager struct {
	Page, Last int
	Prev, Next string // URLs, "" when none
	Total      int
}

func (p Pager) label() string {
	return "Page " + strconv.Itoa(p.Page) + " of " + strconv.Itoa(max(p.Last, 1))
}

func (v SearchView) countText() string {
	word := "results"
	if v.Total == 1 {
		word = "result"
	}
	if v.More {
		return "More than " + strconv.Itoa(v.Total) + " results for “" + v.Query + "”: the best of the newest " +
			strconv.Itoa(v.Total) + " are shown."
	}
	return strconv.Itoa(v.Total) + " " + word + " for “" + v.Query + "”"
}
