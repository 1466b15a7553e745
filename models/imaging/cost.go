package imaging

import (
	"image"
	"image/color"
)

// The decoders allocate their whole output at once, sized from the header,
// and some allocate working copies besides. These estimates, from the header
// alone, are what the pipeline budgets: a 300 KB PNG of zeros can declare
// 40 megapixels of 8-byte pixels.

// pixels is w*h in int64; sides are at most MaxSide, so it cannot overflow.
func pixels(w, h int) int64 { return int64(w) * int64(h) }

// bytesPerPixel is the size of one pixel of the image type a decoder returns
// for a color model. An unknown model counts as the largest (RGBA64).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.YCbCrModel:
		return 3 // 4:4:4; jpegCost knows the real subsampling
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// pngCost: the image, plus, when interlaced, one image per Adam7 pass
// (together as large as the image) merged into it.
func pngCost(cfg image.Config, interlaced bool) int64 {
	n := pixels(cfg.Width, cfg.Height) * bytesPerPixel(cfg.ColorModel)
	if interlaced {
		n *= 2
	}
	return n
}

// jpegCost counts the decoder's sample planes at their real subsampling
// (padded to whole MCUs); a progressive JPEG also keeps every DCT
// coefficient between scans (64 int32 per 8x8 block: 4 bytes a sample), and
// a CMYK one is converted into a second, 4-byte-a-pixel image.
func jpegCost(cfg image.Config, info jpegInfo) int64 {
	if len(info.comps) == 0 { // no SOF found: the decoder will fail; assume the worst
		return pixels(cfg.Width, cfg.Height) * 3 * 5
	}
	hmax, vmax := 1, 1
	for _, c := range info.comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	mxx := int64((cfg.Width + 8*hmax - 1) / (8 * hmax))
	myy := int64((cfg.Height + 8*vmax - 1) / (8 * vmax))
	var samples int64
	for _, c := range info.comps {
		samples += 64 * mxx * myy * int64(c.h) * int64(c.v)
	}
	n := samples
	if info.progressive {
		n += 4 * samples
	}
	if len(info.comps) == 4 {
		n += 4 * pixels(cfg.Width, cfg.Height)
	}
	return n
}

// webpLossyCost: VP8 decodes to 4:2:0 YCbCr. An alpha plane is a byte a
// pixel, and when it is compressed losslessly it is first decoded as a full
// VP8L image (see webpLosslessCost).
func webpLossyCost(w, h int, alpha bool) int64 {
	n := pixels(w, h) * 3 / 2
	if alpha {
		n += pixels(w, h) + webpLosslessCost(w, h)
	}
	return n
}

// webpLosslessCost: VP8L decodes to 4 bytes a pixel, and its colour-indexing
// transform writes a second buffer of the same size.
func webpLosslessCost(w, h int) int64 { return pixels(w, h) * 8 }

// outputCost is the working memory after decoding for an output of w x h:
// the scaled RGBA image, the rotated copy when there is an orientation to
// apply, and the encoder's buffer (at most about the raw size).
func outputCost(w, h int, rotate bool) int64 {
	n := pixels(w, h) * 4 * 2
	if rotate {
		n += pixels(w, h) * 4
	}
	return n
}
