package format

import (
	"math"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/dustin/go-humanize/english"
)

// Sizes and counts do not depend on the time zone: they are functions, so
// views can call them without being handed a Formatter.

// Count is n followed by a noun in the right number, the plural by English
// rules: "1 day", "3 minutes", "1,200 posts", "2 processes".
func Count(n int, noun string) string { return english.Plural(n, noun, "") }

// Minutes is a wait rounded up to whole minutes: "1 minute", "15 minutes".
func Minutes(d time.Duration) string { return Count(int(math.Ceil(d.Minutes())), "minute") }

// Number is n with thousands separated: "1,234,567".
func Number(n int) string { return humanize.Comma(int64(n)) }

// Bytes is a size in binary units, as Quire states its limits ("at most
// 10 MiB"): "512 B", "1.5 KiB", "12 MiB".
func Bytes(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }
