package models

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/trustelem/zxcvbn"
)

// PasswordParams are the argon2id parameters for every stored password:
// OWASP's Password Storage Cheat Sheet (2024) first recommendation,
// m=19 MiB, t=2, p=1. At most runtime.NumCPU() hashes run at once (see
// Hasher), so a login flood costs at most NumCPU*19 MiB of memory.
var PasswordParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// TestPasswordParams are deliberately weak; tests only.
var TestPasswordParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password length bounds, in characters (runes), never truncated.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// Hasher hashes and checks passwords with a bound on how many run at once.
type Hasher struct {
	params *argon2id.Params
	slots  chan struct{}
	dummy  string // a real hash, compared against when an account does not exist
}

// NewHasher returns a Hasher using params, with at most concurrent hashes
// in flight (0 means runtime.NumCPU()).
func NewHasher(params *argon2id.Params, concurrent int) *Hasher {
	if concurrent <= 0 {
		concurrent = runtime.NumCPU()
	}
	h := &Hasher{params: params, slots: make(chan struct{}, concurrent)}
	dummy, err := argon2id.CreateHash("quire-dummy-password", params)
	if err != nil {
		panic(fmt.Sprintf("models: argon2id: %v", err)) // only fails if crypto/rand does
	}
	h.dummy = dummy
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return argon2id.CreateHash(password, h.params)
}

// Compare reports whether password matches hash. An empty hash is compared
// against a dummy so unknown accounts take as long as known ones.
func (h *Hasher) Compare(ctx context.Context, password, hash string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, h.dummy)
		return false, nil
	}
	return argon2id.ComparePasswordAndHash(password, hash)
}

// Password policy errors; their text is shown to the user.
var (
	ErrPasswordTooShort = fmt.Errorf("Use at least %d characters.", MinPasswordLen)
	ErrPasswordTooLong  = fmt.Errorf("Use at most %d characters.", MaxPasswordLen)
	ErrPasswordPersonal = errors.New("The password must not be your username or email.")
	ErrPasswordCommon   = errors.New("This password is too common or too easy to guess.")
	ErrPasswordRepeated = errors.New("The password repeats the same part over and over, which makes it easy to guess. Try a phrase of different words.")
)

// siteWords are what anyone guessing a password here tries first: the
// site's own words and every password Quire itself once published (the
// seed command's old demo password). zxcvbn scores passwords built from
// them as it does the account's names.
var siteWords = []string{"quire", "blog", "demo", "admin", "quire demo password", "quiredemopassword"}

// CheckPassword applies the password policy: length in characters, not the
// username or email, not one part repeated, and not a commonly used or
// easily guessed password (zxcvbn's frequency lists and patterns, the
// account's names and siteWords; score below 3 is refused).
func CheckPassword(password, username, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return ErrPasswordCommon
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen:
		return ErrPasswordTooLong
	}
	// The account's own names are refused outright; passwords that merely
	// contain them are judged by zxcvbn below, which knows them too.
	local, _, _ := strings.Cut(email, "@")
	for _, personal := range []string{username, email, local} {
		if personal != "" && strings.EqualFold(strings.TrimSpace(password), personal) {
			return ErrPasswordPersonal
		}
	}
	if repeated(password) {
		return ErrPasswordRepeated
	}
	// zxcvbn's cost grows fast with length; the first 64 characters decide.
	sample := password
	if n > 64 {
		sample = string([]rune(password)[:64])
	}
	if zxcvbn.PasswordStrength(sample, append([]string{username, email}, siteWords...)).Score < 3 {
		return ErrPasswordCommon
	}
	return nil
}

// repeated reports whether password, ignoring case, is one unit written
// twice or more (the last copy may be cut short): "abcabcabcabc",
// "PasswordPassword". zxcvbn catches short units but scores long ones by
// the unit's strength alone.
func repeated(password string) bool {
	r := []rune(strings.ToLower(password))
	for unit := 1; unit <= len(r)/2; unit++ {
		i := unit
		for i < len(r) && r[i] == r[i-unit] {
			i++
		}
		if i == len(r) {
			return true
		}
	}
	return false
}
