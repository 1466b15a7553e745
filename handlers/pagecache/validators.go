package pagecache

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tag is a weak entity tag (gzip re-encodes the bytes) over everything a
// response depends on. Each part is length-prefixed so no two different
// lists hash alike.
func Tag(parts ...string) string {
	sum := sha256.New()
	for _, p := range parts {
		sum.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
}

// Validators are what a client revalidates a response by.
type Validators struct {
	ETag string
	// LastModified is when what the response shows last changed; sent in
	// whole seconds, and not at all when zero.
	LastModified time.Time
	// CacheControl is set unless the response has one already (no-store
	// on private pages stays).
	CacheControl string
}

// Check makes a GET or HEAD revalidate cheaply: it sets v on the response
// header h and reports whether r's preconditions find the client's copy
// current, so that 304 Not Modified may answer. If-None-Match, when sent,
// decides alone (RFC 9110 13.1.3), by the weak comparison; otherwise
// If-Modified-Since at or after Last-Modified matches. Other methods get
// no validators and false.
func Check(r *http.Request, h http.Header, v Validators) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	h.Set("ETag", v.ETag)
	lastMod := v.LastModified.UTC().Truncate(time.Second)
	if !lastMod.IsZero() {
		h.Set("Last-Modified", lastMod.Format(http.TimeFormat))
	}
	if h.Get("Cache-Control") == "" && v.CacheControl != "" {
		h.Set("Cache-Control", v.CacheControl)
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, v.ETag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastMod.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !lastMod.After(t)
}

// AddVary adds token to the Vary header unless it is there already: a 304
// carries the Vary its 200 would have.
func AddVary(h http.Header, token string) {
	for _, v := range h.Values("Vary") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return
			}
		}
	}
	h.Add("Vary", token)
}

// etagListMatches compares an If-None-Match list with etag using the weak
// comparison (RFC 9110 8.8.3.2): W/ prefixes are ignored.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, tag := range splitETags(list) {
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// splitETags reads a comma-separated list of entity tags. Commas may occur
// inside the quotes, so it scans rather than splits; malformed input ends
// the list.
func splitETags(list string) []string {
	var tags []string
	for s := strings.TrimLeft(list, " \t,"); s != ""; s = strings.TrimLeft(s, " \t,") {
		if s[0] == '*' {
			tags = append(tags, "*")
			s = s[1:]
			continue
		}
		start := 0
		if strings.HasPrefix(s, "W/") {
			start = 2
		}
		if len(s) <= start || s[start] != '"' {
			break
		}
		end := strings.IndexByte(s[start+1:], '"')
		if end < 0 {
			break
		}
		end += start + 2
		tags = append(tags, s[:end])
		s = s[end:]
	}
	return tags
}
