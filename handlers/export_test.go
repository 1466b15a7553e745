package handlers

import "log/slog"

// SetLogger replaces the server's logger, for tests that read the request log.
func (s *Server) SetLogger(l *slog.Logger) { s.app.Logger = l }
