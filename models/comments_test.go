package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
)

// commentSite is a site whose comments are open to guests.
func commentSite(mode string) models.Settings {
	s := models.DefaultSettings()
	s.Comments = mode
	return s
}

func commentFixture(t *testing.T) (*sqlx.DB, *models.CommentModel, models.Post) {
	t.Helper()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	author := newUser(t, db, "ada", "Ada")
	p := publishedPost(t, pm, author, models.PostInput{Title: "Swifts", Body: "They are back."})
	return db, &models.CommentModel{DB: db}, p
}

func guest(postID int64, body string) models.CommentInput {
	return models.CommentInput{PostID: postID, Name: "Grace", Email: "grace@example.org", Body: body}
}

// TestCommentHoldingRules: a commenter's first comment is held; once one
// was approved, later ones appear at once, unless they carry more links
// than the setting allows or a blocklisted word.
func TestCommentHoldingRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, cm, p := commentFixture(t)
	s := commentSite(models.CommentsAnyone)
	s.CommentsMaxLinks = 1
	s.CommentsBlocklist = "casino"
	first, err := cm.Insert(ctx, s, models.Commenter{}, guest(p.ID, "Lovely *birds*."))
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != models.CommentHeld || first.HeldReason != models.HeldFirst {
		t.Fatalf("first comment: %s (%s), want held as a first comment", first.Status, first.HeldReason)
	}
	admin := models.Actor{ID: 0, Name: "mod", Role: models.RoleEditor}
	if res, err := cm.Approve(ctx, admin, []int64{first.ID}); err != nil || res.Changed != 1 {
		t.Fatalf("approve: %+v, %v", res, err)
	}
	for _, tc := range []struct {
		body, status, reason string
	}{
		{"Second, and [one link](https://example.org).", models.CommentApproved, ""},
		{"[a](https://a.example) and [b](https://b.example)", models.CommentHeld, models.HeldLinks},
		{"Visit my CASINO", models.CommentHeld, models.HeldBlocklist},
	} {
		c, err := cm.Insert(ctx, s, models.Commenter{}, guest(p.ID, tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != tc.status || c.HeldReason != tc.reason {
			t.Errorf("%q: %s (%q), want %s (%q)", tc.body, c.Status, c.HeldReason, tc.status, tc.reason)
		}
	}
	// The same address in capitals is the same commenter.
	in := guest(p.ID, "Again.")
	in.Email = "GRACE@example.org"
	if c, err := cm.Insert(ctx, s, models.Commenter{}, in); err != nil || c.Status != models.CommentApproved {
		t.Errorf("approved commenter in capitals: %+v, %v", c, err)
	}
}

// TestCommentRefusals: comments off, a guest where only accounts comment,
// a closed post, a draft, a post past the close-after days, and bad
// fields, each refused with its own error.
func TestCommentRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	pm := &models.PostModel{DB: db}
	draft := newPost(t, pm, p.AuthorID.Int64, models.PostInput{Title: "Draft", Body: "Not yet."})
	anyone := commentSite(models.CommentsAnyone)
	if _, err := cm.Insert(ctx, commentSite(models.CommentsOff), models.Commenter{}, guest(p.ID, "Hi")); !errors.Is(err, models.ErrCommentsClosed) {
		t.Errorf("comments off: %v, want ErrCommentsClosed", err)
	}
	if _, err := cm.Insert(ctx, commentSite(models.CommentsAccounts), models.Commenter{}, guest(p.ID, "Hi")); !errors.Is(err, models.ErrCommentsSignIn) {
		t.Errorf("guest on accounts only: %v, want ErrCommentsSignIn", err)
	}
	if _, err := cm.Insert(ctx, anyone, models.Commenter{}, guest(draft.ID, "Hi")); !errors.Is(err, models.ErrCommentsClosed) {
		t.Errorf("draft: %v, want ErrCommentsClosed", err)
	}
	old := anyone
	old.CommentsCloseDays = 3
	if _, err := db.Exec(`UPDATE posts SET published_at = now() - interval '4 days' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cm.Insert(ctx, old, models.Commenter{}, guest(p.ID, "Hi")); !errors.Is(err, models.ErrCommentsClosed) {
		t.Errorf("past the close-after days: %v, want ErrCommentsClosed", err)
	}
	if _, err := db.Exec(`UPDATE posts SET comments_closed = true WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cm.Insert(ctx, anyone, models.Commenter{}, guest(p.ID, "Hi")); !errors.Is(err, models.ErrCommentsClosed) {
		t.Errorf("closed post: %v, want ErrCommentsClosed", err)
	}
	if _, err := db.Exec(`UPDATE posts SET comments_closed = false WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	var invalid *models.InvalidCommentError
	_, err := cm.Insert(ctx, anyone, models.Commenter{}, models.CommentInput{PostID: p.ID, Email: "nope",
		Body: strings.Repeat("x", models.MaxCommentLen+1)})
	if !errors.As(err, &invalid) || invalid.Fields["name"] == "" || invalid.Fields["email"] == "" || invalid.Fields["body"] == "" {
		t.Errorf("bad fields: %v", err)
	}
}

// TestCommentMarkdownLite: emphasis, links (nofollow ugc) and code stay;
// images, headings, raw HTML and script links do not.
func TestCommentMarkdownLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, cm, p := commentFixture(t)
	body := "# Big\n\n*em* **strong** `code` [link](https://example.org) ![img](https://example.org/x.png)\n\n" +
		"<script>alert(1)</script> [bad](javascript:alert(1))"
	c, err := cm.Insert(ctx, commentSite(models.CommentsAnyone), models.Commenter{}, guest(p.ID, body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<em>em</em>", "<strong>strong</strong>", "<code>code</code>",
		`<a href="https://example.org" rel="nofollow ugc">link</a>`, "Big"} {
		if !strings.Contains(c.BodyHTML, want) {
			t.Errorf("html lacks %q: %s", want, c.BodyHTML)
		}
	}
	for _, bad := range []string{"<h1", "<img", "<script", "javascript:", "x.png"} {
		if strings.Contains(c.BodyHTML, bad) {
			t.Errorf("html holds %q: %s", bad, c.BodyHTML)
		}
	}
}

// TestCommentModeration: approving moves the post's count and stamp;
// spam, trash and restore go where they should, each audited.
func TestCommentModeration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	c, err := cm.Insert(ctx, commentSite(models.CommentsAnyone), models.Commenter{}, guest(p.ID, "Hello"))
	if err != nil {
		t.Fatal(err)
	}
	stamp := func() (n int, s int64) {
		if err := db.QueryRow(`SELECT comment_count, comments_stamp FROM posts WHERE id = $1`, p.ID).Scan(&n, &s); err != nil {
			t.Fatal(err)
		}
		return n, s
	}
	n0, s0 := stamp()
	if n0 != 0 {
		t.Fatalf("a held comment counted: %d", n0)
	}
	mod := models.Actor{Name: "mod", Role: models.RoleEditor}
	if _, err := cm.Approve(ctx, mod, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	n1, s1 := stamp()
	if n1 != 1 || s1 == s0 {
		t.Errorf("after approval: count %d, stamp %d (was %d)", n1, s1, s0)
	}
	if list, err := cm.ListApproved(ctx, p.ID); err != nil || len(list) != 1 || list[0].Name != "Grace" {
		t.Errorf("approved list: %+v, %v", list, err)
	}
	steps := []struct {
		do   func(context.Context, models.Actor, []int64) (models.ActionResult, error)
		want string
	}{
		{cm.Spam, models.CommentSpam}, {cm.Restore, models.CommentApproved},
		{cm.Trash, models.CommentTrash}, {cm.Restore, models.CommentApproved},
	}
	for _, st := range steps {
		if res, err := st.do(ctx, mod, []int64{c.ID}); err != nil || res.Changed != 1 {
			t.Fatalf("to %s: %+v, %v", st.want, res, err)
		}
		if got, _ := cm.Get(ctx, c.ID); got.Status != st.want {
			t.Fatalf("status %s, want %s", got.Status, st.want)
		}
	}
	var audited int
	if err := db.Get(&audited, `SELECT count(*) FROM audit_log WHERE model = 'comments' AND object_id = $1`, c.ID); err != nil || audited != 5 {
		t.Errorf("audit entries %d, want 5 (%v)", audited, err)
	}
	if _, err := cm.Approve(ctx, models.Actor{Name: "reader", Role: models.RoleAuthor}, []int64{c.ID}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an author moderating: %v, want ErrForbidden", err)
	}
}

// TestCommentReplies: a reply names an approved top-level comment of the
// same post; a reply to a reply, to a held comment or to another post's
// comment is refused beside the body.
func TestCommentReplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	other := publishedPost(t, &models.PostModel{DB: db}, p.AuthorID.Int64, models.PostInput{Title: "Herons", Body: "Tall."})
	s := commentSite(models.CommentsAnyone)
	mod := models.Actor{Name: "mod", Role: models.RoleEditor}
	top, err := cm.Insert(ctx, s, models.Commenter{}, guest(p.ID, "Top."))
	if err != nil {
		t.Fatal(err)
	}
	held := top
	in := guest(p.ID, "Reply to a held one.")
	in.ParentID = held.ID
	var invalid *models.InvalidCommentError
	if _, err := cm.Insert(ctx, s, models.Commenter{}, in); !errors.As(err, &invalid) {
		t.Errorf("a reply to a held comment: %v", err)
	}
	if _, err := cm.Approve(ctx, mod, []int64{top.ID}); err != nil {
		t.Fatal(err)
	}
	in.Body = "A reply."
	reply, err := cm.Insert(ctx, s, models.Commenter{}, in)
	if err != nil || reply.ParentID.Int64 != top.ID {
		t.Fatalf("a reply: %+v, %v", reply, err)
	}
	in.ParentID = reply.ID
	if _, err := cm.Insert(ctx, s, models.Commenter{}, in); !errors.As(err, &invalid) {
		t.Errorf("a reply to a reply: %v", err)
	}
	in = guest(other.ID, "Elsewhere.")
	in.ParentID = top.ID
	if _, err := cm.Insert(ctx, s, models.Commenter{}, in); !errors.As(err, &invalid) {
		t.Errorf("a reply across posts: %v", err)
	}
}
