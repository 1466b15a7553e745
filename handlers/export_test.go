package handlers

import "log/slog"

// SetLogger replaces the server's logger, for tests that read the request log.
func (s *Server) SetLogger(l *slog.Logger) { s.app.Logger = l }

// LargeBodyBudgetHas reports whether n more bytes of large bodies could be
// read now, for tests that fill the shared budget.
func (s *Server) LargeBodyBudgetHas(n int64) bool {
	if s.app.bodies.budget.TryAcquire(n) {
		s.app.bodies.budget.Release(n)
		return true
	}
	return false
}

// CommentStamp signs a comment form's time, for tests that must not wait
// out the minimum fill time.
var CommentStamp = commentStamp

// SitemapFileURLs is how many URLs a sitemap file holds, for tests that
// split a small site's sitemap.
var SitemapFileURLs = &sitemapFileURLs
