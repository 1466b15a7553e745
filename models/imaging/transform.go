package imaging

import (
	"context"
	"image"
	stddraw "image/draw"
)

// fitAndOrient shrinks img to fit the box (as displayed, i.e. after EXIF
// orientation) and then applies the orientation. Scaling first means a large
// photo is rotated at its small final size. scaled reports whether pixels
// were resampled, which decides whether a GIF can stay a GIF. It stops with
// ctx's error when ctx ends.
func fitAndOrient(ctx context.Context, img image.Image, orientation, fitW, fitH int) (image.Image, bool, error) {
	b := img.Bounds()
	w, h := fittedSize(b.Dx(), b.Dy(), orientation, fitW, fitH)
	scaled := w != b.Dx() || h != b.Dy()
	if scaled {
		var err error
		if img, err = shrink(ctx, img, w, h); err != nil {
			return nil, false, err
		}
	}
	if orientation > 1 {
		img = orient(toRGBA(img), orientation)
	}
	return img, scaled, nil
}

// fittedSize is the size, before orientation is applied, that the image of
// w x h is scaled to so that it fits the box as displayed.
func fittedSize(w, h, orientation, fitW, fitH int) (int, int) {
	swap := orientation >= 5 // 5..8 turn the image a quarter
	if swap {
		w, h = h, w
	}
	w, h = fitSize(w, h, fitW, fitH)
	if swap {
		w, h = h, w
	}
	return w, h
}

// fitSize returns the largest size with w:h's aspect ratio that fits within
// maxW x maxH without enlarging. A max <= 0 leaves that axis unconstrained.
func fitSize(w, h, maxW, maxH int) (int, int) {
	W, H := int64(w), int64(h)
	mW, mH := int64(maxW), int64(maxH)
	if mW <= 0 || mW > W {
		mW = W
	}
	if mH <= 0 || mH > H {
		mH = H
	}
	if mW == W && mH == H {
		return w, h
	}
	// Compare W/H with mW/mH by cross-multiplying to stay in integers;
	// sizes are bounded by MaxSide so nothing overflows.
	var nw, nh int64
	if W*mH > H*mW { // relatively wider than the box: width binds
		nw, nh = mW, (H*mW+W/2)/W
	} else {
		nw, nh = (W*mH+H/2)/H, mH
	}
	return int(max(nw, 1)), int(max(nh, 1))
}

// shrink resamples img down to w x h by area averaging: each output pixel
// is the mean of the source area it covers, fractions of pixels weighted by
// how much of them it covers. That is the filter to use for reductions (no
// aliasing, no ringing), and it streams: the source is read one row at a
// time, converted to premultiplied RGBA (so transparency averages right),
// and nothing is allocated beyond the output, one source row and two rows
// of sums. (x/image/draw's kernels keep a float64 buffer of output width x
// source height: 140 MB for a 40-megapixel upload.) ctx is checked every
// output row, so a cancelled request stops here within milliseconds.
func shrink(ctx context.Context, img image.Image, w, h int) (*image.RGBA, error) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	fx, fy := float64(sw)/float64(w), float64(sh)/float64(h)

	// Each source column lands in output column col[x] with weight wx[x]
	// and, for the rest of it, in col[x]+1 (fx >= 1: never further).
	col, wx := make([]int, sw), make([]float64, sw)
	for x := range sw {
		j := min(int(float64(x)/fx), w-1)
		col[x] = j
		wx[x] = min(1, float64(j+1)*fx-float64(x))
	}

	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	sums := make([]float64, 4*(w+1)) // +1: the spill of the last column, ignored
	rowAt := -1
	norm := 1 / (fx * fy)
	for i := range h {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		clear(sums)
		y0, y1 := float64(i)*fy, float64(i+1)*fy
		for sy := int(y0); float64(sy) < y1 && sy < sh; sy++ {
			wy := min(y1, float64(sy+1)) - max(y0, float64(sy))
			if sy != rowAt {
				stddraw.Draw(row, row.Rect, img, image.Pt(b.Min.X, b.Min.Y+sy), stddraw.Src)
				rowAt = sy
			}
			for x := range sw {
				px := row.Pix[4*x : 4*x+4 : 4*x+4]
				j, a := 4*col[x], wy*wx[x]
				s := sums[j : j+8 : j+8]
				r, g, bb, al := float64(px[0]), float64(px[1]), float64(px[2]), float64(px[3])
				s[0] += a * r
				s[1] += a * g
				s[2] += a * bb
				s[3] += a * al
				if a2 := wy - a; a2 > 0 {
					s[4] += a2 * r
					s[5] += a2 * g
					s[6] += a2 * bb
					s[7] += a2 * al
				}
			}
		}
		out := dst.Pix[i*dst.Stride : i*dst.Stride+4*w]
		for k := range out {
			out[k] = uint8(min(255, sums[k]*norm+0.5)) // #nosec G115 -- a mean of bytes, clamped to 255
		}
	}
	return dst, nil
}

// toRGBA converts to *image.RGBA at origin (0,0). The standard library's
// draw has fast paths for the decoders' YCbCr, Gray and Paletted outputs.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	if m, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) {
		return m
	}
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	stddraw.Draw(m, m.Bounds(), img, b.Min, stddraw.Src)
	return m
}

// orient applies an EXIF orientation (2..8) so the result is displayed
// upright without the tag: for a source W x H, dst(x, y) = src(f(x, y)).
func orient(src *image.RGBA, o int) *image.RGBA {
	W, H := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := W, H
	if o >= 5 {
		dw, dh = H, W
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2: // mirror horizontally
				sx, sy = W-1-x, y
			case 3: // rotate 180
				sx, sy = W-1-x, H-1-y
			case 4: // mirror vertically
				sx, sy = x, H-1-y
			case 5: // transpose
				sx, sy = y, x
			case 6: // rotate 90 clockwise
				sx, sy = y, H-1-x
			case 7: // transverse
				sx, sy = W-1-y, H-1-x
			case 8: // rotate 90 counter-clockwise
				sx, sy = W-1-y, x
			default:
				sx, sy = x, y
			}
			s := src.PixOffset(sx, sy)
			d := dst.PixOffset(x, y)
			copy(dst.Pix[d:d+4], src.Pix[s:s+4])
		}
	}
	return dst
}
