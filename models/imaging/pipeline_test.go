package imaging

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/png"
	"runtime"
	"sync"
	"testing"
	"time"
)

// ZeroPNG is a PNG of w x h zero pixels, compressed as a bomb is: a few
// hundred KB declaring hundreds of MB. It is written row by row, so making
// it costs no image in memory. colorType and depth are PNG's (6, 8: RGBA).
func ZeroPNG(t testing.TB, w, h int, colorType, depth byte, interlaced bool) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		out.Write(c)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	il := byte(0)
	if interlaced {
		il = 1
	}
	ihdr = append(ihdr, depth, colorType, 0, 0, il)
	chunk("IHDR", ihdr)
	if colorType == 3 {
		chunk("PLTE", make([]byte, 3*256))
	}
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	rowBytes := func(width int) int { return (width*channels*int(depth) + 7) / 8 }
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+rowBytes(w))
	if !interlaced {
		for range h {
			zw.Write(row)
		}
	} else {
		// Adam7: each pass is a sub-image with rows of its own width.
		for _, p := range []struct{ x0, dx, y0, dy int }{
			{0, 8, 0, 8}, {4, 8, 0, 8}, {0, 4, 4, 8}, {2, 4, 0, 4}, {0, 2, 2, 4}, {1, 2, 0, 2}, {0, 1, 1, 2},
		} {
			pw, ph := (w-p.x0+p.dx-1)/p.dx, (h-p.y0+p.dy-1)/p.dy
			if pw <= 0 || ph <= 0 {
				continue
			}
			for range ph {
				zw.Write(row[:1+rowBytes(pw)])
			}
		}
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

var (
	bombOnce sync.Once
	bomb     []byte
)

// bomb40 is the bomb: 40 megapixels of 8-bit RGBA zeros.
func bomb40(t testing.TB) []byte {
	bombOnce.Do(func() { bomb = ZeroPNG(t, 8000, 5000, 6, 8, false) })
	return bomb
}

// TestBombRefusedByMemory: images within the pixel limit whose decoded
// pixels would not fit the memory budget are refused from the header, at
// the cost of reading it, and the error says how large such an image may be.
// A 40-megapixel gray PNG (1 byte a pixel) of the same pixel count is fine.
func TestBombRefusedByMemory(t *testing.T) {
	lim := Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"40 MP RGBA", bomb40(t)},
		{"25 MP RGBA, 16-bit", ZeroPNG(t, 5000, 5000, 6, 16, false)},
		{"30 MP RGB, interlaced", ZeroPNG(t, 6000, 5000, 2, 8, true)},
	} {
		if len(tc.data) > 1<<20 {
			t.Fatalf("%s: fixture is %d bytes; a bomb is small", tc.name, len(tc.data))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Process(bytes.NewReader(tc.data), lim, 2400, 2400)
		runtime.ReadMemStats(&after)
		var tm *TooManyPixelsError
		if !errors.As(err, &tm) || !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("%s: err = %v, want the image refused as too large", tc.name, err)
		}
		if tm.Limit >= lim.MaxPixels || tm.Error() == ErrTooManyPixels.Error() {
			t.Errorf("%s: %q does not say the lower limit for this kind of image", tc.name, tm.Error())
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("%s: allocated %d MiB to refuse it", tc.name, n>>20)
		}
	}

	gray := ZeroPNG(t, 8000, 5000, 0, 8, false)
	res, err := Process(bytes.NewReader(gray), lim, 480, 480)
	if err != nil || res.Width != 480 || res.Height != 300 {
		t.Fatalf("40 MP gray: %dx%d, %v; want it decoded and fitted to 480x300", res.Width, res.Height, err)
	}
}

