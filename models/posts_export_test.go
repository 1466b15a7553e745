package models

import "context"

// The EXPLAIN test plans the very statements the list and search methods
// run, so a change to one of them is checked against the indexes.
const (
	ListPublishedSQL  = listPublishedSQL
	CountPublishedSQL = countPublishedSQL
	ListByAuthorSQL   = listByAuthorSQL
	CountByAuthorSQL  = countByAuthorSQL
	ListByTagSQL      = listByTagSQL
	CountByTagSQL     = countByTagSQL
	ListOwnSQL        = listOwnSQL
	ListForFeedSQL    = listForFeedSQL
	ChangeStampSQL    = changeStampSQL
	SearchSQL         = searchSQL
	SearchCountSQL    = searchCountSQL
	TakenSlugsSQL     = takenSlugsSQL
	ResolvePostSQL    = resolvePostSQL
	ResolveHeadSQL    = resolveHeadSQL
	ResolveMovedSQL   = resolveMovedPostSQL

	ListForSitemapSQL      = listForSitemapSQL
	ListPagesForSitemapSQL = listPagesForSitemapSQL
	ResolvePageHeadSQL     = resolvePageHeadSQL
)

// SitemapPostsFileSQL is a sitemap file of posts, read from its key.
var SitemapPostsFileSQL = sitemapFileSQL[SitemapPosts]

// MarkSnippet exposes the snippet escaper to the tests.
var MarkSnippet = markSnippet

// HoldSearchSlots takes every search slot of m, as that many running
// searches would, until release is called.
func (m *PostModel) HoldSearchSlots(ctx context.Context) (release func(), err error) {
	var leaves []func()
	release = func() {
		for _, leave := range leaves {
			leave()
		}
	}
	for range searchSlots {
		leave, err := m.searches.enter(ctx)
		if err != nil {
			release()
			return nil, err
		}
		leaves = append(leaves, leave)
	}
	return release, nil
}

// SearchQuery exposes the query rewriting to the tests.
var SearchQuery = searchQuery
