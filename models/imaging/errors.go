package imaging

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors the web layer maps to user messages. Their text is already
// a user-facing sentence; Process usually returns a more specific error that
// matches one of them with errors.Is and whose text names the limit.
var (
	// ErrTooLarge: the upload is bigger than Limits.MaxBytes.
	// Process returns it as a *TooLargeError.
	ErrTooLarge = errors.New("The file is too large.")

	// ErrUnsupported: the content is not a JPEG, PNG, GIF or WebP image
	// (text, SVG, PDF, an empty file, or a header too broken to recognise).
	ErrUnsupported = errors.New("This file is not a JPEG, PNG, GIF or WebP image.")

	// ErrTooManyPixels: the header declares more pixels than
	// Limits.MaxPixels, or a side longer than MaxSide.
	// Process returns it as a *TooManyPixelsError.
	ErrTooManyPixels = errors.New("The image is too large.")

	// ErrCorrupt: the header was recognised but the image itself could not
	// be decoded.
	ErrCorrupt = errors.New("The image could not be read; it may be damaged.")
)

// MaxSide is the longest width or height accepted, whatever MaxPixels
// allows: a thin strip within the pixel budget would still make the
// decoders' and scaler's per-row and per-column buffers huge.
const MaxSide = 30000

// TooLargeError reports an upload over Limits.MaxBytes. It matches
// ErrTooLarge with errors.Is.
type TooLargeError struct {
	Limit int64 // the MaxBytes that was exceeded
}

func (e *TooLargeError) Error() string {
	return "The file is larger than " + formatBytes(e.Limit) + "."
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// TooManyPixelsError reports an image whose header declares too many pixels,
// or a side longer than MaxSide. It matches ErrTooManyPixels with errors.Is.
type TooManyPixelsError struct {
	Limit         int64 // the MaxPixels in force
	Width, Height int   // as declared by the file's header
}

func (e *TooManyPixelsError) Error() string {
	if e.Width > MaxSide || e.Height > MaxSide {
		return "The image is too large: at most " + strconv.Itoa(MaxSide) + " pixels wide or high."
	}
	return "The image is too large: at most " + formatPixels(e.Limit) + "."
}

// Is makes errors.Is(err, ErrTooManyPixels) true.
func (e *TooManyPixelsError) Is(target error) bool { return target == ErrTooManyPixels }

// userError pairs a sentinel with the decoder's own error: Error shows only
// the user-facing sentence, while the cause stays reachable through
// errors.Unwrap/As for logs.
type userError struct {
	kind  error
	cause error
}

func (e *userError) Error() string   { return e.kind.Error() }
func (e *userError) Unwrap() []error { return []error{e.kind, e.cause} }

func unsupported(cause error) error { return wrap(ErrUnsupported, cause) }
func corrupt(cause error) error     { return wrap(ErrCorrupt, cause) }

func wrap(kind, cause error) error {
	if cause == nil {
		return kind
	}
	return &userError{kind: kind, cause: cause}
}

// formatBytes renders a byte limit in the largest sensible binary unit,
// rounded down to one decimal so that "larger than X" is always true.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return floorTenths(n, 1<<20) + " MiB"
	case n >= 1<<10:
		return floorTenths(n, 1<<10) + " KiB"
	case n == 1:
		return "1 byte"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

// formatPixels renders a pixel budget, rounded down so "at most X" holds.
func formatPixels(n int64) string {
	switch {
	case n >= 100_000:
		s := floorTenths(n, 1_000_000)
		if s == "1" {
			return "1 megapixel"
		}
		return s + " megapixels"
	case n == 1:
		return "1 pixel"
	default:
		return strconv.FormatInt(n, 10) + " pixels"
	}
}

// floorTenths returns n/unit rounded down to one decimal, without a
// trailing ".0". It avoids n*10 so huge limits cannot overflow.
func floorTenths(n, unit int64) string {
	whole, tenth := n/unit, (n%unit)*10/unit
	if tenth == 0 {
		return strconv.FormatInt(whole, 10)
	}
	return fmt.Sprintf("%d.%d", whole, tenth)
}
