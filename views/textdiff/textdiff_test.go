package textdiff

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// show writes a diff as text: [-removed-] [+added+] (…N…) skipped.
func show(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.Kind {
		case Same:
			b.WriteString(p.Text)
		case Removed:
			b.WriteString("[-" + p.Text + "-]")
		case Added:
			b.WriteString("[+" + p.Text + "+]")
		case Skipped:
			fmt.Fprintf(&b, "(…%d…)", p.Lines)
		}
	}
	return b.String()
}

// texts are both sides of a diff, rebuilt from its parts.
func texts(d Diff) (from, to string) {
	var a, b strings.Builder
	for _, p := range d.Parts {
		if p.Kind != Added {
			a.WriteString(p.Text)
		}
		if p.Kind != Removed {
			b.WriteString(p.Text)
		}
	}
	return a.String(), b.String()
}

func TestCompare(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, from, to, want string }{
		{"same", "one\ntwo\n", "one\ntwo\n", "one\ntwo\n"},
		{"a word within a line", "The quick brown fox\nsecond\n", "The quick red fox\nsecond\n", "The quick [-brown-][+red+] fox\nsecond\n"},
		{"words, never letters", "colour\n", "color\n", "[-colour-][+color+]\n"},
		{"a line added", "a\nc\n", "a\nb\nc\n", "a\n[+b\n+]c\n"},
		{"a line removed", "a\nb\nc\n", "a\nc\n", "a\n[-b\n-]c\n"},
		{"two changes one blank apart read as one", "one two three four\n", "one six seven four\n", "one [-two three-][+six seven+] four\n"},
		{"from nothing", "", "new text", "[+new text+]"},
		{"to nothing", "old text", "", "[-old text-]"},
		{"non-Latin words", "Grüße aus Köln\n", "Grüße aus Zürich\n", "Grüße aus [-Köln-][+Zürich+]\n"},
		{"the last line without its end", "a\nb", "a\nc", "a\n[-b-][+c+]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Compare(tc.from, tc.to)
			if got := show(d.Parts); got != tc.want {
				t.Errorf("Compare:\n got %q\nwant %q", got, tc.want)
			}
			if from, to := texts(d); from != tc.from || to != tc.to {
				t.Errorf("the parts do not rebuild the texts: %q, %q", from, to)
			}
			if d.Changed() != (tc.from != tc.to) {
				t.Errorf("Changed = %v", d.Changed())
			}
			if d.Coarse {
				t.Error("a small diff came back coarse")
			}
		})
	}
}

func TestCompareBeyondItsInput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("word ", maxInput/5)
	d := Compare(big, big+"more")
	if !d.Coarse || len(d.Parts) != 2 || d.Parts[0].Kind != Removed || d.Parts[1].Kind != Added {
		t.Fatalf("over maxInput: coarse %v, %d parts", d.Coarse, len(d.Parts))
	}
	if d := Compare(big, big); d.Changed() || d.Coarse {
		t.Fatal("two equal large texts differ")
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	var from strings.Builder
	for i := range 20 {
		fmt.Fprintf(&from, "line %d\n", i)
	}
	to := strings.Replace(from.String(), "line 10\n", "line ten\n", 1)
	got := show(Compare(from.String(), to).Fold(2))
	want := "(…8…)line 8\nline 9\nline [-10-][+ten+]\nline 11\nline 12\n(…7…)"
	if got != want {
		t.Fatalf("Fold(2):\n got %q\nwant %q", got, want)
	}
	// A stretch of one line more than its context is not worth a fold.
	short := "a\nb\nc\n"
	if got := show(Compare(short, short+"e\n").Fold(2)); got != "a\nb\nc\n[+e\n+]" {
		t.Fatalf("Fold of a short stretch: %q", got)
	}
}

func TestConflicted(t *testing.T) {
	t.Parallel()
	theirs := "Title line\nTheir middle\nEnd\n"
	yours := "Title line\nMy middle\nEnd\n"
	got := Conflicted(theirs, yours, "theirs", "yours")
	want := "Title line\n<<<<<<< theirs\nTheir middle\n=======\nMy middle\n>>>>>>> yours\nEnd\n"
	if got != want {
		t.Fatalf("Conflicted:\n got %q\nwant %q", got, want)
	}
	if got := Conflicted("same\n", "same\n", "a", "b"); got != "same\n" {
		t.Fatalf("no difference, no markers: %q", got)
	}
}

// maxBody is the largest body a post may have (models.MaxBodyLen runes).
const maxBody = 200_000

// worstTexts are two bodies of the maximum size that share nothing but
// their words' vocabulary: every line differs, so the word comparison
// would see one hunk of the whole text.
func worstTexts() (string, string) {
	var a, b strings.Builder
	for i := 0; a.Len() < maxBody || b.Len() < maxBody; i++ {
		fmt.Fprintf(&a, "word%d alpha beta gamma %d\n", i, i*7)
		fmt.Fprintf(&b, "gamma %d beta word%d delta\n", i*3, i)
	}
	return a.String()[:maxBody], b.String()[:maxBody]
}

// manyEdits is a maximum-size body and a copy with a word changed in every
// tenth line: many small hunks, each compared word by word.
func manyEdits() (string, string) {
	var a, b strings.Builder
	for i := 0; a.Len() < maxBody; i++ {
		line := fmt.Sprintf("Paragraph %d says something about the weather and the sea.\n", i)
		a.WriteString(line)
		if i%10 == 0 {
			line = strings.Replace(line, "weather", "wind", 1)
		}
		b.WriteString(line)
	}
	return a.String(), b.String()
}

// budgetHunks is a maximum-size body of long paragraphs and a copy with
// every other word of each changed: hunks just inside the word budget until
// it is spent, the rest shown whole.
func budgetHunks() (string, string) {
	var a, b strings.Builder
	for i := 0; a.Len() < maxBody; i++ {
		for w := range 950 {
			fmt.Fprintf(&a, "w%d ", w)
			if w%2 == 0 {
				fmt.Fprintf(&b, "v%d ", w)
			} else {
				fmt.Fprintf(&b, "w%d ", w)
			}
		}
		fmt.Fprintf(&a, "\nunchanged %d\n", i)
		fmt.Fprintf(&b, "\nunchanged %d\n", i)
	}
	return a.String(), b.String()
}

func TestCompareCostIsBounded(t *testing.T) {
	t.Parallel()
	for name, pair := range map[string]func() (string, string){"disjoint": worstTexts, "many edits": manyEdits, "word budget": budgetHunks} {
		from, to := pair()
		start := time.Now()
		d := Compare(from, to)
		took := time.Since(start)
		if a, b := texts(d); a != from || b != to {
			t.Fatalf("%s: the parts do not rebuild the texts", name)
		}
		// The line deadline plus the word budget are well under a second
		// on one core; a loaded machine gets ten times that.
		if took > 10*time.Second {
			t.Errorf("%s: Compare of two %d-character texts took %v", name, maxBody, took)
		}
		t.Logf("%s: %v, coarse %v, %d parts", name, took, d.Coarse, len(d.Parts))
	}
}

func BenchmarkCompare(b *testing.B) {
	for name, pair := range map[string]func() (string, string){"disjoint": worstTexts, "many-edits": manyEdits, "word-budget": budgetHunks} {
		from, to := pair()
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Compare(from, to)
			}
		})
	}
}
