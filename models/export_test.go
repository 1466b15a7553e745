package models

import "context"

// Occupy takes every one of h's hash slots until release is called, so a
// test can tell whether an operation hashes: one that does waits.
func (h *Hasher) Occupy() (release func()) {
	for range cap(h.slots) {
		h.slots <- struct{}{}
	}
	return func() {
		for range cap(h.slots) {
			<-h.slots
		}
	}
}

// PublicPost is the public-post condition, for the test that compares it
// with Post.IsPublic.
const PublicPost = publicPost

// Create makes a reset link for the account, as a reset request does, for
// tests that need one without mail.
func (m *ResetModel) Create(ctx context.Context, userID int64) (string, error) {
	return createReset(ctx, m.DB, userID)
}
