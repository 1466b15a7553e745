package models

import (
	"sync"
	"testing"
)

func TestCleanNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, name, bio string }{
		{"\u202Enimda", "nimda", "nimda"},                                            // right-to-left override
		{"ali\u200Bce \u2066x\u2069", "alice x", "alice x"},                          // zero-width space, isolates
		{"Grace\u00AD  Hopper\n", "Grace Hopper", "Grace  Hopper"},                   // soft hyphen, spaces, line break
		{"line one\r\nline\u200Etwo\x07", "line one linetwo", "line one\r\nlinetwo"}, // LRM, bell
		{"Zoë 🌿 Müller", "Zoë 🌿 Müller", "Zoë 🌿 Müller"},
	} {
		if got := CleanDisplayName(tc.in); got != tc.name {
			t.Errorf("CleanDisplayName(%q) = %q, want %q", tc.in, got, tc.name)
		}
		if got := CleanBio(tc.in); got != tc.bio {
			t.Errorf("CleanBio(%q) = %q, want %q", tc.in, got, tc.bio)
		}
	}
}

func TestCheckStaffName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"admin", "Administrator", "root", "staff", "Support", "moderator", "quire", "System", "official", "security", "help",
		"alice ✓ (staff)", "alice ✓", "Quire Team", "quire_team", "quireadmin", "sysadmin_bob", "The Moderators Desk",
		"ＡＤＭＩＮ", "аdmin" /* Cyrillic a */, "ädmin", "r00t", "adm1n", "5upport", "ad\u200Dmin", "HELP DESK", "[Official]",
	} {
		if CheckStaffName(name, RoleAuthor) == "" {
			t.Errorf("%q is allowed for a user", name)
		}
		if CheckStaffName(name, RoleAdmin) != "" {
			t.Errorf("%q is refused for an admin", name)
		}
	}
	for _, name := range []string{
		"alice", "Grace Hopper", "grace_h", "Helena", "Rosemary", "Stafford Beer", "Esquire Jones", "squire",
		"Systemic Thoughts", "Supporter of libraries", "jane1990", "Zoë 🌿 Müller", "Linus Torvalds", "helpful_hannah",
	} {
		if msg := CheckStaffName(name, RoleAuthor); msg != "" {
			t.Errorf("%q is refused: %s", name, msg)
		}
	}
}

// Names are cleaned by many requests at once: the cleaning must hold no
// state between calls (a shared transform.Chain panicked under load).
func TestCleanNamesConcurrently(t *testing.T) {
	t.Parallel()
	const bio, name = "Line one\u202e\nline two\u200b, café\x00", "  alice\u202e  \t smith "
	wantBio, wantName := CleanBio(bio), CleanDisplayName(name)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				if got := CleanBio(bio); got != wantBio {
					t.Errorf("CleanBio = %q, want %q", got, wantBio)
					return
				}
				if got := CleanDisplayName(name); got != wantName {
					t.Errorf("CleanDisplayName = %q, want %q", got, wantName)
					return
				}
				if CheckStaffName("ＡＤＭＩＮ ✓", RoleAuthor) == "" || CheckStaffName("Grace Hopper", RoleAuthor) != "" {
					t.Error("the staff-name rule answered differently under load")
					return
				}
			}
		})
	}
	wg.Wait()
	if wantBio != "Line one\nline two, café" || wantName != "alice smith" {
		t.Errorf("cleaned: %q, %q", wantBio, wantName)
	}
}
