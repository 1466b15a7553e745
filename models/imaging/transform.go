package imaging

import (
	"image"
	stddraw "image/draw"

	"golang.org/x/image/draw"
)

// fitAndOrient shrinks img to fit the box (as displayed, i.e. after EXIF
// orientation) and then applies the orientation. Scaling first means a large
// photo is rotated at its small final size. scaled reports whether pixels
// were resampled, which decides whether a GIF can stay a GIF.
func fitAndOrient(img image.Image, orientation, fitW, fitH int) (image.Image, bool) {
	b := img.Bounds()
	swap := orientation >= 5 // 5..8 turn the image a quarter
	dispW, dispH := b.Dx(), b.Dy()
	if swap {
		dispW, dispH = dispH, dispW
	}
	w, h := fitSize(dispW, dispH, fitW, fitH)
	scaled := w != dispW || h != dispH
	if scaled {
		if swap {
			w, h = h, w
		}
		img = shrink(img, w, h)
	}
	if orientation > 1 {
		img = orient(toRGBA(img), orientation)
	}
	return img, scaled
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

// shrink resamples img down to w x h. Catmull-Rom is sharp and alias-free,
// but x/image's implementation costs time proportional to source size times
// reduction ratio and a float64 buffer of w x source height: a 35-megapixel
// photo took 2-3 s and hundreds of MB. So any reduction of 2x or more first
// averages k x k blocks (a box filter: cheap, streaming, nearly as good),
// leaving Catmull-Rom a residual under 2x; its cost then follows the output
// size, which the caller chooses, not the upload.
func shrink(img image.Image, w, h int) *image.RGBA {
	if k := min(img.Bounds().Dx()/w, img.Bounds().Dy()/h); k >= 2 {
		img = boxReduce(toRGBA(img), k)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// boxReduce averages each k x k block of src into one pixel. RGBA is
// premultiplied, so plain averaging treats transparency correctly. The last
// partial row and column of blocks (under k pixels) are dropped.
func boxReduce(src *image.RGBA, k int) *image.RGBA {
	W, H := src.Rect.Dx()/k, src.Rect.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, W, H))
	sums := make([]uint64, 4*W) // k*k*255 can pass 2^32 for huge k
	// #nosec G115 -- 2 <= k <= both sides, so k*k is positive and at most the pixel count.
	n := uint64(k * k)
	for y := 0; y < H; y++ {
		clear(sums)
		for sy := y * k; sy < (y+1)*k; sy++ {
			row := src.Pix[sy*src.Stride : sy*src.Stride+4*W*k]
			for x := 0; x < W; x++ {
				var r, g, b, a uint64
				block := row[4*k*x : 4*k*(x+1)]
				for i := 0; i+4 <= len(block); i += 4 {
					px := block[i : i+4 : i+4]
					r += uint64(px[0])
					g += uint64(px[1])
					b += uint64(px[2])
					a += uint64(px[3])
				}
				s := sums[4*x : 4*x+4 : 4*x+4]
				s[0] += r
				s[1] += g
				s[2] += b
				s[3] += a
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*W]
		for i, s := range sums {
			out[i] = uint8((s + n/2) / n) // #nosec G115 -- s sums n bytes: the rounded mean is at most 255
		}
	}
	return dst
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
