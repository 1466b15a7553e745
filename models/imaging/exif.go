package imaging

import (
	"bytes"
	"encoding/binary"
)

// maxJPEGScans caps progressive scans. Real encoders emit about 10 (mozjpeg
// rarely more than 20); the cap only stops files built to burn CPU.
const maxJPEGScans = 100

// jpegInfo is what Process needs from a JPEG's marker structure.
type jpegInfo struct {
	orientation int // EXIF orientation 1..8, 1 if absent or invalid
	scans       int // number of SOS markers
	// From the first frame header (SOF0-2, the kinds image/jpeg decodes):
	progressive bool
	comps       []sampling // one per component
}

// sampling is a component's horizontal and vertical sampling factors.
type sampling struct{ h, v int }

// scanJPEG walks the JPEG marker segments to read the EXIF orientation and
// count scans. It never fails: anything malformed just ends the walk, and the
// real decoder reports the damage later. Stray bytes between segments are
// skipped exactly as image/jpeg skips them, so a file cannot hide scans from
// this count that the decoder would still process.
func scanJPEG(b []byte) jpegInfo {
	info := jpegInfo{orientation: 1}
	exifSeen := false
	i := 2 // after SOI
	for i+1 < len(b) {
		m := b[i+1]
		switch {
		case b[i] != 0xff: // extraneous byte
			i++
			continue
		case m == 0xff: // fill byte before a marker
			i++
			continue
		case m == 0x00: // "\xff\x00" outside a scan: extraneous too
			i += 2
			continue
		}
		i += 2
		switch {
		case m == 0xd9: // EOI
			return info
		case m >= 0xd0 && m <= 0xd7: // RSTn: no length
			continue
		}
		if i+2 > len(b) {
			return info
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return info
		}
		seg := b[i+2 : i+n]
		i += n
		switch m {
		case 0xe1: // APP1: only the first EXIF block counts, as for viewers
			if !exifSeen && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				exifSeen = true
				info.orientation = exifOrientation(seg[6:])
			}
		case 0xc0, 0xc1, 0xc2: // SOF: baseline, extended, progressive
			if info.comps == nil {
				info.progressive = m == 0xc2
				info.comps = frameSampling(seg)
			}
		case 0xda: // SOS: skip the entropy-coded data that follows
			info.scans++
			if info.scans > maxJPEGScans {
				return info
			}
			i = skipEntropyData(b, i)
		}
	}
	return info
}

// frameSampling reads the components' sampling factors from a SOF segment
// (precision, height, width, count, then 3 bytes a component). Factors are
// 1..4 as image/jpeg requires; a bad segment yields an empty slice, which
// jpegCost treats as the worst case.
func frameSampling(seg []byte) []sampling {
	if len(seg) < 6 {
		return []sampling{}
	}
	n := int(seg[5])
	if n < 1 || n > 4 || len(seg) < 6+3*n {
		return []sampling{}
	}
	comps := make([]sampling, n)
	for i := range comps {
		hv := seg[6+3*i+1]
		comps[i] = sampling{h: int(hv >> 4), v: int(hv & 0x0f)}
		if comps[i].h < 1 || comps[i].h > 4 || comps[i].v < 1 || comps[i].v > 4 {
			return []sampling{}
		}
	}
	return comps
}

// skipEntropyData returns the index of the next marker after entropy-coded
// data starting at i. Inside it, 0xFF is followed by 0x00 (a stuffed byte) or
// a restart marker; anything else ends the scan.
func skipEntropyData(b []byte, i int) int {
	for ; i+1 < len(b); i++ {
		if b[i] == 0xff {
			if m := b[i+1]; m != 0x00 && (m < 0xd0 || m > 0xd7) {
				return i
			}
		}
	}
	return len(b)
}

// exifOrientation reads only the Orientation tag (0x0112) of IFD0 from a
// TIFF structure, with every offset bounds-checked. Everything else in EXIF
// is ignored: it is dropped from the output anyway.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(tiff[4:]))
	if off+2 > uint64(len(tiff)) {
		return 1
	}
	count := uint64(bo.Uint16(tiff[off:]))
	entries := tiff[off+2:]
	for k := uint64(0); k < count && (k+1)*12 <= uint64(len(entries)); k++ {
		e := entries[k*12 : (k+1)*12]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		// SHORT, count 1: the value sits in the first two bytes of the
		// value field.
		if bo.Uint16(e[2:]) != 3 || bo.Uint32(e[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
