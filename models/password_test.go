package models

import (
	"errors"
	"testing"
)

func TestCheckPasswordPatterns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		want     error
	}{
		{"abcabcabcabc", ErrPasswordRepeated},
		{"passwordpassword", ErrPasswordRepeated},
		{"aaaaaaaaaaaa", ErrPasswordRepeated},
		{"Tr0ub4dor&3Tr0ub4dor&3", ErrPasswordRepeated},
		{"xK9#mQxK9#mQxK9#", ErrPasswordRepeated}, // a unit and part of it
		{"ёжикёжикёжикёжик", ErrPasswordRepeated},
		{"quire demo password", ErrPasswordCommon}, // the seed command's old demo password
		{"correct horse battery staple", nil},
		{"plum-sandwich-eleven-orbit", nil},
	} {
		if err := CheckPassword(tc.password, "grace", "grace@example.com"); !errors.Is(err, tc.want) {
			t.Errorf("CheckPassword(%q) = %v, want %v", tc.password, err, tc.want)
		}
	}
}
