package exporter

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// writeMarkdown writes a post's file: YAML front matter between --- lines,
// as Hugo and Jekyll read it, then the body.
func writeMarkdown(w io.Writer, fm postFrontMatter, body string) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "---\n"+readable(b.String())+"---\n\n"+strings.TrimRight(body, "\n")+"\n")
	return err
}

// astral is a \UXXXXXXXX escape, or an escaped backslash to step over.
var astral = regexp.MustCompile(`\\\\|\\U([0-9A-F]{8})`)

// readable writes back the characters beyond U+FFFF (emoji) that the YAML
// encoder escapes as \UXXXXXXXX: YAML allows them as they are, and people
// read the file. It keeps the escaped text unless the result reads back
// as the same front matter.
func readable(text string) string {
	if !strings.Contains(text, `\U`) {
		return text
	}
	out := astral.ReplaceAllStringFunc(text, func(m string) string {
		c, err := strconv.Unquote(`"` + m + `"`)
		if r, _ := utf8.DecodeRuneInString(c); m == `\\` || err != nil || !unicode.IsPrint(r) {
			return m
		}
		return c
	})
	var back postFrontMatter
	if err := yaml.Unmarshal([]byte(out), &back); err != nil {
		return text
	}
	var again bytes.Buffer
	enc := yaml.NewEncoder(&again)
	enc.SetIndent(2)
	if enc.Encode(back) != nil || enc.Close() != nil || again.String() != text {
		return text
	}
	return out
}

// jsonArray writes a JSON array one element at a time, one per line
// group, so a long list never sits in memory whole.
type jsonArray struct {
	w io.Writer
	n int
}

func (a *jsonArray) add(v any) error {
	raw, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	if _, err := io.WriteString(a.w, sep); err != nil {
		return err
	}
	_, err = a.w.Write(raw)
	return err
}

func (a *jsonArray) close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}
