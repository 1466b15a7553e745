package handlers

// absURL builds a link from the configured base URL, never the Host header.
func (a *App) absURL(path string) string {
	return a.Config.BaseURL.JoinPath(path).String()
}
