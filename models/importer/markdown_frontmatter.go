package importer

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// ErrFrontMatter means a Markdown file's front matter could not be read.
var ErrFrontMatter = errors.New("importer: malformed front matter")

// FrontMatterError says where in the file the front matter went wrong.
type FrontMatterError struct {
	Line int
	Msg  string
}

func (e *FrontMatterError) Error() string { return strconv.Itoa(e.Line) + ": " + e.Msg }
func (e *FrontMatterError) Unwrap() error { return ErrFrontMatter }

// frontMatter is a file's metadata as Hugo and Jekyll write it: YAML
// between --- lines or TOML between +++ lines, keys lower-cased.
type frontMatter map[string]any

// splitFrontMatter separates the front matter from the body. line is the
// file's line number of the front matter's first line, to place the
// parser's errors in the file. A file without front matter is all body.
func splitFrontMatter(src []byte) (fm []byte, format string, line int, body []byte, err error) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	fence := string(bytes.TrimRight(first, " \t\r"))
	switch fence {
	case "---":
		format = "YAML"
	case "+++":
		format = "TOML"
	default:
		return nil, "", 0, src, nil
	}
	for off := 0; off < len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		next := len(rest)
		if end >= 0 {
			next = off + end + 1
		}
		l := string(bytes.TrimRight(rest[off:next], " \t\r\n"))
		if l == fence || format == "YAML" && l == "..." {
			return rest[:off], format, 2, rest[next:], nil
		}
		off = next
	}
	return nil, format, 0, nil, &FrontMatterError{1, fmt.Sprintf("the %s front matter opened on line 1 is never closed with %s", format, fence)}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseFrontMatter decodes fm; an error is a *FrontMatterError with the
// file's line.
func parseFrontMatter(fm []byte, format string, line int) (frontMatter, error) {
	raw := map[string]any{}
	switch format {
	case "YAML":
		if err := yaml.Unmarshal(fm, &raw); err != nil {
			msg, at := err.Error(), line
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				n, _ := strconv.Atoi(m[1])
				at, msg = line+n-1, strings.TrimPrefix(msg, m[0])
			}
			return nil, &FrontMatterError{at, "the YAML front matter cannot be read: " + strings.TrimPrefix(msg, "yaml: ")}
		}
	case "TOML":
		if _, err := toml.Decode(string(fm), &raw); err != nil {
			at := line
			var perr toml.ParseError
			if errors.As(err, &perr) {
				at = line + perr.Position.Line - 1
				err = errors.New(perr.Message)
			}
			return nil, &FrontMatterError{at, "the TOML front matter cannot be read: " + err.Error()}
		}
	}
	out := frontMatter{}
	for k, v := range raw {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// str is the first of keys that holds text (a number reads as text too).
func (f frontMatter) str(keys ...string) string {
	for _, k := range keys {
		switch v := f[k].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case int, int64, float64:
			return fmt.Sprint(v)
		}
	}
	return ""
}

// list is every value of keys as a list: YAML and TOML lists, or one string
// (Jekyll's space-separated categories, or a comma-separated list).
func (f frontMatter) list(keys ...string) []string {
	var out []string
	for _, k := range keys {
		switch v := f[k].(type) {
		case string:
			sep := strings.Fields
			if strings.Contains(v, ",") {
				sep = func(s string) []string { return strings.Split(s, ",") }
			}
			for _, s := range sep(v) {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		case []any:
			for _, e := range v {
				if s := strings.TrimSpace(fmt.Sprint(e)); s != "" && e != nil {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// boolean is key's value and whether it is set.
func (f frontMatter) boolean(key string) (value, set bool) {
	switch v := f[key].(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// dateLayouts are the forms Hugo and Jekyll accept that YAML does not read
// as a timestamp itself (Jekyll's "2025-11-15 12:00:00 +0100").
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
}

// date is key's instant; a date without an offset is in loc. A value that
// is there but reads as no date is an error.
func (f frontMatter) date(key string, loc *time.Location) (time.Time, bool, error) {
	switch v := f[key].(type) {
	case time.Time:
		return v, true, nil
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return time.Time{}, false, nil
		}
		for _, layout := range dateLayouts {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, true, nil
			}
		}
		return time.Time{}, false, fmt.Errorf("its %s %q is not a date Quire can read (write it as 2025-11-15T12:00:00+01:00)", key, s)
	case nil:
		return time.Time{}, false, nil
	}
	return time.Time{}, false, fmt.Errorf("its %s is not a date", key)
}

// image is an image field: a path, or a map with the path under image or
// src and its description under alt (Hugo themes' cover: {image, alt}).
func (f frontMatter) image(keys ...string) (src, alt string) {
	for _, k := range keys {
		switch v := f[k].(type) {
		case string:
			if v = strings.TrimSpace(v); v != "" {
				return v, ""
			}
		case map[string]any:
			sub := frontMatter{}
			for kk, vv := range v {
				sub[strings.ToLower(kk)] = vv
			}
			if s := sub.str("image", "src", "url"); s != "" {
				return s, sub.str("alt", "caption")
			}
		}
	}
	return "", ""
}
