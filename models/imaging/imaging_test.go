package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

// Tiny lossless (VP8L) WebPs, 1x1, built bit by bit: signature 0x2f, 14-bit
// width-1 and height-1 (0), alpha hint, version 0, no transform, no colour
// cache, no meta codes, then five "simple" prefix codes with a single 8-bit
// symbol each (green, red, blue, alpha, distance 0), so the pixel itself
// costs zero bits. TestWebPFixtures checks they decode.
var (
	// ARGB ff 20 80 c0: opaque, so it must come out as JPEG.
	webpOpaque = hexBytes("5249464618000000574542505650384c0c0000002f000000002860410adcff00")
	// ARGB 80 ff 00 00: half-transparent red, so it must come out as PNG.
	webpAlpha = hexBytes("5249464618000000574542505650384c0c0000002f000000102840ff0b50c000")
)

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestWebPFixtures(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		want color.NRGBA
	}{
		"opaque": {webpOpaque, color.NRGBA{0x20, 0x80, 0xc0, 0xff}},
		"alpha":  {webpAlpha, color.NRGBA{0xff, 0x00, 0x00, 0x80}},
	} {
		m, err := webp.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: webp.Decode: %v", name, err)
		}
		if got := color.NRGBAModel.Convert(m.At(0, 0)); m.Bounds().Dx() != 1 || m.Bounds().Dy() != 1 || got != tc.want {
			t.Fatalf("%s: got %v %v, want 1x1 %v", name, m.Bounds(), got, tc.want)
		}
	}
}

// --- fixture builders ---

func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 0x80, 0xff})
		}
	}
	return m
}

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encGIF(t testing.TB, g *gif.GIF) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG signature plus a well-formed IHDR (8-bit RGBA) claiming
// w x h, and nothing else: a bomb's header without the bomb.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := make([]byte, 0, 17)
	chunk = append(chunk, "IHDR"...)
	chunk = binary.BigEndian.AppendUint32(chunk, w)
	chunk = binary.BigEndian.AppendUint32(chunk, h)
	chunk = append(chunk, 8, 6, 0, 0, 0) // depth, RGBA, deflate, filter, no interlace
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// exifTIFF builds a little-endian TIFF structure with IFD0 holding Make
// (ASCII) and, if orientation > 0, Orientation.
func exifTIFF(make string, orientation uint16) []byte {
	str := append([]byte(make), 0)
	n := uint16(1)
	if orientation > 0 {
		n = 2
	}
	strOff := uint32(8 + 2 + 12*int(n) + 4)
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, n)
	b = le.AppendUint16(b, 0x010f) // Make
	b = le.AppendUint16(b, 2)      // ASCII
	b = le.AppendUint32(b, uint32(len(str)))
	b = le.AppendUint32(b, strOff)
	if orientation > 0 {
		b = le.AppendUint16(b, 0x0112) // Orientation
		b = le.AppendUint16(b, 3)      // SHORT
		b = le.AppendUint32(b, 1)
		b = le.AppendUint16(b, orientation)
		b = le.AppendUint16(b, 0)
	}
	b = le.AppendUint32(b, 0) // no next IFD
	return append(b, str...)
}

