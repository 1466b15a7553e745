package urls_test

import (
	"testing"

	"quire/views/urls"
)

// TestBuilders pins the addresses: the same bytes as the hand-built links
// were for safe names, escaped segments and queries for the rest.
func TestBuilders(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{urls.Home(), "/"},
		{urls.Post("hello-world"), "/posts/hello-world"},
		{urls.Post("a/b?c#d"), "/posts/a%2Fb%3Fc%23d"},
		{urls.Author("alice"), "/@alice"},
		{urls.Tag("go"), "/tags/go"},
		{urls.Tag("café"), "/tags/caf%C3%A9"},
		{urls.TagFeed("go", urls.RSS), "/tags/go/feed.xml"},
		{urls.TagFeeds("go")(urls.Atom), "/tags/go/atom.xml"},
		{urls.AuthorFeed("bob", urls.Atom), "/@bob/atom.xml"},
		{urls.SiteFeed(urls.RSS), "/feed.xml"},
		{urls.Media("ab12.jpg"), "/media/ab12.jpg"},
		{urls.Search("", 1), "/search"},
		{urls.Search("go & rust", 1), "/search?q=go+%26+rust"},
		{urls.Search("go", 2), "/search?page=2&q=go"},
		{urls.Paged("/tags/go?page=4", 1), "/tags/go"},
		{urls.Paged("/", 2), "/?page=2"},
		{urls.EditPost("hello"), "/posts/hello/edit"},
		{urls.PostEditor(12), "/posts/12/editor"},
		{urls.RestoreRevision(12, 3), "/posts/12/revisions/3/restore"},
		{urls.Login(""), "/login"},
		{urls.Login("/posts/x?y=1"), "/login?next=%2Fposts%2Fx%3Fy%3D1"},
		{urls.PasswordResetToken("a/b"), "/password/reset/a%2Fb"},
		{urls.Folder(urls.PasswordReset()), "/password/"},
		{urls.AdminTable("users", ""), "/admin/users"},
		{urls.AdminTable("users", "page=2"), "/admin/users?page=2"},
		{urls.AdminFiltered("users", "role", "admin", "state", "active"), "/admin/users?role=admin&state=active"},
		{urls.AdminFiltered("users", "q", "a b"), "/admin/users?q=a+b"},
		{urls.AdminBulk("posts"), "/admin/posts/bulk"},
		{urls.AdminRow("posts", 7, "hide"), "/admin/posts/7/hide"},
		{urls.AdminEdit("posts", 7, "title"), "/admin/posts/7/edit/title"},
		{urls.AdminCell("posts", 7, "title"), "/admin/posts/7/cell/title"},
		{urls.AdminHistory("users", 7), "/admin/audit?model=users&object=7"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
