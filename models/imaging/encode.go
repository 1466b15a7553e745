package imaging

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// jpegQuality balances size and artefacts for photos shown on the web.
const jpegQuality = 85

// encode writes img in the output format chosen for the input format. The Go
// encoders write pixels only (no EXIF, ICC, text chunks or comments), which
// is what strips the upload's metadata.
func encode(ctx context.Context, in format, img image.Image, scaled bool) (Result, error) {
	out := formatPNG
	switch in {
	case formatJPEG:
		out = formatJPEG
	case formatGIF:
		if _, ok := img.(*image.Paletted); ok && !scaled {
			out = formatGIF // untouched frame: lossless, palette kept
		}
	case formatWebP:
		if isOpaque(img) {
			out = formatJPEG
		}
	}

	var buf bytes.Buffer
	var err error
	w := ctxWriter{ctx, &buf}
	res := Result{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	switch out {
	case formatJPEG:
		res.ContentType, res.Ext = "image/jpeg", ".jpg"
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: jpegQuality})
	case formatGIF:
		res.ContentType, res.Ext = "image/gif", ".gif"
		err = gif.Encode(w, img, nil)
	default:
		res.ContentType, res.Ext = "image/png", ".png"
		err = png.Encode(w, img)
	}
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		// Decoded pixels that cannot be re-encoded point to a bug or an
		// exotic image, not to the uploader: keep the cause for the logs.
		return Result{}, fmt.Errorf("imaging: encoding %s: %w", res.ContentType, err)
	}
	res.Data = buf.Bytes()
	return res, nil
}

// isOpaque reports whether every pixel is fully opaque, using the image
// type's own Opaque method when it has one (all decoder outputs do).
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}
