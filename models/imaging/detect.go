package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/riff"
	"golang.org/x/image/vp8"
	"golang.org/x/image/vp8l"
	"golang.org/x/image/webp"
)

type format int

const (
	formatJPEG format = iota + 1
	formatPNG
	formatGIF
	formatWebP
)

// sniff identifies the format from magic bytes only. It deliberately does not
// use image.Decode's global registry: any package in the binary can register
// more formats (BMP, TIFF...) there, and uploads must not gain them silently.
func sniff(b []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return formatJPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return formatGIF, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return formatWebP, true
	}
	return 0, false
}

// header is what is learnt about an upload before decoding it.
type header struct {
	width, height int
	orientation   int   // EXIF orientation 1..8; 1 when absent or not JPEG
	decodeBytes   int64 // what the decoder allocates for it; see decodeCost
}

// readHeader reads the dimensions the decoder will allocate for. A header
// that cannot be parsed means the upload is not really an image we accept.
func readHeader(f format, data []byte) (header, error) {
	h := header{orientation: 1}
	var cfg image.Config
	var err error
	switch f {
	case formatJPEG:
		if cfg, err = jpeg.DecodeConfig(bytes.NewReader(data)); err != nil {
			return h, unsupported(err)
		}
		info := scanJPEG(data)
		if info.scans > maxJPEGScans {
			// Each progressive scan revisits every block of the image, so
			// a few MiB of near-empty scans cost far more CPU than their
			// size suggests.
			return h, corrupt(fmt.Errorf("jpeg has %d scans", info.scans))
		}
		h.orientation = info.orientation
		h.width, h.height = cfg.Width, cfg.Height
		h.decodeBytes = jpegCost(cfg, info)
		return h, nil
	case formatPNG:
		if cfg, err = png.DecodeConfig(bytes.NewReader(data)); err != nil {
			return h, unsupported(err)
		}
		h.width, h.height = cfg.Width, cfg.Height
		// DecodeConfig read the IHDR, so its interlace byte is there.
		h.decodeBytes = pngCost(cfg, data[28] == 1)
		return h, nil
	case formatGIF:
		cfg, err = gif.DecodeConfig(bytes.NewReader(data))
	case formatWebP:
		return webpHeader(data)
	}
	if err != nil {
		return h, unsupported(err)
	}
	h.width, h.height = cfg.Width, cfg.Height
	h.decodeBytes = pixels(cfg.Width, cfg.Height) // GIF: one palette index a pixel
	return h, nil
}

// webpHeader walks the RIFF chunks itself instead of calling
// webp.DecodeConfig: for extended (VP8X) files that reports the canvas size,
// but the decoder allocates from the VP8/VP8L bitstream's own size, which the
// x/image decoder never compares. A file claiming a 1x1 canvas could
// otherwise carry a 16383x16383 bitstream past the pixel limit.
func webpHeader(data []byte) (header, error) {
	h := header{orientation: 1}
	form, rr, err := riff.NewReader(bytes.NewReader(data))
	if err != nil {
		return h, unsupported(err)
	}
	if form != (riff.FourCC{'W', 'E', 'B', 'P'}) {
		return h, ErrUnsupported
	}
	canvasW, canvasH := 0, 0
	alpha := false
	for {
		id, n, chunk, err := rr.Next()
		if err != nil {
			return h, unsupported(err)
		}
		var w, hh int
		switch string(id[:]) {
		case "VP8X":
			var b [10]byte
			if n != uint32(len(b)) {
				return h, unsupported(errors.New("bad VP8X chunk length"))
			}
			if _, err := io.ReadFull(chunk, b[:]); err != nil {
				return h, unsupported(err)
			}
			canvasW = 1 + (int(b[4]) | int(b[5])<<8 | int(b[6])<<16)
			canvasH = 1 + (int(b[7]) | int(b[8])<<8 | int(b[9])<<16)
			continue
		case "VP8 ":
			d := vp8.NewDecoder()
			d.Init(chunk, int(n))
			fh, err := d.DecodeFrameHeader()
			if err != nil {
				return h, unsupported(err)
			}
			w, hh = fh.Width, fh.Height
			h.decodeBytes = webpLossyCost(w, hh, alpha)
		case "VP8L":
			cfg, err := vp8l.DecodeConfig(chunk)
			if err != nil {
				return h, unsupported(err)
			}
			w, hh = cfg.Width, cfg.Height
			h.decodeBytes = webpLosslessCost(w, hh)
		case "ALPH":
			alpha = true // comes before the VP8 chunk it belongs to
			continue
		default:
			// ICCP, EXIF, XMP and unknown chunks: the decoder skips or
			// sizes them from the canvas, which is checked below.
			continue
		}
		if canvasW != 0 && (canvasW != w || canvasH != hh) {
			return h, corrupt(fmt.Errorf("webp canvas %dx%d, bitstream %dx%d", canvasW, canvasH, w, hh))
		}
		h.width, h.height = w, hh
		return h, nil
	}
}

// decode decodes with the format's own decoder (again bypassing the global
// registry). GIF yields only its first frame.
func decode(f format, r io.Reader) (image.Image, error) {
	switch f {
	case formatJPEG:
		return jpeg.Decode(r)
	case formatPNG:
		return png.Decode(r)
	case formatGIF:
		return gif.Decode(r)
	case formatWebP:
		return webp.Decode(r)
	}
	return nil, ErrUnsupported
}
