package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
)

// The audit log names what each entry is about as people know it: a post
// by its title, an account by its username (issue 10: "posts #503").
func TestAuditNamesObjects(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	u := a.createUser("newbie", models.RoleAuthor)
	p := a.adminPost(u, "Fresh post", true)
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/suspend", u.ID), url.Values{"confirm": {"1"}, "reason": {"test"}}), http.StatusSeeOther)
	wantStatus(t, c.bulk("posts", "hide", url.Values{"reason": {"Off-topic"}}, p.ID), http.StatusSeeOther)

	res := c.get("/admin/audit")
	wantStatus(t, res, http.StatusOK)
	var objects []string
	res.doc.Find(`[data-testid="admin-list"] td[data-column="object"]`).Each(func(_ int, s *goquery.Selection) {
		objects = append(objects, strings.TrimSpace(s.Text()))
	})
	joined := strings.Join(objects, " | ")
	if !strings.Contains(joined, "Fresh post") || !strings.Contains(joined, "newbie") || strings.Contains(joined, "#") {
		t.Errorf("audit objects = %q, want the post's title and the username", joined)
	}
}
