// Package markdowntest helps tests elsewhere (handlers, views) check that
// HTML shown to readers cannot run anything.
package markdowntest

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// AssertInert fails t when htmlText, parsed the way a browser would, holds
// anything active: a script, iframe, object, embed, style, svg, math, form,
// base, link, meta or frame element; an event-handler ("on…") or style
// attribute; or a URL attribute (href, src, action, …) whose value, trimmed,
// lower-cased and stripped of whitespace and control characters, starts with
// javascript:, vbscript: or data:.
//
// Give it the HTML that came from user content, such as a rendered post or
// the element holding it, not a whole page: the layout's own script tags
// would fail it.
func AssertInert(t testing.TB, htmlText string) {
	t.Helper()
	for _, p := range problems(htmlText) {
		t.Errorf("not inert: %s\nin: %s", p, htmlText)
	}
}

var activeElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "style": true,
	"svg": true, "math": true, "form": true, "base": true, "link": true, "meta": true,
	"frame": true, "frameset": true,
}

var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "srcset": true,
	"poster": true, "background": true, "cite": true, "data": true, "xlink:href": true,
}

var badSchemes = []string{"javascript:", "vbscript:", "data:"}

func problems(htmlText string) []string {
	doc, err := html.Parse(strings.NewReader(htmlText))
	if err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var found []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := strings.ToLower(n.Data)
			if activeElements[name] {
				found = append(found, "<"+name+"> element")
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = strings.ToLower(a.Namespace) + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					found = append(found, "event handler attribute "+key+" on <"+name+">")
				case key == "style":
					found = append(found, "style attribute on <"+name+">")
				case urlAttributes[key]:
					v := normaliseURL(a.Val)
					for _, s := range badSchemes {
						if strings.HasPrefix(v, s) {
							found = append(found, key+"="+a.Val+" on <"+name+">")
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// normaliseURL mirrors how browsers read a scheme: surrounding space and
// control characters ignored, tabs and newlines inside removed, case folded.
func normaliseURL(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
}
