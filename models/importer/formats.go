package importer

import (
	"context"
	"io"

	"github.com/jmoiron/sqlx"
)

// Format is one kind of export file an import reads.
type Format struct {
	Name  string // as the command line and the admin form name it
	Label string // "WordPress"
	// File says what the file is and where the old site makes it.
	File string
	Read func(ctx context.Context, db *sqlx.DB, r io.ReadSeeker, name string, opt Options) (Summary, error)
}

// Formats are the export files Quire imports, by name.
var Formats = []Format{
	{"wordpress", "WordPress", "a WordPress export (Tools → Export → All content, a WXR file)", ImportWordPress},
	{"ghost", "Ghost", "a Ghost export (Settings → Labs → Export, a JSON file)", ImportGhost},
}

// FormatNamed returns the format called name.
func FormatNamed(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}
