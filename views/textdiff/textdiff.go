// Package textdiff compares two texts for people to read: lines first, then
// the words within the lines that changed. It is pure (no Quire imports, no
// state) and its cost is bounded: the line comparison stops at a deadline
// and the word comparison has a budget, beyond which changed lines are
// shown whole (Diff.Coarse).
package textdiff

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Kind says what a Part is.
type Kind uint8

const (
	Same    Kind = iota // in both texts
	Removed             // only in the older (or "from") text
	Added               // only in the newer (or "to") text
	Skipped             // unchanged lines left out by Fold (Part.Lines says how many)
)

// Part is a run of text of one kind.
type Part struct {
	Kind  Kind
	Text  string
	Lines int // Skipped only
}

// Diff is what changed from one text to another, in order.
type Diff struct {
	Parts []Part
	// Coarse: some changed lines were too large for the word budget (or
	// the line comparison ran out of time) and are shown whole.
	Coarse bool
}

const (
	// lineTimeout bounds the line comparison; past it the remaining
	// difference is reported as whole lines removed and added.
	lineTimeout = 300 * time.Millisecond
	// wordBudget bounds the word comparison over all changed hunks: a hunk
	// of n tokens costs n² (Myers' worst case), and hunks beyond what is
	// left are shown as whole lines. Spending all 16M took 30–100 ms here
	// (BenchmarkCompare/word-budget).
	wordBudget = 16_000_000
)

// maxInput is the most Compare compares (both texts, in bytes): more is
// shown whole. Posts are far below it (200,000 characters each); it keeps
// token and line numbers inside the runes the comparison maps them to.
const maxInput = 1 << 20

// Compare is what changed from "from" to "to".
func Compare(from, to string) Diff {
	if len(from)+len(to) > maxInput {
		var d Diff
		if from == to {
			d.add(Same, from)
			return d
		}
		d.add(Removed, from)
		d.add(Added, to)
		d.Coarse = true
		return d
	}
	dmp := diffmatchpatch.New()
	deadline := time.Now().Add(lineTimeout)
	var d Diff
	budget := wordBudget
	for _, st := range byLine(dmp, from, to) {
		if st.changed() && !d.words(dmp, st.del, st.ins, &budget) {
			d.add(Removed, st.del)
			d.add(Added, st.ins)
			d.Coarse = true
		}
		d.add(Same, st.same)
	}
	d.Coarse = d.Coarse || time.Now().After(deadline)
	return d
}

// stretch is a run both texts share (same), or one that differs: what only
// the first text has there (del) and what only the second has (ins).
type stretch struct{ same, del, ins string }

func (s stretch) changed() bool { return s.del != "" || s.ins != "" }

// byLine compares two texts line by line, within lineTimeout.
func byLine(dmp *diffmatchpatch.DiffMatchPatch, from, to string) []stretch {
	dmp.DiffTimeout = lineTimeout
	r1, r2, lines := dmp.DiffLinesToRunes(from, to)
	return stretches(dmp.DiffCharsToLines(dmp.DiffMainRunes(r1, r2, false), lines), false)
}

// stretches groups a diff into shared and differing runs. With
// joinBlanks, blanks between two changes belong to the change, so it
// reads as one: "[-a b-][+c d+]", not "[-a-][+c+] [-b-][+d+]".
func stretches(ds []diffmatchpatch.Diff, joinBlanks bool) []stretch {
	var out []stretch
	for i := 0; i < len(ds); {
		if ds[i].Type == diffmatchpatch.DiffEqual {
			out = append(out, stretch{same: ds[i].Text})
			i++
			continue
		}
		var del, ins strings.Builder
		for ; i < len(ds); i++ {
			x := ds[i]
			if x.Type == diffmatchpatch.DiffEqual {
				if !joinBlanks || i+1 == len(ds) || strings.TrimFunc(x.Text, isBlank) != "" {
					break
				}
				del.WriteString(x.Text)
				ins.WriteString(x.Text)
			} else if x.Type == diffmatchpatch.DiffDelete {
				del.WriteString(x.Text)
			} else {
				ins.WriteString(x.Text)
			}
		}
		out = append(out, stretch{del: del.String(), ins: ins.String()})
	}
	return out
}

// Changed reports whether the texts differ.
func (d Diff) Changed() bool {
	for _, p := range d.Parts {
		if p.Kind == Removed || p.Kind == Added {
			return true
		}
	}
	return false
}

// add appends text as kind, joined to the last part when it is the same kind.
func (d *Diff) add(kind Kind, text string) {
	if text == "" {
		return
	}
	if n := len(d.Parts); n > 0 && d.Parts[n-1].Kind == kind {
		d.Parts[n-1].Text += text
		return
	}
	d.Parts = append(d.Parts, Part{Kind: kind, Text: text})
}

// words compares one hunk of changed lines word by word, when the budget
// allows; false leaves the hunk to be shown whole.
func (d *Diff) words(dmp *diffmatchpatch.DiffMatchPatch, del, ins string, budget *int) bool {
	if del == "" || ins == "" {
		d.add(Removed, del)
		d.add(Added, ins)
		return true
	}
	t := tokenizer{index: map[string]rune{}}
	a, b := t.runes(del), t.runes(ins)
	n := len(a) + len(b)
	if n*n > *budget {
		return false
	}
	*budget -= n * n
	dmp.DiffTimeout = 0 // bounded by the budget, so the result never depends on the clock
	ds := dmp.DiffMainRunes(a, b, false)
	for i := range ds {
		ds[i].Text = t.text(ds[i].Text)
	}
	for _, st := range stretches(ds, true) {
		d.add(Removed, st.del)
		d.add(Added, st.ins)
		d.add(Same, st.same)
	}
	return true
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\u00a0' }

// tokenizer maps words, runs of blanks, line ends and single other
// characters to runes, so the diff works on tokens and never splits a word.
type tokenizer struct {
	index  map[string]rune
	tokens []string
}

func (t *tokenizer) runes(s string) []rune {
	var out []rune
	for s != "" {
		n := tokenLen(s)
		tok := s[:n]
		s = s[n:]
		r, ok := t.index[tok]
		if !ok {
			r = tokenRune(len(t.tokens))
			t.index[tok] = r
			t.tokens = append(t.tokens, tok)
		}
		out = append(out, r)
	}
	return out
}

// text turns a string of token runes back into the text.
func (t *tokenizer) text(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(t.tokens[runeToken(r)])
	}
	return b.String()
}

// tokenRune numbers tokens around the surrogate range, which a Go string
// cannot hold. i < maxInput (a token is at least a byte), so it fits.
func tokenRune(i int) rune {
	if i >= 0xD800 {
		return rune(i + 0x800) // #nosec G115 -- i < maxInput, far below the largest rune
	}
	return rune(i) // #nosec G115 -- i < 0xD800
}

func runeToken(r rune) int {
	if r >= 0xE000 {
		return int(r) - 0x800
	}
	return int(r)
}

// tokenLen is the length in bytes of the token s starts with: a word
// (letters, digits, marks, apostrophes), a run of blanks, or one other
// character (a line end, a punctuation mark).
func tokenLen(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	var in func(rune) bool
	switch {
	case isWord(r):
		in = isWord
	case isBlank(r):
		in = isBlank
	default:
		return size
	}
	for i, r := range s[size:] {
		if !in(r) {
			return size + i
		}
	}
	return len(s)
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’'
}
