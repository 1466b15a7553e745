package markdown

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// library is an Images answering from a map, recording what it was asked.
type library struct {
	known map[string]Image
	asked [][]string
	err   error
}

func (l *library) Lookup(srcs []string) (map[string]Image, error) {
	l.asked = append(l.asked, slices.Clone(srcs))
	return l.known, l.err
}

func TestRenderImageSizes(t *testing.T) {
	lib := &library{known: map[string]Image{
		"/media/a.jpg": {Width: 2400, Height: 1600, Srcset: "/media/a-w480.jpg 480w, /media/a-w960.jpg 960w, /media/a.jpg 2400w"},
		"/media/b.png": {Width: 300, Height: 200},
	}}
	src := "![A](/media/a.jpg) ![again](/media/a.jpg)\n\n![B](/media/b.png) ![C](/media/c.png) ![far](https://example.com/a.jpg) ![x](//evil.example/a.jpg)"
	out, err := RenderWith(src, Options{Images: lib})
	if err != nil {
		t.Fatal(err)
	}
	want := `<p><img src="/media/a.jpg" alt="A" loading="lazy" width="2400" height="1600" srcset="/media/a-w480.jpg 480w, /media/a-w960.jpg 960w, /media/a.jpg 2400w" sizes="(max-width: 42rem) 100vw, 42rem">` +
		` <img src="/media/a.jpg" alt="again" loading="lazy" width="2400" height="1600" srcset="/media/a-w480.jpg 480w, /media/a-w960.jpg 960w, /media/a.jpg 2400w" sizes="(max-width: 42rem) 100vw, 42rem"></p>` + "\n" +
		`<p><img src="/media/b.png" alt="B" loading="lazy" width="300" height="200"> <img src="/media/c.png" alt="C" loading="lazy">` +
		` <img src="https://example.com/a.jpg" alt="far" loading="lazy"> <img src="//evil.example/a.jpg" alt="x" loading="lazy"></p>` + "\n"
	if out != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
	assertInert(t, out)
	if len(lib.asked) != 1 || !slices.Equal(lib.asked[0], []string{"/media/a.jpg", "/media/b.png", "/media/c.png"}) {
		t.Errorf("asked %q, want the three local addresses once", lib.asked)
	}
	// Without a resolver, or without images, nothing is asked.
	if out := mustRender(t, src); strings.Contains(out, "srcset") {
		t.Errorf("Render without images sized them: %s", out)
	}
	lib.asked = nil
	if _, err := RenderWith("no images", Options{Images: lib}); err != nil || len(lib.asked) != 0 {
		t.Errorf("asked %q for a post without images (%v)", lib.asked, err)
	}
	// The lookup's failure is the render's.
	boom := errors.New("database down")
	if _, err := RenderWith(src, Options{Images: &library{err: boom}}); !errors.Is(err, boom) {
		t.Errorf("err %v, want the lookup's", err)
	}
}

// TestPolicyImageAttributes: srcset holds site paths only, sizes is the
// renderer's, width and height are numbers.
func TestPolicyImageAttributes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<img src="/m/a.jpg" width="10" height="20" srcset="/m/a-w4.jpg 4w, /m/a.jpg 10w" sizes="(max-width: 42rem) 100vw, 42rem">`,
			`<img src="/m/a.jpg" width="10" height="20" srcset="/m/a-w4.jpg 4w, /m/a.jpg 10w" sizes="(max-width: 42rem) 100vw, 42rem">`},
		{`<img src="/m/a.jpg" width="10%" height="x" srcset="https://evil.example/a.jpg 4w" sizes="100vw">`, `<img src="/m/a.jpg">`},
		{`<img src="/m/a.jpg" srcset="javascript:alert(1) 4w">`, `<img src="/m/a.jpg">`},
		{`<img src="/m/a.jpg" srcset="//evil.example/a.jpg 4w">`, `<img src="/m/a.jpg">`},
	}
	for _, tt := range tests {
		if got := policy().Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
		}
	}
}
