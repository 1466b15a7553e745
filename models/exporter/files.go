package exporter

import (
	"encoding/json"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// writeMarkdown writes a post's file: YAML front matter between --- lines,
// as Hugo and Jekyll read it, then the body.
func writeMarkdown(w io.Writer, fm postFrontMatter, body string) error {
	if _, err := io.WriteString(w, "---\n"); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "---\n\n"+strings.TrimRight(body, "\n")+"\n")
	return err
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
