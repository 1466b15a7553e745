package importer

import (
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
)

// Ghost keeps a post's document in its editor's JSON (lexical today,
// mobiledoc before) and its rendering in html. Exports carry html for every
// post, so these readers are the fallback for a file without it: they read
// the text, its structure (paragraphs, headings, quotes, lists, links,
// bold, italic, code) and the common cards (code, image, markdown, html,
// rule), and name what they leave out.

// lexicalNode is one node of a lexical document.
type lexicalNode struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Format   json.RawMessage `json:"format"` // bit flags on text; a string on blocks
	Tag      string          `json:"tag"`
	ListType string          `json:"listType"`
	URL      string          `json:"url"`
	Src      string          `json:"src"`
	Alt      string          `json:"alt"`
	Code     string          `json:"code"`
	HTML     string          `json:"html"`
	Markdown string          `json:"markdown"`
	Children []lexicalNode   `json:"children"`
}

// lexicalMarkdown reads a lexical document as Markdown: each top-level
// node as plain HTML through the converter, markdown cards as they are.
func lexicalMarkdown(doc string) (out string, lost []string, err error) {
	var root struct {
		Root lexicalNode `json:"root"`
	}
	if err := json.Unmarshal([]byte(doc), &root); err != nil {
		return "", nil, fmt.Errorf("its lexical document is not valid JSON: %w", err)
	}
	missing := map[string]bool{}
	var parts []string
	for _, n := range root.Root.Children {
		md := strings.TrimSpace(n.Markdown)
		if n.Type != "markdown" {
			var b strings.Builder
			lexicalNodeHTML(&b, n, missing)
			if md, err = htmlMarkdown(b.String()); err != nil {
				return "", nil, err
			}
		}
		if md != "" {
			parts = append(parts, md)
		}
	}
	return strings.Join(parts, "\n\n"), sortedKeys(missing), nil
}

func lexicalChildren(b *strings.Builder, nodes []lexicalNode, missing map[string]bool) {
	for _, n := range nodes {
		lexicalNodeHTML(b, n, missing)
	}
}

// Text format bits of lexical's text nodes.
const (
	lexBold   = 1
	lexItalic = 2
	lexStrike = 4
	lexCode   = 16
)

func lexicalNodeHTML(b *strings.Builder, n lexicalNode, missing map[string]bool) {
	wrap := func(tag string) {
		b.WriteString("<" + tag + ">")
		lexicalChildren(b, n.Children, missing)
		b.WriteString("</" + tag + ">")
	}
	switch n.Type {
	case "text", "extended-text":
		var bits int
		_ = json.Unmarshal(n.Format, &bits)
		s := html.EscapeString(n.Text)
		for _, f := range []struct {
			bit int
			tag string
		}{{lexCode, "code"}, {lexStrike, "del"}, {lexItalic, "em"}, {lexBold, "strong"}} {
			if bits&f.bit != 0 {
				s = "<" + f.tag + ">" + s + "</" + f.tag + ">"
			}
		}
		b.WriteString(s)
	case "linebreak":
		b.WriteString("<br>")
	case "paragraph":
		wrap("p")
	case "heading", "extended-heading":
		tag := n.Tag
		if len(tag) != 2 || tag[0] != 'h' || tag[1] < '1' || tag[1] > '6' {
			tag = "h2"
		}
		wrap(tag)
	case "quote", "extended-quote", "aside":
		wrap("blockquote")
	case "list":
		if n.ListType == "number" || n.Tag == "ol" {
			wrap("ol")
		} else {
			wrap("ul")
		}
	case "listitem":
		wrap("li")
	case "link", "autolink":
		b.WriteString(`<a href="` + html.EscapeString(n.URL) + `">`)
		lexicalChildren(b, n.Children, missing)
		b.WriteString("</a>")
	case "codeblock":
		b.WriteString("<pre><code>" + html.EscapeString(n.Code) + "</code></pre>")
	case "image":
		b.WriteString(`<p><img src="` + html.EscapeString(n.Src) + `" alt="` + html.EscapeString(n.Alt) + `"></p>`)
	case "html":
		b.WriteString(n.HTML)
	case "horizontalrule":
		b.WriteString("<hr>")
	default:
		if len(n.Children) > 0 {
			lexicalChildren(b, n.Children, missing)
			return
		}
		missing[n.Type+" cards"] = true
	}
}

