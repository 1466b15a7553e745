package markdown

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
)

// Image is what the site knows of an image a post shows.
type Image struct {
	Width, Height int
	// Srcset lists the image's copies by width ("/media/a-w480.jpg 480w,
	// /media/a.jpg 2400w"); "" when it has no smaller copies.
	Srcset string
}

// Images looks up the images a post shows, so Render can give each its
// size (no layout shift while it loads) and its smaller copies (a phone is
// not sent a 2,400 pixel original for a 680 pixel column). Render calls
// Lookup once a document with every distinct local image address in it
// (a path on this site, at most maxImageLookups), so one query can answer
// them all; addresses it does not know are left out of the map. Render
// stays free of the database: the caller's implementation holds it.
type Images interface {
	Lookup(srcs []string) (map[string]Image, error)
}

// Options change how RenderWith renders.
type Options struct {
	Images Images // nil: images render with their address only
}

// imageSizes is the sizes attribute of a post's images: as wide as the
// screen up to the column's 42rem (views/pages/post.templ's covers say the
// same).
const imageSizes = "(max-width: 42rem) 100vw, 42rem"

// maxImageLookups bounds the addresses one document asks about; images
// past them render with their address only.
const maxImageLookups = 500

// sizeImages sets width, height, srcset and sizes on the images of doc
// whose local address images knows.
func sizeImages(doc ast.Node, images Images) error {
	var found []*ast.Image
	var srcs []string
	seen := map[string]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok || !localPath(img.Destination) {
			return ast.WalkContinue, nil
		}
		src := string(img.Destination)
		if !seen[src] {
			if len(srcs) == maxImageLookups {
				return ast.WalkContinue, nil
			}
			seen[src] = true
			srcs = append(srcs, src)
		}
		found = append(found, img)
		return ast.WalkContinue, nil
	})
	if len(srcs) == 0 {
		return nil
	}
	known, err := images.Lookup(srcs)
	if err != nil {
		return err
	}
	for _, img := range found {
		im, ok := known[string(img.Destination)]
		if !ok || im.Width <= 0 || im.Height <= 0 {
			continue
		}
		img.SetAttributeString("width", []byte(strconv.Itoa(im.Width)))
		img.SetAttributeString("height", []byte(strconv.Itoa(im.Height)))
		if im.Srcset != "" {
			img.SetAttributeString("srcset", []byte(im.Srcset))
			img.SetAttributeString("sizes", []byte(imageSizes))
		}
	}
	return nil
}

// localPath reports whether dest is a path on this site ("/media/a.jpg"),
// not a URL elsewhere ("https://…", "//host/…") or a relative one.
func localPath(dest []byte) bool {
	return len(dest) > 1 && dest[0] == '/' && dest[1] != '/' && dest[1] != '\\'
}