// TestDecodeCostCoversDecoder checks the header's estimate against what
// each decoder really allocates: never less (the budget must hold), and
// not wildly more (the budget must not refuse what fits).
func TestDecodeCostCoversDecoder(t *testing.T) {
	rgba := gradient(640, 480)
	nrgba64 := image.NewNRGBA64(rgba.Bounds())
	gray := image.NewGray(rgba.Bounds())
	pal := image.NewPaletted(rgba.Bounds(), palette.Plan9)
	for i := range gray.Pix {
		gray.Pix[i], pal.Pix[i] = uint8(i), uint8(i)
	}
	for i := range nrgba64.Pix {
		nrgba64.Pix[i] = uint8(i * 7)
	}
	var g bytes.Buffer
	if err := gif.Encode(&g, pal, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"jpeg 4:2:0", encJPEG(t, rgba)},
		{"jpeg gray", encJPEG(t, gray)},
		{"png rgba", encPNG(t, rgba)},
		{"png 16-bit", encPNG(t, nrgba64)},
		{"png gray", encPNG(t, gray)},
		{"png paletted", encPNG(t, pal)},
		{"png interlaced", ZeroPNG(t, 640, 480, 6, 8, true)},
		{"gif", g.Bytes()},
		{"webp lossless", webpAlpha},
	} {
		f, _ := sniff(tc.data)
		hdr, err := readHeader(f, tc.data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := decode(f, bytes.NewReader(tc.data)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		runtime.ReadMemStats(&after)
		used := int64(after.TotalAlloc - before.TotalAlloc)
		const slack = 128 << 10 // tables, bit readers, zlib's window: the same for any size
		if used > hdr.decodeBytes+slack {
			t.Errorf("%s: decoder allocated %d bytes, estimate %d", tc.name, used, hdr.decodeBytes)
		}
		if hdr.decodeBytes > 3*used+slack {
			t.Errorf("%s: estimate %d bytes, decoder allocated only %d", tc.name, hdr.decodeBytes, used)
		}
	}
}

func TestJPEGCostFromFrameHeader(t *testing.T) {
	cfg := image.Config{ColorModel: color.YCbCrModel, Width: 4000, Height: 3008} // whole 16x16 MCUs
	baseline := jpegCost(cfg, jpegInfo{comps: []sampling{{2, 2}, {1, 1}, {1, 1}}})
	if baseline != 4000*3008*3/2 {
		t.Errorf("4:2:0 baseline: %d bytes, want 1.5 a pixel", baseline)
	}
	// Progressive: every coefficient (4 bytes a sample) is kept between scans.
	if p := jpegCost(cfg, jpegInfo{progressive: true, comps: []sampling{{2, 2}, {1, 1}, {1, 1}}}); p != 5*baseline {
		t.Errorf("4:2:0 progressive: %d bytes, want %d", p, 5*baseline)
	}
	if c := jpegCost(cfg, jpegInfo{comps: []sampling{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}); c != 4000*3008*8 {
		t.Errorf("CMYK: %d bytes, want 8 a pixel", c)
	}
	photo := encJPEG(t, gradient(64, 48))
	if info := scanJPEG(photo); info.progressive || len(info.comps) != 3 || info.comps[0] != (sampling{2, 2}) {
		t.Errorf("scanJPEG read the frame header as %+v", info)
	}
}

// TestPipelineQueue: an image waits for room in the budget, gets it when
// another finishes, and is told to come back (ErrBusy) when none comes
// within the queue wait, or stops at once when its request ends.
func TestPipelineQueue(t *testing.T) {
	small := encPNG(t, gradient(64, 48))
	p := NewPipeline(64<<20, 300*time.Millisecond)
	release, err := p.Acquire(context.Background(), 64<<20) // another upload holds it all
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, err = p.Process(context.Background(), bytes.NewReader(small), Limits{}, 0, 0)
	if !errors.Is(err, ErrBusy) || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("with the budget taken: %v after %v, want ErrBusy after the queue wait", err, time.Since(start))
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := p.Process(ctx, bytes.NewReader(small), Limits{}, 0, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("request ended while queued: %v, want context.Canceled", err)
	}

	p.wait = 10 * time.Second
	time.AfterFunc(100*time.Millisecond, release)
	res, err := p.Process(context.Background(), bytes.NewReader(small), Limits{}, 0, 0)
	if err != nil || res.Width != 64 {
		t.Fatalf("after the other upload finished: %v", err)
	}
	if !p.sem.TryAcquire(64 << 20) {
		t.Fatal("the budget was not given back")
	}
}

// TestProcessStopsWhenRequestEnds: a long decode stops soon after its
// request's deadline, with the deadline's error, and gives its budget back.
func TestProcessStopsWhenRequestEnds(t *testing.T) {
	data := ZeroPNG(t, 8000, 5000, 0, 8, false) // 40 MB of gray: accepted, slow
	p := NewPipeline(0, 0)
	full := time.Now()
	if _, err := p.Process(context.Background(), bytes.NewReader(data), Limits{}, 2400, 2400); err != nil {
		t.Fatal(err)
	}
	took := time.Since(full)

	ctx, cancel := context.WithTimeout(context.Background(), took/10)
	defer cancel()
	start := time.Now()
	_, err := p.Process(ctx, bytes.NewReader(data), Limits{}, 2400, 2400)
	stopped := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline's error", err)
	}
	t.Logf("full run %v; with a deadline of %v it stopped after %v", took, took/10, stopped)
	if stopped > took/2 {
		t.Errorf("stopped after %v; the full run takes %v", stopped, took)
	}
	if !p.sem.TryAcquire(p.budget) {
		t.Fatal("the budget was not given back")
	}
}

// TestVariantsFromOneDecode: the smaller copies come from the same decode,
// each as wide as asked, in the output format.
func TestVariantsFromOneDecode(t *testing.T) {
	photo := encJPEG(t, gradient(1200, 900))
	res, err := Default.Process(context.Background(), bytes.NewReader(photo), Limits{}, 2400, 2400, 480, 960, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Variants) != 2 {
		t.Fatalf("%d variants, want 2 (none wider than the image)", len(res.Variants))
	}
	want(t, res.Variants[0], "image/jpeg", ".jpg", 480, 360)
	want(t, res.Variants[1], "image/jpeg", ".jpg", 960, 720)
	_ = png.Encode // png decodes the outputs in want
}
