// Package migrations holds Quire's database schema as goose migrations,
// embedded so the binary can migrate any database it is pointed at.
package migrations

import "embed"

// FS holds the numbered migration files (NNNNN_name.sql).
//
//go:embed 0*.sql
var FS embed.FS
