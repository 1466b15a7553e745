package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	// Hugo shortcodes: {{< name attrs >}} and {{% name attrs %}}.
	hugoShortcode = regexp.MustCompile(`\{\{([<%])\s*(/?)([\w-]+)([^}]*?)\s*[>%]\}\}`)
	shortcodeAttr = regexp.MustCompile(`([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))`)
	// Jekyll's Liquid: {% highlight go %} … {% endhighlight %}, {% raw %},
	// and the site's own address, which the site adds in front of its paths.
	liquidHighlight    = regexp.MustCompile(`(?m)^[ \t]*\{%-?\s*highlight\s+([\w+#.-]+)[^%]*%\}[ \t]*$`)
	liquidEndHighlight = regexp.MustCompile(`(?m)^[ \t]*\{%-?\s*endhighlight\s*-?%\}[ \t]*$`)
	liquidRaw          = regexp.MustCompile(`\{%-?\s*(?:end)?raw\s*-?%\}`)
	liquidSiteURL      = regexp.MustCompile(`\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}`)
	liquidLeft         = regexp.MustCompile(`\{%.*?%\}|\{\{[^<%].*?\}\}`)
	// ![alt](src "title"): an image in Markdown.
	markdownImage = regexp.MustCompile(`!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?((?:\s+"[^"]*")?)\s*\)`)
)

// fromHugoAndJekyll turns what Hugo and Jekyll expand when they build a
// site into the Markdown it stands for: figure shortcodes into images,
// highlight blocks into fenced code, {{ site.url }} into nothing, and drops
// the <!--more--> divider. What has no Markdown form stays as text and is
// noted.
func fromHugoAndJekyll(body string, note func(format string, args ...any)) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = moreComment.ReplaceAllString(body, "")
	var kept []string // in order, once each
	keep := func(s string) {
		if !slices.Contains(kept, s) {
			kept = append(kept, s)
		}
	}
	body = hugoShortcode.ReplaceAllStringFunc(body, func(sc string) string {
		m := hugoShortcode.FindStringSubmatch(sc)
		if m[3] != "figure" || m[2] == "/" {
			keep("{{" + m[1] + " " + m[3] + " " + m[1] + "}}")
			return sc
		}
		attrs := map[string]string{}
		for _, a := range shortcodeAttr.FindAllStringSubmatch(m[4], -1) {
			attrs[strings.ToLower(a[1])] = a[2] + a[3] + a[4]
		}
		alt := attrs["alt"]
		if alt == "" {
			alt = attrs["title"]
		}
		img := fmt.Sprintf("![%s](%s)", escapeBrackets(alt), attrs["src"])
		if c := strings.TrimSpace(attrs["caption"]); c != "" {
			img += "\n*" + c + "*"
		}
		return img
	})
	body = liquidSiteURL.ReplaceAllString(body, "")
	body = liquidHighlight.ReplaceAllString(body, "```$1")
	body = liquidEndHighlight.ReplaceAllString(body, "```")
	body = liquidRaw.ReplaceAllString(body, "")
	for _, l := range liquidLeft.FindAllString(body, 3) {
		keep(l)
	}
	for _, k := range kept {
		note("It uses %s, which only its old site's generator understands; it was kept as text.", k)
	}
	return strings.TrimSpace(body)
}

func escapeBrackets(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`).Replace(s)
}
