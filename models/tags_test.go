package models_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// manyTags is n distinct tags, comma-separated: "t0,t1,...".
func manyTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	return tags
}

// TestTagsBoundedWork: tag lists from a URL or a form cost time linear in
// their size, and lists far past MaxTags are refused before they are read.
// Before, parsing was quadratic: 80,000 tags in a URL took 33 s of CPU and
// a post with 60,000 tags 17 s.
func TestTagsBoundedWork(t *testing.T) {
	t.Parallel()
	huge := strings.Join(manyTags(80_000), ",")
	start := time.Now()
	got, msg := models.ParseTags(huge)
	took := time.Since(start)
	t.Logf("ParseTags of 80,000 tags (%d KB): %v", len(huge)/1024, took)
	if took > 500*time.Millisecond {
		t.Errorf("ParseTags of 80,000 tags took %v", took)
	}
	if msg == "" || len(got) > models.MaxTags+1 {
		t.Errorf("ParseTags of 80,000 tags = %d tags, %q; want a refusal", len(got), msg)
	}
	if _, ok := models.ParseTag(huge); ok {
		t.Error("ParseTag accepted 80,000 tags as one")
	}

	// Tags that come as a list (imports, the API of the model) are
	// normalised in linear time too.
	in := models.PostInput{Title: "Many tags", Tags: manyTags(60_000)}
	start = time.Now()
	errs := in.Validate()
	took = time.Since(start)
	t.Logf("validating a post with 60,000 tags: %v", took)
	if took > 500*time.Millisecond {
		t.Errorf("validating a post with 60,000 tags took %v", took)
	}
	if errs["tags"] == "" {
		t.Error("a post with 60,000 tags passed validation")
	}

	// The field's bound leaves room for MaxTags long tags typed with spaces.
	long := make([]string, models.MaxTags)
	for i := range long {
		long[i] = " #" + strings.Repeat("é", models.MaxTagLen-1) + strconv.Itoa(i) + " "
	}
	if got, msg := models.ParseTags(strings.Join(long, ", ")); msg != "" || len(got) != models.MaxTags {
		t.Errorf("ParseTags of %d long tags = %d tags, %q", models.MaxTags, len(got), msg)
	}
}

func TestParseTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"go", "go", true},
		{"Slow Travel", "slow-travel", true},
		{"café", "café", true},
		{strings.Repeat("é", models.MaxTagLen), strings.Repeat("é", models.MaxTagLen), true},
		{strings.Repeat("é", models.MaxTagLen+1), "", false},
		{"", "", false},
		{"-", "", false},
		{"go,web", "", false},
		{"c++", "", false},
		{strings.Repeat("a", 100_000), "", false},
	}
	for _, tc := range tests {
		if got, ok := models.ParseTag(tc.raw); got != tc.want || ok != tc.ok {
			t.Errorf("ParseTag(%.40q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}
