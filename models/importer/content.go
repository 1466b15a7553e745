package importer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
)

var (
	// <!-- wp:name {attrs} -->, <!-- /wp:name --> and the self-closing form:
	// the block editor's markers around ordinary HTML.
	blockComment = regexp.MustCompile(`<!--\s*/?wp:[^>]*?-->`)
	// <!--more--> (and <!--more Read on-->), the classic teaser break.
	moreComment = regexp.MustCompile(`<!--\s*more\b[^>]*-->`)
	// [caption …]<img …> text[/caption]: the classic editor's figure.
	caption = regexp.MustCompile(`(?s)\[caption[^\]]*\]\s*(<a [^>]*>\s*)?(<img [^>]*>)(\s*</a>)?\s*(.*?)\[/caption\]`)
	// A paragraph-level HTML tag, which wpautop leaves unwrapped.
	blockStart = regexp.MustCompile(`(?i)^<(p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|div|figure|hr|dl|section|address|form|style|script|iframe)[\s>/]`)
)

// converter is safe for concurrent use once built.
var mdConverter = converter.NewConverter(converter.WithPlugins(
	base.NewBasePlugin(),
	commonmark.NewCommonmarkPlugin(),
	table.NewTablePlugin(),
	strikethrough.NewStrikethroughPlugin(),
))

// toMarkdown turns a WordPress body (block editor HTML, classic HTML or
// plain text) into Markdown. Quire's renderer does not pass raw HTML, so
// what has no Markdown form (a <div>'s box, an alignment class) is reduced
// to its text rather than kept as markup that would be dropped on display.
func toMarkdown(body string) (string, error) {
	html := blockComment.ReplaceAllString(body, "")
	html = moreComment.ReplaceAllString(html, "")
	html = caption.ReplaceAllString(html, "<figure>$2<figcaption>$4</figcaption></figure>")
	if !strings.Contains(body, "<!-- wp:") {
		html = autop(html)
	}
	return htmlMarkdown(html)
}

// htmlMarkdown converts HTML to Markdown (what every importer's bodies go
// through once made plain HTML).
func htmlMarkdown(html string) (string, error) {
	md, err := mdConverter.ConvertString(html)
	if err != nil {
		return "", fmt.Errorf("importer: convert the body to Markdown: %w", err)
	}
	return strings.TrimSpace(md), nil
}

// autop is the part of WordPress's wpautop that matters for conversion:
// classic and plain-text bodies keep paragraphs as blank lines and line
// breaks as single newlines, which the site adds <p> and <br> for.
func autop(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	inPre := false
	for _, para := range strings.Split(s, "\n\n") {
		t := strings.TrimSpace(para)
		if t == "" {
			continue
		}
		lower := strings.ToLower(t)
		switch {
		case inPre || strings.HasPrefix(lower, "<pre"):
			// Preformatted text keeps its blank lines and newlines.
			inPre = !strings.Contains(lower, "</pre>")
			b.WriteString(para + "\n\n")
		case blockStart.MatchString(t):
			b.WriteString(t + "\n\n")
		default:
			b.WriteString("<p>" + strings.ReplaceAll(t, "\n", "<br>\n") + "</p>\n\n")
		}
	}
	return b.String()
}
