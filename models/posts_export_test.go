package models

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
)

// MarkSnippet exposes the snippet escaper to the tests.
var MarkSnippet = markSnippet
