package models

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"

	"quire/models/imaging"
)

// ImageKind is what one kind of uploaded image may be and becomes.
type ImageKind struct {
	Limits   imaging.Limits
	Box      int   // the longest side stored, in pixels
	Variants []int // widths of the smaller copies kept for srcset
	Library  bool  // recorded as a row of the media library (post images); avatars are files only
}

// The kinds of image people upload.
var (
	// PostImage: at most 10 MiB and 40 megapixels in; stored at most 2400
	// pixels on a side, plus smaller copies for srcset.
	PostImage = ImageKind{Limits: imaging.Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}, Box: 2400,
		Variants: []int{480, 960}, Library: true}
	// Avatar: at most 5 MiB and 40 megapixels in; 480x480 at most out.
	Avatar = ImageKind{Limits: imaging.Limits{MaxBytes: 5 << 20, MaxPixels: 40_000_000}, Box: 480}

	// The site's own images (settings), each at most 3 MiB and 40 megapixels
	// in, and in the media library so the janitor keeps their files.
	siteImage   = imaging.Limits{MaxBytes: 3 << 20, MaxPixels: 40_000_000}
	Logo        = ImageKind{Limits: siteImage, Box: 800, Library: true}
	Favicon     = ImageKind{Limits: siteImage, Box: 512, Variants: FaviconSizes, Library: true}
	SocialImage = ImageKind{Limits: siteImage, Box: 1200, Library: true}
)

// Uploads turns untrusted images into stored ones: decoded and re-encoded
// within the pipeline's memory budget, written under their content hash
// with their variants, and recorded. It is the one way in for every image.
type Uploads struct {
	Rows   *MediaModel
	Files  MediaStore
	Images *imaging.Pipeline // nil: imaging.Default
	Logger *slog.Logger      // for files that could not be removed after a failure
}

// IsImageProblem reports whether err describes the uploaded file (too
// large, not an image, damaged): its message is for the person who sent it.
// imaging.ErrBusy is not one: the site had no room, and the upload may be
// tried again.
func IsImageProblem(err error) bool {
	return errors.Is(err, imaging.ErrTooLarge) || errors.Is(err, imaging.ErrUnsupported) ||
		errors.Is(err, imaging.ErrTooManyPixels) || errors.Is(err, imaging.ErrCorrupt)
}

// Store processes the image in r as kind and stores it for owner, with alt
// as its description. A library image comes back as its recorded row; any
// other as a Media with only the file's fields. When recording fails, the
// files this call wrote are removed again, so a failure leaves no orphans
// (content that was already stored may be used elsewhere and stays).
func (u *Uploads) Store(ctx context.Context, r io.Reader, owner int64, alt string, kind ImageKind) (Media, error) {
	images := u.Images
	if images == nil {
		images = imaging.Default
	}
	res, err := images.Process(ctx, r, kind.Limits, kind.Box, kind.Box, kind.Variants...)
	if err != nil {
		return Media{}, err
	}
	md := Media{
		OwnerID: sql.NullInt64{Int64: owner, Valid: owner != 0}, Key: ContentKey(res.Data, res.Ext),
		Width: res.Width, Height: res.Height, Bytes: len(res.Data), ContentType: res.ContentType, Alt: alt,
	}
	files := map[string][]byte{md.Key: res.Data}
	for _, v := range res.Variants {
		files[md.VariantKey(int64(v.Width))] = v.Data
		md.Variants = append(md.Variants, int64(v.Width))
	}
	var written []string
	for key, data := range files {
		// Content already stored is written again all the same: that marks it
		// young, and the janitor removes unreferenced files only when old.
		existed := false
		if f, err := u.Files.Open(ctx, key); err == nil {
			_ = f.Close()
			existed = true
		}
		if err := u.Files.Put(ctx, key, data); err != nil {
			u.remove(written)
			return Media{}, err
		}
		if !existed {
			written = append(written, key)
		}
	}
	if !kind.Library {
		return md, nil
	}
	saved, err := u.Rows.Insert(ctx, md)
	if err != nil {
		u.remove(written)
		return Media{}, err
	}
	return saved, nil
}

// remove deletes files written for an image that was not recorded. It runs
// on its own context: the request's may be what ended.
func (u *Uploads) remove(keys []string) {
	for _, k := range keys {
		if err := u.Files.Delete(context.Background(), k); err != nil && u.Logger != nil {
			u.Logger.Error("remove orphan media", "key", k, "err", err)
		}
	}
}
