package personal_test

import (
	"context"
	"io"
	"testing"

	"github.com/a-h/templ"

	"quire/views/personal"
)

func TestTrack(t *testing.T) {
	ctx, seen := personal.Track(context.Background())
	plain := templ.Raw("<p>for everyone</p>")
	if err := plain.Render(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if seen() {
		t.Fatal("a page with nothing personal was marked")
	}
	if err := personal.Mark().Render(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !seen() {
		t.Fatal("Mark rendered but Track did not see it")
	}
	// Rendering without tracking is harmless.
	if err := personal.Mark().Render(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
}
