package markdown

import (
	"regexp"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// Code blocks are highlighted on the server by chroma's lexers, as spans
// with classes (<span class="hl-kd">func</span>) that the site's
// highlight.css colours; no style attribute is ever written, so the CSP and
// the sanitiser stay strict. The block's <pre> gets class hl-chroma, the
// scope of every rule in that stylesheet.
const (
	highlightClassPrefix = "hl-"
	highlightScope       = highlightClassPrefix + "chroma"
)

// Lexing is slow regular-expression work (chroma's Go lexer reads well
// under 1 MB/s: BenchmarkHighlight), so only so much is highlighted: a
// larger block, or any block past a post's allowance, renders as plain
// code. A post's highlighting then costs at most what 64 KiB costs.
const (
	maxHighlightBytes  = 32 << 10
	maxHighlightPerDoc = 64 << 10
)

// lexer is chroma's lexer for a fenced code block's language, or nil when
// chroma knows none by that name or alias (the block renders plain).
func lexer(lang string) chroma.Lexer {
	if lang == "" {
		return nil
	}
	l := lexers.Get(lang)
	if l == nil {
		return nil
	}
	return chroma.Coalesce(l)
}

// highlight writes code as chroma's tokens, each in a span with its class
// (text tokens bare), and reports false, having written nothing, when the
// lexer fails.
func highlight(w util.BufWriter, l chroma.Lexer, code string) bool {
	it, err := l.Tokenise(nil, code)
	if err != nil {
		return false
	}
	for t := it(); t != chroma.EOF; t = it() {
		if class := highlightClass(t.Type); class != "" {
			_, _ = w.WriteString(`<span class="`)
			_, _ = w.WriteString(class)
			_, _ = w.WriteString(`">`)
			html.DefaultWriter.RawWrite(w, []byte(t.Value)) // escapes <, >, & and "
			_, _ = w.WriteString(`</span>`)
			continue
		}
		html.DefaultWriter.RawWrite(w, []byte(t.Value))
	}
	return true
}

// highlightClass is the class of a token type, as chroma's HTML formatter
// names it (the type's own, or its nearest ancestor's), or "" for plain
// text and whitespace (no theme colours spaces; a span each would double
// the HTML of indented code).
func highlightClass(t chroma.TokenType) string {
	if t == chroma.TextWhitespace {
		return ""
	}
	for ; t != 0; t = t.Parent() {
		if cls, ok := chroma.StandardTypes[t]; ok {
			if cls == "" {
				return ""
			}
			return highlightClassPrefix + cls
		}
	}
	return ""
}

// highlightClasses matches exactly the classes highlight can write: the
// sanitiser lets no other class onto a span.
var highlightClasses = func() *regexp.Regexp {
	seen := map[string]bool{}
	for t := range chroma.StandardTypes {
		if lexed(t) {
			if c := highlightClass(t); c != "" && !seen[c] {
				seen[c] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for c := range seen {
		names = append(names, regexp.QuoteMeta(c))
	}
	sort.Strings(names)
	return regexp.MustCompile(`^(` + strings.Join(names, "|") + `)$`)
}()

// lexed reports whether lexers emit tokens of type t: the token types and
// Error (input a lexer could not read), not the formatter's own (lines,
// line numbers, the wrapper).
func lexed(t chroma.TokenType) bool { return t > 0 || t == chroma.Error }
