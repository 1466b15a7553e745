// Package imaging turns untrusted image uploads (avatars, post images) into
// images that are safe to store and serve.
//
// Every upload is treated as hostile: the format is decided by the file's
// content, never its name or declared type; the size, the declared
// dimensions and the memory decoding them takes are checked before any pixel
// is decoded, so decompression bombs are refused cheaply, and a Pipeline
// bounds the memory of all decodes at once and stops them when their request
// ends; and the image is always re-encoded from its pixels, so
// no metadata (EXIF GPS positions, camera serials, comments, embedded
// payloads) survives into what Quire serves.
//
// Errors meant for the uploader match ErrTooLarge, ErrUnsupported,
// ErrTooManyPixels or ErrCorrupt with errors.Is, and their Error text is a
// sentence that can be shown to the user as is. ErrBusy's text is one too,
// for a 503 that asks the uploader to come back. Any other error (for example
// the client hanging up mid-upload) is a transport or server problem.
package imaging
