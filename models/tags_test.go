package models_test

import (
	"slices"
	"strings"
	"testing"

	"quire/models"
)

func TestParseTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    []string
		wantMsg bool
	}{
		{"", []string{}, false},
		{" , ,, ", []string{}, false},
		{"go", []string{"go"}, false},
		{"Go, PostgreSQL ,htmx", []string{"go", "postgresql", "htmx"}, false},
		{"slow   travel, Slow Travel", []string{"slow-travel"}, false},
		{"go, web, GO, web", []string{"go", "web"}, false},
		{"#go, ##x", []string{"go", "#x"}, true},
		{"- go -, a - b", []string{"go", "a-b"}, false},
		{"Café, cafe\u0301", []string{"café"}, false},   // composed and decomposed é are one tag
		{"日本, straße", []string{"日本", "straße"}, false}, // letters of any script
		{"c++", []string{"c++"}, true},
		{"node.js", []string{"node.js"}, true},
		{"under_score", []string{"under_score"}, true},
		{strings.Repeat("a", 30), []string{strings.Repeat("a", 30)}, false},
		{strings.Repeat("a", 31), []string{strings.Repeat("a", 31)}, true},
		{strings.Repeat("é", 30), []string{strings.Repeat("é", 30)}, false}, // characters, not bytes
		{"a,b,c,d,e,f,g,h,i,j", strings.Split("a,b,c,d,e,f,g,h,i,j", ","), false},
		{"a,b,c,d,e,f,g,h,i,j,k", strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","), true},
		{"a,b,c,d,e,f,g,h,i,j,a", strings.Split("a,b,c,d,e,f,g,h,i,j", ","), false}, // repeats do not count
	}
	for _, tc := range tests {
		got, msg := models.ParseTags(tc.raw)
		if !slices.Equal(got, tc.want) || (msg != "") != tc.wantMsg {
			t.Errorf("ParseTags(%q) = %q, %q; want %q, message %v", tc.raw, got, msg, tc.want, tc.wantMsg)
		}
	}
}
