package imaging

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
)

// Limits bounds what one upload may cost. A zero (or negative) field means
// the default of 10 MiB or 40 megapixels, never "unlimited": forgetting to
// set a limit must not open the door to bombs.
type Limits struct {
	MaxBytes  int64 // e.g. 5<<20 for avatars, 10<<20 for post images
	MaxPixels int64 // e.g. 40_000_000, checked from the header BEFORE decoding
}

const (
	defaultMaxBytes  = 10 << 20
	defaultMaxPixels = 40_000_000
)

// Result is a re-encoded image, safe to store and serve. Serve it with
// ContentType and name it with Ext: both describe Data, not the upload.
type Result struct {
	Data          []byte // re-encoded image; no metadata survives
	ContentType   string // "image/jpeg" | "image/png" | "image/gif"
	Ext           string // ".jpg" | ".png" | ".gif"
	Width, Height int
	Variants      []Result // the smaller copies asked of Pipeline.Process
}

// Process is Default.Process without a deadline and without smaller
// copies, for callers that have no request (the seed command, tests).
func Process(r io.Reader, lim Limits, fitW, fitH int) (Result, error) {
	return Default.Process(context.Background(), r, lim, fitW, fitH)
}

// Process reads one upload and returns it re-encoded, shrunk if needed to fit
// within fitW x fitH (aspect ratio kept, never enlarged). A fit side <= 0
// leaves that axis unconstrained; both <= 0 means no scaling. For each of
// widths narrower than the result it also makes a copy that wide, from the
// same decoded pixels (Result.Variants, in the order asked).
//
// It reads at most lim.MaxBytes+1 bytes from r, so an oversized upload is
// refused without buffering it. The format comes from the content alone and
// only JPEG, PNG, GIF and WebP are accepted. Dimensions, and the memory the
// decoder and the scaler will need, are checked from the header before
// decoding: an image that could never fit the pipeline's budget is refused
// with ErrTooManyPixels, and one that must wait too long for room gets
// ErrBusy. When ctx ends, reading, decoding, scaling and encoding stop and
// ctx's error is returned. JPEG EXIF orientation is applied so phone photos
// appear upright once the metadata is gone. Only the first frame of an
// animated GIF is kept.
//
// Output: JPEG stays JPEG (quality 85) and PNG stays PNG; GIF stays GIF when
// not scaled and becomes PNG when scaled (to avoid re-quantising to a 256
// colour palette); WebP becomes PNG if it has transparency, else JPEG, since
// Go has no WebP encoder.
//
// Go's JPEG decoder cannot decode at a reduced size (DCT scaling, as
// libjpeg does), and no maintained pure-Go decoder can, so every format is
// decoded at full size within the budget and then scaled while streaming.
func (p *Pipeline) Process(ctx context.Context, r io.Reader, lim Limits, fitW, fitH int, widths ...int) (Result, error) {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = defaultMaxBytes
	}
	if lim.MaxPixels <= 0 {
		lim.MaxPixels = defaultMaxPixels
	}

	data, err := readLimited(ctxReader{ctx, r}, lim.MaxBytes)
	if err != nil {
		return Result{}, err
	}

	f, ok := sniff(data)
	if !ok {
		return Result{}, ErrUnsupported
	}
	hdr, err := readHeader(f, data)
	if err != nil {
		return Result{}, err
	}
	if err := checkDimensions(hdr.width, hdr.height, lim.MaxPixels); err != nil {
		return Result{}, err
	}
	cost := p.cost(hdr, fitW, fitH, widths)
	if hdr.decodeBytes > p.maxDecode() || cost > p.budget {
		// The most pixels of this kind that could be decoded.
		px := pixels(hdr.width, hdr.height)
		fits := min(p.maxDecode()*px/max(hdr.decodeBytes, 1), p.budget*px/cost)
		return Result{}, &TooManyPixelsError{Limit: min(lim.MaxPixels, fits), Width: hdr.width, Height: hdr.height}
	}
	release, err := p.Acquire(ctx, cost)
	if err != nil {
		return Result{}, err
	}
	defer release()

	img, err := decode(f, ctxReader{ctx, bytes.NewReader(data)})
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, corrupt(err)
	}
	// The decoders allocate from the same headers we checked, but verify the
	// outcome too: a mismatch means the file lied somewhere.
	b := img.Bounds()
	if b.Empty() || b.Dx() > hdr.width || b.Dy() > hdr.height {
		return Result{}, corrupt(fmt.Errorf("decoded %v, header said %dx%d", b, hdr.width, hdr.height))
	}

	out, scaled, err := fitAndOrient(ctx, img, hdr.orientation, fitW, fitH)
	if err != nil {
		return Result{}, err
	}
	img = nil // the full-size pixels can go before encoding
	res, err := encode(ctx, f, out, scaled)
	if err != nil {
		return Result{}, err
	}
	for _, w := range widths {
		if w >= res.Width {
			continue
		}
		vw, vh := fitSize(res.Width, res.Height, w, 0)
		v, err := shrink(ctx, out, vw, vh)
		if err != nil {
			return Result{}, err
		}
		vr, err := encode(ctx, f, v, true)
		if err != nil {
			return Result{}, err
		}
		res.Variants = append(res.Variants, vr)
	}
	return res, nil
}

// cost is the memory one image needs from the budget: what its decoder
// allocates, and then the fitted output and its smaller copies.
func (p *Pipeline) cost(hdr header, fitW, fitH int, widths []int) int64 {
	w, h := fittedSize(hdr.width, hdr.height, hdr.orientation, fitW, fitH)
	n := hdr.decodeBytes + outputCost(w, h, hdr.orientation > 1)
	if hdr.orientation >= 5 {
		w, h = h, w
	}
	for _, vw := range widths {
		if vw < w {
			vw, vh := fitSize(w, h, vw, 0)
			n += outputCost(vw, vh, false)
		}
	}
	return n
}

// readLimited reads all of r but never more than max+1 bytes: the extra byte
// is how an over-limit upload is told apart from one exactly at the limit.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	n := max
	if n < math.MaxInt64 {
		n++
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, n)); err != nil {
		return nil, fmt.Errorf("imaging: reading upload: %w", err)
	}
	if int64(buf.Len()) > max {
		return nil, &TooLargeError{Limit: max}
	}
	return buf.Bytes(), nil
}

// checkDimensions refuses images whose declared size would make decoding
// expensive. It runs on header values only, before any pixel buffer exists.
func checkDimensions(w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return corrupt(fmt.Errorf("non-positive dimensions %dx%d", w, h))
	}
	if w > MaxSide || h > MaxSide || int64(w)*int64(h) > maxPixels {
		return &TooManyPixelsError{Limit: maxPixels, Width: w, Height: h}
	}
	return nil
}
