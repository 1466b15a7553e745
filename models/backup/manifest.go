// Package backup writes a whole Quire site into one archive and puts it back:
// a pg_dump taken in one snapshot together with exactly the media files that
// snapshot refers to, each member's SHA-256 in a manifest.
//
// The archive is a zstd-compressed tar: media/<key> members first, then the
// dump in chunks (database.dump.000, .001, …, so it streams without a
// temporary file), then manifest.json, which lists every member before it.
package backup

import (
	"errors"
	"fmt"
	"time"
)

// Format names the archive layout; FormatVersion changes when the layout
// does, so an older Quire refuses what it cannot read.
const (
	Format        = "quire-backup"
	FormatVersion = 1
)

// Member names in the archive.
const (
	manifestName = "manifest.json"
	mediaPrefix  = "media/"
	dumpPrefix   = "database.dump."
)

// Manifest describes an archive: what made it, the schema it holds, counts to
// check a restore against, and every member's checksum.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	QuireVersion  string    `json:"quire_version"`
	SchemaVersion int64     `json:"schema_version"` // goose's newest applied migration
	PostgreSQL    string    `json:"postgresql"`     // the server's version
	CreatedAt     time.Time `json:"created_at"`
	Counts        Counts    `json:"counts"`
	Members       []Member  `json:"members"`
	// MissingMedia are files the database refers to that the media folder
	// did not have (or had damaged): the site was already missing them.
	MissingMedia []string `json:"missing_media,omitempty"`
}

// Counts are the site's size at the snapshot.
type Counts struct {
	Posts      int64 `json:"posts"`
	Users      int64 `json:"users"`
	Media      int64 `json:"media"`       // rows of the media library
	MediaFiles int64 `json:"media_files"` // files in the archive, srcset copies and avatars included
}

// Member is one file of the archive.
type Member struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Errors a restore reports about the archive itself, before touching
// anything.
var (
	ErrNotBackup = errors.New("not a Quire backup")
	ErrTruncated = errors.New("the archive is cut short")
	ErrDamaged   = errors.New("the archive is damaged")
	ErrNewer     = errors.New("the backup comes from a newer Quire")
)

// check refuses a manifest this build cannot restore.
func (m Manifest) check(schema int64) error {
	if m.Format != Format {
		return fmt.Errorf("%w: its manifest names the format %q", ErrNotBackup, m.Format)
	}
	if m.FormatVersion > FormatVersion {
		return fmt.Errorf("%w: its archive format is version %d and this Quire reads up to %d; restore it with the Quire that made it (%s) or a newer one",
			ErrNewer, m.FormatVersion, FormatVersion, m.QuireVersion)
	}
	if m.SchemaVersion > schema {
		return fmt.Errorf("%w: its database schema is version %d and this Quire knows up to %d; restore it with the Quire that made it (%s) or a newer one",
			ErrNewer, m.SchemaVersion, schema, m.QuireVersion)
	}
	return nil
}