// withEXIF splices an APP1 "Exif" segment right after the JPEG's SOI, where
// cameras put it.
func withEXIF(jpg, tiff []byte) []byte {
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// jpegMarkers lists the marker bytes before the first SOS.
func jpegMarkers(b []byte) []byte {
	var ms []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xff; {
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xda {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return ms
}

// countingReader records how much Process pulled from the upload.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// --- tests ---

func TestProcess(t *testing.T) {
	avatar := Limits{MaxBytes: 5 << 20, MaxPixels: 40_000_000}

	photo := encJPEG(t, gradient(1200, 900))
	secretPhoto := withEXIF(photo, exifTIFF("SECRET-CAMERA", 1))
	if _, err := jpeg.Decode(bytes.NewReader(secretPhoto)); err != nil {
		t.Fatalf("EXIF fixture is not a valid JPEG: %v", err)
	}
	if !bytes.Contains(secretPhoto, []byte("SECRET-CAMERA")) {
		t.Fatal("EXIF fixture lacks the secret")
	}

	alpha := image.NewNRGBA(image.Rect(0, 0, 100, 50))
	for i := range alpha.Pix {
		alpha.Pix[i] = uint8(i)
	}
	alpha.SetNRGBA(0, 0, color.NRGBA{1, 2, 3, 0})
	alphaPNG := encPNG(t, alpha)

	pal := color.Palette{color.Transparent, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	frame := func(c uint8) *image.Paletted {
		m := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		for i := range m.Pix {
			m.Pix[i] = c
		}
		m.Pix[0] = 0
		return m
	}
	gifData := encGIF(t, &gif.GIF{Image: []*image.Paletted{frame(1)}, Delay: []int{0}})
	animated := encGIF(t, &gif.GIF{Image: []*image.Paletted{frame(1), frame(2)}, Delay: []int{10, 10}})

	// 6 MiB: a PNG header that looks fine, then random junk.
	huge := append(pngHeader(100, 100), make([]byte, 6<<20)...)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := len(pngHeader(100, 100)); i < len(huge); i++ {
		huge[i] = byte(rnd.Uint32())
	}

	svg := `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`

	// A VP8X canvas claiming 1x1 around a VP8L bitstream claiming 16384x16384:
	// the x/image decoder would allocate 1 GiB from the bitstream's size.
	bigVP8L := append([]byte{}, webpAlpha...)
	copy(bigVP8L[21:25], []byte{0xff, 0xff, 0xff, 0x0f}) // width-1 = height-1 = 16383
	lying := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	lying = append(lying, bigVP8L[12:]...)
	binary.LittleEndian.PutUint32(lying[4:], uint32(len(lying)-8))

	// 101 scans: the baseline photo's scan repeated before EOI.
	sos := bytes.Index(photo, []byte{0xff, 0xda})
	scan := photo[sos : len(photo)-2]
	manyScans := append([]byte{}, photo[:sos]...)
	for range maxJPEGScans + 1 {
		manyScans = append(manyScans, scan...)
	}
	manyScans = append(manyScans, 0xff, 0xd9)
	// image/jpeg skips stray bytes between segments; the count must too.
	hiddenScans := append([]byte{}, photo[:sos]...)
	for range maxJPEGScans + 1 {
		hiddenScans = append(hiddenScans, 'x')
		hiddenScans = append(hiddenScans, scan...)
	}
	hiddenScans = append(hiddenScans, 0xff, 0xd9)

	zeroGIF := []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00")

	tests := []struct {
		name       string
		data       []byte
		lim        Limits
		fitW, fitH int
		wantErr    error
		check      func(t *testing.T, res Result)
	}{
		{name: "text file x.png", data: []byte("hello, I am definitely a PNG\n"), lim: avatar, wantErr: ErrUnsupported},
		{name: "svg", data: []byte(svg), lim: avatar, wantErr: ErrUnsupported},
		{name: "pdf", data: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), lim: avatar, wantErr: ErrUnsupported},
		{name: "empty", data: nil, lim: avatar, wantErr: ErrUnsupported},
		{name: "png signature only", data: pngHeader(10, 10)[:8], lim: avatar, wantErr: ErrUnsupported},
		{name: "riff but not webp", data: []byte("RIFF\x04\x00\x00\x00AVI "), lim: avatar, wantErr: ErrUnsupported},
		{name: "6 MiB over a 5 MiB limit", data: huge, lim: avatar, wantErr: ErrTooLarge},
		{name: "exactly at the byte limit", data: alphaPNG, lim: Limits{MaxBytes: int64(len(alphaPNG))}},
		{name: "one byte over the byte limit", data: alphaPNG, lim: Limits{MaxBytes: int64(len(alphaPNG) - 1)}, wantErr: ErrTooLarge},
		{name: "png header 20000x20000", data: pngHeader(20000, 20000), lim: avatar, wantErr: ErrTooManyPixels},
		{name: "png header 30001x1", data: pngHeader(30001, 1), lim: avatar, wantErr: ErrTooManyPixels},
		{name: "gif with 0x0 screen", data: zeroGIF, lim: avatar, wantErr: ErrCorrupt},
		{name: "webp canvas lies about bitstream", data: lying, lim: avatar, wantErr: ErrCorrupt},
		{name: "webp bitstream 16384x16384", data: bigVP8L, lim: avatar, wantErr: ErrTooManyPixels},
		{name: "jpeg with too many scans", data: manyScans, lim: avatar, wantErr: ErrCorrupt},
		{name: "jpeg with scans behind stray bytes", data: hiddenScans, lim: avatar, wantErr: ErrCorrupt},
		{
			name: "jpeg 1200x900 with exif", data: secretPhoto, lim: avatar, fitW: 480, fitH: 480,
			check: func(t *testing.T, res Result) {
				want(t, res, "image/jpeg", ".jpg", 480, 360)
				if bytes.Contains(res.Data, []byte("SECRET-CAMERA")) || bytes.Contains(res.Data, []byte("Exif")) {
					t.Error("EXIF survived re-encoding")
				}
				if bytes.IndexByte(jpegMarkers(res.Data), 0xe1) >= 0 {
					t.Errorf("output has an APP1 segment: markers % x", jpegMarkers(res.Data))
				}
			},
		},
		{
			name: "jpeg without fit box keeps its size", data: photo, lim: avatar,
			check: func(t *testing.T, res Result) { want(t, res, "image/jpeg", ".jpg", 1200, 900) },
		},
		{
			name: "jpeg fit by width only", data: photo, lim: avatar, fitW: 300,
			check: func(t *testing.T, res Result) { want(t, res, "image/jpeg", ".jpg", 300, 225) },
		},
		{
			name: "png with alpha is not upscaled", data: alphaPNG, lim: avatar, fitW: 480, fitH: 480,
			check: func(t *testing.T, res Result) {
				want(t, res, "image/png", ".png", 100, 50)
				m, _ := png.Decode(bytes.NewReader(res.Data))
				if _, _, _, a := m.At(0, 0).RGBA(); a != 0 {
					t.Errorf("transparent pixel now has alpha %d", a)
				}
			},
		},
		{
			name: "png with alpha scaled down", data: alphaPNG, lim: avatar, fitW: 50, fitH: 50,
			check: func(t *testing.T, res Result) { want(t, res, "image/png", ".png", 50, 25) },
		},
		{
			name: "webp opaque", data: webpOpaque, lim: avatar, fitW: 480, fitH: 480,
			check: func(t *testing.T, res Result) { want(t, res, "image/jpeg", ".jpg", 1, 1) },
		},
		{
			name: "webp with alpha", data: webpAlpha, lim: avatar, fitW: 480, fitH: 480,
			check: func(t *testing.T, res Result) { want(t, res, "image/png", ".png", 1, 1) },
		},
		{
			name: "gif unscaled stays gif", data: gifData, lim: avatar, fitW: 480, fitH: 480,
			check: func(t *testing.T, res Result) { want(t, res, "image/gif", ".gif", 40, 30) },
		},
		{
			name: "gif scaled becomes png", data: gifData, lim: avatar, fitW: 20, fitH: 20,
			check: func(t *testing.T, res Result) { want(t, res, "image/png", ".png", 20, 15) },
		},
		{
			name: "animated gif keeps first frame", data: animated, lim: avatar,
			check: func(t *testing.T, res Result) {
				want(t, res, "image/gif", ".gif", 40, 30)
				g, _ := gif.DecodeAll(bytes.NewReader(res.Data))
				if len(g.Image) != 1 {
					t.Errorf("got %d frames, want 1", len(g.Image))
				}
				if r, _, b, _ := g.Image[0].At(5, 5).RGBA(); r != 0xffff || b != 0 {
					t.Errorf("kept the wrong frame: pixel %v", g.Image[0].At(5, 5))
				}
			},
		},
		{
			// Go's decoder does not tolerate a JPEG cut in half.
			name: "truncated jpeg", data: photo[:len(photo)/2], lim: avatar, fitW: 480, fitH: 480,
			wantErr: ErrCorrupt,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cr := &countingReader{r: bytes.NewReader(tc.data)}
			res, err := Process(cr, tc.lim, tc.fitW, tc.fitH)
			if max := tc.lim.MaxBytes + 1; tc.lim.MaxBytes > 0 && cr.n > max {
				t.Errorf("read %d bytes, limit allows %d", cr.n, max)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// want checks the Result's metadata and that Data really is that image.
func want(t *testing.T, res Result, ct, ext string, w, h int) {
	t.Helper()
	if res.ContentType != ct || res.Ext != ext || res.Width != w || res.Height != h {
		t.Errorf("got %s %s %dx%d, want %s %s %dx%d", res.ContentType, res.Ext, res.Width, res.Height, ct, ext, w, h)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(res.Data))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	if "image/"+format != ct || cfg.Width != w || cfg.Height != h {
		t.Errorf("output is %s %dx%d, Result says %s %dx%d", format, cfg.Width, cfg.Height, ct, w, h)
	}
}

func TestBombHeaderIsCheap(t *testing.T) {
	data := pngHeader(20000, 20000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Process(bytes.NewReader(data), Limits{MaxBytes: 5 << 20, MaxPixels: 40_000_000}, 0, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("err = %v, want ErrTooManyPixels", err)
	}
	// Decoding would need 1.6 GB; refusing from the header needs almost
	// nothing.
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes to refuse a header", n)
	}
}

func TestOrientation(t *testing.T) {
	// Source quadrants: red | green over blue | white. Each case lists the
	// colours expected in the displayed corners TL, TR, BL, BR.
	const W, H = 200, 100
	src := image.NewRGBA(image.Rect(0, 0, W, H))
	quad := map[string]color.RGBA{
		"R": {255, 0, 0, 255}, "G": {0, 255, 0, 255},
		"B": {0, 0, 255, 255}, "W": {255, 255, 255, 255},
	}
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			k := [2][2]string{{"R", "G"}, {"B", "W"}}[y*2/H][x*2/W]
			src.SetRGBA(x, y, quad[k])
		}
	}
	jpg := encJPEG(t, src)

	tests := []struct {
		orientation uint16
		corners     string
	}{
		{0, "RGBW"}, // no tag
		{1, "RGBW"},
		{2, "GRWB"},
		{3, "WBGR"},
		{4, "BWRG"},
		{5, "RBGW"},
		{6, "BRWG"},
		{7, "WGBR"},
		{8, "GWRB"},
		{9, "RGBW"}, // invalid: ignored
	}
	for _, tc := range tests {
		t.Run(string(rune('0'+tc.orientation)), func(t *testing.T) {
			data := withEXIF(jpg, exifTIFF("cam", tc.orientation))
			res, err := Process(bytes.NewReader(data), Limits{}, 100, 100)
			if err != nil {
				t.Fatal(err)
			}
			w, h := 100, 50
			if tc.orientation >= 5 && tc.orientation <= 8 {
				w, h = 50, 100
			}
			want(t, res, "image/jpeg", ".jpg", w, h)
			m, err := jpeg.Decode(bytes.NewReader(res.Data))
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, p := range []image.Point{{w / 5, h / 5}, {w * 4 / 5, h / 5}, {w / 5, h * 4 / 5}, {w * 4 / 5, h * 4 / 5}} {
				got.WriteString(nearest(m.At(p.X, p.Y), quad))
			}
			if got.String() != tc.corners {
				t.Errorf("corners %s, want %s", got.String(), tc.corners)
			}
		})
	}
}

func nearest(c color.Color, quad map[string]color.RGBA) string {
	r, g, b, _ := c.RGBA()
	best, bestD := "", int64(-1)
	for k, q := range quad {
		dr, dg, db := int64(r>>8)-int64(q.R), int64(g>>8)-int64(q.G), int64(b>>8)-int64(q.B)
		if d := dr*dr + dg*dg + db*db; bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func TestExifOrientationMalformed(t *testing.T) {
	valid := exifTIFF("x", 6)
	tests := map[string][]byte{
		"empty":            nil,
		"bad byte order":   append([]byte("XX"), valid[2:]...),
		"bad magic":        append([]byte("II\x2b\x00"), valid[4:]...),
		"ifd offset huge":  append([]byte("II*\x00\xff\xff\xff\xff"), valid[8:]...),
		"count past end":   append([]byte("II*\x00\x08\x00\x00\x00\xff\xff"), valid[10:22]...),
		"truncated entry":  valid[:20],
		"orientation long": bytes.Replace(valid, []byte{0x12, 0x01, 3, 0}, []byte{0x12, 0x01, 4, 0}, 1),
	}
	for name, b := range tests {
		if got := exifOrientation(b); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
	if got := exifOrientation(valid); got != 6 {
		t.Errorf("valid: orientation %d, want 6", got)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		is   error
		text string
	}{
		{&TooLargeError{Limit: 5 << 20}, ErrTooLarge, "The file is larger than 5 MiB."},
		{&TooLargeError{Limit: 1536 << 10}, ErrTooLarge, "The file is larger than 1.5 MiB."},
		{&TooLargeError{Limit: 5_000_000}, ErrTooLarge, "The file is larger than 4.7 MiB."},
		{&TooLargeError{Limit: 512 << 10}, ErrTooLarge, "The file is larger than 512 KiB."},
		{&TooManyPixelsError{Limit: 40_000_000, Width: 20000, Height: 20000}, ErrTooManyPixels, "The image is too large: at most 40 megapixels."},
		{&TooManyPixelsError{Limit: 12_500_000, Width: 5000, Height: 5000}, ErrTooManyPixels, "The image is too large: at most 12.5 megapixels."},
		{&TooManyPixelsError{Limit: 40_000_000, Width: 30001, Height: 1}, ErrTooManyPixels, "The image is too large: at most 30000 pixels wide or high."},
		{ErrUnsupported, ErrUnsupported, "This file is not a JPEG, PNG, GIF or WebP image."},
		{corrupt(io.ErrUnexpectedEOF), ErrCorrupt, "The image could not be read; it may be damaged."},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.is) {
			t.Errorf("%v does not match %v", tc.err, tc.is)
		}
		if tc.err.Error() != tc.text {
			t.Errorf("got %q, want %q", tc.err.Error(), tc.text)
		}
	}
	// The decoder's cause stays available for logs.
	if !errors.Is(corrupt(io.ErrUnexpectedEOF), io.ErrUnexpectedEOF) {
		t.Error("cause lost")
	}

	// Through Process, the limit in force is what the user is told.
	_, err := Process(bytes.NewReader(make([]byte, 2<<20)), Limits{MaxBytes: 1 << 20}, 0, 0)
	if err == nil || err.Error() != "The file is larger than 1 MiB." {
		t.Errorf("got %v", err)
	}
}

func TestFitSize(t *testing.T) {
	tests := []struct{ w, h, maxW, maxH, wantW, wantH int }{
		{1200, 900, 480, 480, 480, 360},
		{900, 1200, 480, 480, 360, 480},
		{100, 50, 480, 480, 100, 50},
		{1000, 10, 100, 100, 100, 1},
		{10000, 1, 100, 100, 100, 1}, // never rounds to zero
		{1200, 900, 0, 0, 1200, 900},
		{1200, 900, 0, 300, 400, 300},
		{1200, 900, -1, 300, 400, 300},
		{30000, 30000, 1, 1, 1, 1},
	}
	for _, tc := range tests {
		if w, h := fitSize(tc.w, tc.h, tc.maxW, tc.maxH); w != tc.wantW || h != tc.wantH {
			t.Errorf("fitSize(%d, %d, %d, %d) = %dx%d, want %dx%d", tc.w, tc.h, tc.maxW, tc.maxH, w, h, tc.wantW, tc.wantH)
		}
	}
}

func TestShrinkAveragesAreas(t *testing.T) {
	// 4x2 to 2x1: whole 2x2 blocks. A transparent pixel counts as such:
	// RGBA is premultiplied, so plain averaging is right.
	src := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	src.SetRGBA(0, 0, color.RGBA{})
	got, err := shrink(context.Background(), src, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.RGBAAt(0, 0); c != (color.RGBA{150, 150, 150, 150}) {
		t.Errorf("first block %v, want premultiplied average 150", c)
	}
	if c := got.RGBAAt(1, 0); c != (color.RGBA{200, 200, 200, 200}) {
		t.Errorf("second block %v, want 200", c)
	}

	// 3x1 gray to 2x1: each output pixel covers one and a half source
	// pixels: (0 + 90/2) / 1.5 = 30 and (90/2 + 180) / 1.5 = 150. The
	// source is not at the origin, and not RGBA: rows are converted as read.
	g := image.NewGray(image.Rect(5, 7, 8, 8))
	g.Pix[0], g.Pix[1], g.Pix[2] = 0, 90, 180
	got, err = shrink(context.Background(), g, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := got.RGBAAt(0, 0), got.RGBAAt(1, 0); a != (color.RGBA{30, 30, 30, 255}) || b != (color.RGBA{150, 150, 150, 255}) {
		t.Errorf("fractional areas: %v %v, want gray 30 and 150", a, b)
	}
}

func FuzzProcess(f *testing.F) {
	small := gradient(12, 9)
	jpg := encJPEG(f, small)
	f.Add(jpg)
	f.Add(withEXIF(jpg, exifTIFF("SECRET-CAMERA", 6)))
	f.Add(encPNG(f, small))
	pal := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White, color.Transparent})
	f.Add(encGIF(f, &gif.GIF{Image: []*image.Paletted{pal}, Delay: []int{0}}))
	f.Add(webpOpaque)
	f.Add(webpAlpha)
	f.Add(pngHeader(20000, 20000))

	const fitW, fitH = 8, 6
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Process(bytes.NewReader(data), Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}, fitW, fitH)
		if err != nil {
			for _, e := range []error{ErrTooLarge, ErrUnsupported, ErrTooManyPixels, ErrCorrupt} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("error outside the user-facing set: %v", err)
		}
		if res.Width < 1 || res.Height < 1 || res.Width > fitW || res.Height > fitH {
			t.Fatalf("result %dx%d does not fit %dx%d", res.Width, res.Height, fitW, fitH)
		}
		var m image.Image
		switch res.ContentType {
		case "image/jpeg":
			m, err = jpeg.Decode(bytes.NewReader(res.Data))
		case "image/png":
			m, err = png.Decode(bytes.NewReader(res.Data))
		case "image/gif":
			m, err = gif.Decode(bytes.NewReader(res.Data))
		default:
			t.Fatalf("unexpected content type %q", res.ContentType)
		}
		if err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		if b := m.Bounds(); b.Dx() != res.Width || b.Dy() != res.Height {
			t.Fatalf("output is %v, Result says %dx%d", b, res.Width, res.Height)
		}
	})
}
