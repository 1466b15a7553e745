package format_test

import (
	"testing"
	"time"

	"quire/views/format"
)

func TestFormatterZones(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	// Half past eleven at night in UTC is the next morning in Auckland
	// (NZDT, UTC+13): the day, the month and the year all turn.
	at := time.Date(2025, 12, 31, 23, 30, 5, 0, time.UTC)
	local := at.In(time.FixedZone("elsewhere", -5*3600)) // the zone a time arrives in does not matter
	utc, nz := format.Formatter{}, format.Formatter{Zone: auckland}
	for _, tc := range []struct {
		name    string
		fn      func(format.Formatter, time.Time) string
		utc, nz string
	}{
		{"Date", format.Formatter.Date, "31 December 2025", "1 January 2026"},
		{"ShortDate", format.Formatter.ShortDate, "31 Dec 2025", "1 Jan 2026"},
		{"DateTime", format.Formatter.DateTime, "31 Dec 2025 23:30", "1 Jan 2026 12:30"},
		{"DayTime", format.Formatter.DayTime, "31 Dec 23:30", "1 Jan 12:30"},
		{"Clock", format.Formatter.Clock, "23:30:05", "12:30:05"},
		{"Month", format.Formatter.Month, "December 2025", "January 2026"},
		{"Machine", format.Formatter.Machine, "2025-12-31T23:30:05Z", "2026-01-01T12:30:05+13:00"},
	} {
		if got := tc.fn(utc, local); got != tc.utc {
			t.Errorf("%s in UTC: %q, want %q", tc.name, got, tc.utc)
		}
		if got := tc.fn(nz, local); got != tc.nz {
			t.Errorf("%s in Auckland: %q, want %q", tc.name, got, tc.nz)
		}
	}
	// The machine form names the same instant in any zone.
	back, err := time.Parse(time.RFC3339, nz.Machine(at))
	if err != nil || !back.Equal(at) {
		t.Errorf("Machine in Auckland parses back as %v (%v), want %v", back, err, at)
	}
}

func TestCounts(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{format.Count(1, "day"), "1 day"},
		{format.Count(0, "minute"), "0 minutes"},
		{format.Count(3, "minute"), "3 minutes"},
		{format.Count(2, "process"), "2 processes"},
		{format.Count(1200, "post"), "1,200 posts"},
		{format.Count(4, "more day"), "4 more days"},
		{format.Minutes(30 * time.Second), "1 minute"},
		{format.Minutes(14*time.Minute + time.Second), "15 minutes"},
		{format.Number(0), "0"},
		{format.Number(1234567), "1,234,567"},
		{format.Number(-1234), "-1,234"},
		{format.Bytes(-1), "0 B"},
		{format.Bytes(512), "512 B"},
		{format.Bytes(1536), "1.5 KiB"},
		{format.Bytes(150 << 10), "150 KiB"},
		{format.Bytes(12 << 20), "12 MiB"},
		{format.Bytes(1<<20 + 100<<10), "1.1 MiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
