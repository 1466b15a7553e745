package models

import (
	"context"
)

// A post's kinds. A page (About, Contact) is a post with its own top-level
// address, /{slug}, that no reader list carries (listedPost); it has the
// same states, editor, revisions and visibility (publicPost) as a post.
const (
	KindPost = "post"
	KindPage = "page"
)

// IsPage reports whether the post is a page.
func (p Post) IsPage() bool { return p.Kind == KindPage }

// reservedPageSlugs are the first words of the site's own addresses
// (/login, /admin, ...). Echo's fixed routes win over /{slug}, so a page
// with one of them as its slug could never be read: saves treat them as
// taken, as reservedSlugs for posts. A handlers test keeps the list in step
// with the router. Words with a dot (feed.xml) are never slugs.
var reservedPageSlugs = map[string]bool{
	"admin": true, "assets": true, "comments": true, "drafts": true, "healthz": true, "login": true, "logout": true,
	"media": true, "metrics": true, "pages": true, "password": true, "posts": true, "readyz": true,
	"invitations": true, "register": true, "search": true, "settings": true, "setup": true, "tags": true, "verify": true,
}

// ReservedPageSlug reports whether slug is a word the site's routes use at
// the top level.
func ReservedPageSlug(slug string) bool { return reservedPageSlugs[slug] }

// reservedFor reports whether a post of kind may not have slug. A page's
// slug is also its editor's /posts/{slug}/edit, so it avoids both lists.
func reservedFor(kind, slug string) bool {
	return reservedSlugs[slug] || kind == KindPage && reservedPageSlugs[slug]
}

// A page is named by its slug as a post is (bySlug, byOldSlug), among pages
// only: a post's slug at the top level finds nothing.
const (
	resolvePageHeadSQL      = `SELECT ` + headColumns + bySlug + ` AND p.kind = 'page'`
	resolveMovedPageHeadSQL = `SELECT ` + headColumns + byOldSlug + ` AND p.kind = 'page'`
)

// ResolvePageHead is ResolveHead for /{slug}: pages only. When slug is one
// the page had before, moved is true and callers redirect to p.Slug. Any
// state but deleted is returned; callers decide who may see it.
func (m *PostModel) ResolvePageHead(ctx context.Context, slug string) (p Post, moved bool, err error) {
	return m.resolve(ctx, resolvePageHeadSQL, resolveMovedPageHeadSQL, slug)
}

// publicPage is publicPost for pages.
const publicPage = publicPost + ` AND p.kind = 'page'`

const listPagesForSitemapSQL = `SELECT id, kind, slug, published_at, updated_at FROM posts p
WHERE ` + publicPage + ` AND ` + inSitemap + `
ORDER BY slug LIMIT $1`

// pagesStamp is the pages' own entry in post_list_stats (sql/00013): no
// reader list has it; the sitemap's stamp does.
var pagesStamp = FeedFilter{AuthorID: -1}

// PagesStamp is ChangeStamp for the public pages: when one last changed or
// became public or not, and how many there are.
func (m *PostModel) PagesStamp(ctx context.Context) (Stamp, error) {
	return m.ChangeStamp(ctx, pagesStamp)
}
