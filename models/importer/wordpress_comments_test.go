package importer_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models/dbtest"
	"quire/models/importer"
)

// importedComment is a comment as TestImportWordPressComments reads it.
type importedComment struct {
	ID       int64  `db:"id"`
	Parent   int64  `db:"parent"`
	User     string `db:"username"`
	Name     string `db:"guest_name"`
	Email    string `db:"guest_email"`
	Body     string `db:"body"`
	HTML     string `db:"body_html"`
	Status   string `db:"status"`
	Created  string `db:"created"`
	Source   string `db:"source_id"`
	PostName string `db:"title"`
}

func importedComments(t *testing.T, db *sqlx.DB) []importedComment {
	t.Helper()
	var cs []importedComment
	if err := db.Select(&cs, `SELECT c.id, coalesce(c.parent_id, 0) AS parent, coalesce(u.username, '') AS username,
		c.guest_name, c.guest_email, c.body, c.body_html, c.status, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created,
		k.source_id, p.title
	FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN users u ON u.id = c.user_id
	JOIN imported_comments k ON k.comment_id = c.id ORDER BY k.source_id`); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestImportWordPressComments: the fixture's three comments become
// comments of their post, approved, dated, the reply under its comment,
// the admin's by the admin's imported account, guests by name and
// address; nobody is mailed, and a second run changes nothing.
func TestImportWordPressComments(t *testing.T) {
	db := dbtest.New(t)
	importFixture(t, db, importer.Options{})
	cs := importedComments(t, db)
	if len(cs) != 3 {
		t.Fatalf("comments = %+v, want 3", cs)
	}
	rita, zoe, reply := cs[0], cs[1], cs[2]
	if rita.Name != "Rita Reader" || rita.Email != "reader@example.test" || rita.User != "" || rita.Status != "approved" ||
		rita.Created != "2025-11-02 08:15" || !strings.Contains(rita.HTML, "<strong>Bold</strong>") ||
		!strings.HasPrefix(rita.PostName, "A post with a conversation") {
		t.Errorf("Rita's comment = %+v", rita)
	}
	if zoe.Name != "Zoë Visitor" || strings.Count(zoe.HTML, "<p>") != 2 || !strings.Contains(zoe.Body, "Ça marche 👍") {
		t.Errorf("Zoë's comment = %+v", zoe)
	}
	if reply.Parent != rita.ID || reply.User != "wp_1" || reply.Name != "" || reply.Email != "" {
		t.Errorf("the admin's reply = %+v, want under %d by the account wp_1 (the name admin is reserved)", reply, rita.ID)
	}
	var count, notices int
	db.Get(&count, `SELECT comment_count FROM posts WHERE id = (SELECT post_id FROM comments LIMIT 1)`)
	db.Get(&notices, `SELECT count(*) FROM comment_notices`)
	if count != 3 || notices != 0 {
		t.Errorf("post's comment count %d, notices %d; want 3 and none", count, notices)
	}

	importFixture(t, db, importer.Options{})
	again := importedComments(t, db)
	var all int
	db.Get(&all, `SELECT count(*) FROM comments`)
	if all != 3 || len(again) != 3 || again[0] != cs[0] || again[2] != cs[2] {
		t.Errorf("a second run changed comments: %d, %+v", all, again)
	}

	// Comments kept by an import before sql/00029 (no comment_id) are made
	// when the same file is imported again.
	db.MustExec(`DELETE FROM comments`)
	importFixture(t, db, importer.Options{})
	if cs := importedComments(t, db); len(cs) != 3 || cs[2].Parent != cs[0].ID {
		t.Errorf("kept comments made again: %+v", cs)
	}
}

// TestImportWordPressCommentStates: WordPress's held and trashed comments
// keep their state, and a reply to a reply goes under its top-level
// comment.
func TestImportWordPressCommentStates(t *testing.T) {
	raw, err := os.ReadFile("testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	// Comment 4 (a reply to 2) is held; comment 3 answers 4 and is trashed.
	s := string(raw)
	i := strings.Index(s, "<wp:comment_id>4</wp:comment_id>")
	j := strings.Index(s, "<wp:comment_id>3</wp:comment_id>")
	four := strings.Replace(s[i:], "<wp:comment_approved><![CDATA[1]]>", "<wp:comment_approved><![CDATA[0]]>", 1)
	three := strings.Replace(s[j:i], "<wp:comment_approved><![CDATA[1]]>", "<wp:comment_approved><![CDATA[trash]]>", 1)
	three = strings.Replace(three, "<wp:comment_parent>0</wp:comment_parent>", "<wp:comment_parent>4</wp:comment_parent>", 1)
	s = s[:j] + three + four
	db := dbtest.New(t)
	loc, _ := time.LoadLocation("Europe/Paris")
	if _, err := importer.ImportWordPress(context.Background(), db, bytes.NewReader([]byte(s)), "states.xml",
		importer.Options{Location: loc}); err != nil {
		t.Fatal(err)
	}
	cs := importedComments(t, db)
	if len(cs) != 3 {
		t.Fatalf("comments = %+v", cs)
	}
	rita, zoe, reply := cs[0], cs[1], cs[2]
	if reply.Status != "held" || zoe.Status != "trash" || zoe.Parent != rita.ID || reply.Parent != rita.ID {
		t.Errorf("states and threads: %+v", cs)
	}
}
