package models

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

var (
	seedFirst = strings.Fields(`Ada Grace Alan Barbara Linus Margaret Ken Radia Dennis Frances Edsger Katherine
		Donald Hedy John Shafi Tim Sophie Guido Anita Bjarne Joan Niklaus Karen Leslie Mary Rob Evelyn Brian Lynn`)
	seedLast = strings.Fields(`Lovelace Hopper Turing Liskov Torvalds Hamilton Thompson Perlman Ritchie Allen
		Dijkstra Johnson Knuth Lamarr McCarthy Goldwasser Berners-Lee Wilson Rossum Borg Stroustrup Clarke Wirth
		Jones Lamport Kenneth Pike Berezin Kernighan Conway`)
	seedBios = []string{
		"Writes about distributed systems, gardening and the occasional sourdough disaster.",
		"Product designer. Notes on typography, small tools and slow travel.",
		"Backend engineer who likes boring technology and long walks.",
		"Amateur astronomer; posts star charts and field notes from dark-sky sites.",
		"Teacher by day, essayist by night. Mostly about books.",
		"Cyclist, home cook, reluctant sysadmin.",
		"",
	}
)

// SeedUsers creates n demo accounts with realistic names and bios, all with
// one password drawn from crypto/rand for this run (hashed once: seeding
// thousands stays fast), never from r: content is reproducible from its
// seed, passwords must not be. It returns how many were created (names
// already taken are skipped) and the password.
func (m *UserModel) SeedUsers(ctx context.Context, n int, r *rand.Rand) (int, string, error) {
	password := "demo-" + crand.Text()
	hash, err := m.Hasher.Hash(ctx, password)
	if err != nil {
		return 0, "", err
	}
	created := 0
	for i := 0; i < n; i++ {
		first, last := seedFirst[r.IntN(len(seedFirst))], seedLast[r.IntN(len(seedLast))]
		base := strings.ToLower(first + "_" + strings.ReplaceAll(last, "-", ""))
		if len(base) > 24 {
			base = base[:24]
		}
		username := fmt.Sprintf("%s%d", base, r.IntN(100000))
		res, err := m.DB.ExecContext(ctx, seedUserSQL, username, username+"@example.com", hash,
			first+" "+last, seedBios[r.IntN(len(seedBios))])
		if errors.Is(asDuplicate(err), ErrDuplicate) {
			continue // a name held after a rename or deletion (sql/00008)
		}
		if err != nil {
			return created, password, fmt.Errorf("models: seed user: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			created++
		}
	}
	return created, password, nil
}

const seedUserSQL = `INSERT INTO users (username, email, password_hash, display_name, bio)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`