// mobiledocMarkdown reads a mobiledoc document (version 0.3) as Markdown.
func mobiledocMarkdown(doc string) (out string, lost []string, err error) {
	var m struct {
		Markups  [][]json.RawMessage `json:"markups"`
		Atoms    [][]json.RawMessage `json:"atoms"`
		Cards    [][]json.RawMessage `json:"cards"`
		Sections [][]json.RawMessage `json:"sections"`
	}
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return "", nil, fmt.Errorf("its mobiledoc document is not valid JSON: %w", err)
	}
	markups := make([]string, len(m.Markups))
	for i, mk := range m.Markups {
		if len(mk) > 0 {
			_ = json.Unmarshal(mk[0], &markups[i])
		}
	}
	missing := map[string]bool{}
	var parts []string
	for _, sec := range m.Sections {
		var kind int
		if len(sec) == 0 || json.Unmarshal(sec[0], &kind) != nil {
			continue
		}
		switch kind {
		case 1: // a markup section: [1, tag, markers]
			var tag string
			var markers [][]json.RawMessage
			if len(sec) < 3 || json.Unmarshal(sec[1], &tag) != nil || json.Unmarshal(sec[2], &markers) != nil {
				continue
			}
			inner := mobiledocMarkers(markers, markups)
			tag = strings.ToLower(tag)
			switch tag {
			case "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p":
			default:
				tag = "p"
			}
			md, err := htmlMarkdown("<" + tag + ">" + inner + "</" + tag + ">")
			if err == nil && md != "" {
				parts = append(parts, md)
			}
		case 10: // a card: [10, index]
			var i int
			if len(sec) < 2 || json.Unmarshal(sec[1], &i) != nil || i < 0 || i >= len(m.Cards) || len(m.Cards[i]) < 2 {
				continue
			}
			if md := mobiledocCard(m.Cards[i], missing); md != "" {
				parts = append(parts, md)
			}
		default:
			missing["list and other sections"] = true
		}
	}
	return strings.Join(parts, "\n\n"), sortedKeys(missing), nil
}

// mobiledocMarkers renders a section's markers ([0, opened, closed, text])
// as HTML; atoms are left out.
func mobiledocMarkers(markers [][]json.RawMessage, markups []string) string {
	var b strings.Builder
	var open []string
	for _, mk := range markers {
		var typ, closed int
		var opened []int
		var text string
		if len(mk) < 4 || json.Unmarshal(mk[0], &typ) != nil || typ != 0 {
			continue
		}
		_ = json.Unmarshal(mk[1], &opened)
		_ = json.Unmarshal(mk[2], &closed)
		_ = json.Unmarshal(mk[3], &text)
		for _, i := range opened {
			tag := "span"
			if i >= 0 && i < len(markups) {
				switch t := strings.ToLower(markups[i]); t {
				case "strong", "b", "em", "i", "code", "s":
					tag = t
				}
			}
			open = append(open, tag)
			b.WriteString("<" + tag + ">")
		}
		b.WriteString(html.EscapeString(text))
		for ; closed > 0 && len(open) > 0; closed-- {
			b.WriteString("</" + open[len(open)-1] + ">")
			open = open[:len(open)-1]
		}
	}
	for len(open) > 0 {
		b.WriteString("</" + open[len(open)-1] + ">")
		open = open[:len(open)-1]
	}
	return b.String()
}

func mobiledocCard(card []json.RawMessage, missing map[string]bool) string {
	var name string
	_ = json.Unmarshal(card[0], &name)
	var payload struct {
		Markdown string `json:"markdown"`
		Src      string `json:"src"`
		Alt      string `json:"alt"`
		HTML     string `json:"html"`
		Code     string `json:"code"`
	}
	_ = json.Unmarshal(card[1], &payload)
	switch name {
	case "markdown", "card-markdown":
		return strings.TrimSpace(payload.Markdown)
	case "image":
		return "![" + payload.Alt + "](" + payload.Src + ")"
	case "hr":
		return "---"
	case "code":
		return "```\n" + payload.Code + "\n```"
	case "html":
		md, _ := htmlMarkdown(payload.HTML)
		return md
	}
	missing[name+" cards"] = true
	return ""
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
