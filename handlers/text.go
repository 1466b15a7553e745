package handlers

// plural is the "s" that follows a count of n in English: "1 minute", "2 minutes".
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
