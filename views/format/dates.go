// Package format writes what Quire shows people: dates and times in the
// site's time zone, byte sizes and counts. It keeps no state: each app
// carries its own Formatter, so apps in different zones run side by side.
// Protocol dates (HTTP headers, feeds, sitemaps, tag: URIs) are not here:
// they are always UTC and live beside the protocol that needs them.
package format

import "time"

// The layouts of dates people read (Go's reference time is
// Mon Jan 2 15:04:05 2006).
const (
	dateLayout      = "2 January 2006"
	shortDateLayout = "2 Jan 2006"
	dateTimeLayout  = "2 Jan 2006 15:04"
	dayTimeLayout   = "2 Jan 15:04"
	clockLayout     = "15:04:05"
	monthLayout     = "January 2006"
)

// Formatter writes times in one time zone.
type Formatter struct {
	Zone *time.Location // nil: UTC
}

func (f Formatter) in(t time.Time) time.Time {
	if f.Zone == nil {
		return t.UTC()
	}
	return t.In(f.Zone)
}

// Date is a day as readers see it: "2 January 2006" (a post's date).
func (f Formatter) Date(t time.Time) string { return f.in(t).Format(dateLayout) }

// ShortDate is a day in a list: "2 Jan 2006" (the admin dashboard).
func (f Formatter) ShortDate(t time.Time) string { return f.in(t).Format(shortDateLayout) }

// DateTime is a moment in a table: "2 Jan 2006 15:04" (drafts, revisions,
// admin tables).
func (f Formatter) DateTime(t time.Time) string { return f.in(t).Format(dateTimeLayout) }

// DayTime is a recent moment, its year understood: "2 Jan 15:04" (the
// dashboard's latest actions).
func (f Formatter) DayTime(t time.Time) string { return f.in(t).Format(dayTimeLayout) }

// Clock is a time of today to the second: "15:04:05" (the autosave note).
func (f Formatter) Clock(t time.Time) string { return f.in(t).Format(clockLayout) }

// Month is a month and year: "January 2006" (when an author joined).
func (f Formatter) Month(t time.Time) string { return f.in(t).Format(monthLayout) }

// Machine is t in RFC 3339 for <time datetime>, with the zone's offset
// ("2006-01-02T15:04:05+13:00"; UTC's is written "Z"), so the instant is
// exact whatever the zone.
func (f Formatter) Machine(t time.Time) string { return f.in(t).Format(time.RFC3339) }
