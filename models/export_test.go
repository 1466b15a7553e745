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

// CopySeedSlugs copies one published seed post per slug through the
// seeding's COPY path, for the test of its collisions.
func (m *PostModel) CopySeedSlugs(ctx context.Context, authorID int64, slugs []string) (int, error) {
	batch := make([]seedRow, len(slugs))
	for i, s := range slugs {
		batch[i] = seedRow{authorID: authorID, title: s, slug: s, body: "Seeded.", status: PostPublished,
			tags: "go,notes", publishedAt: "2024-01-02T03:04:05.123456789Z", createdAt: "2024-01-01T00:00:00Z",
			updatedAt: "2024-01-02T03:04:05Z"}
	}
	return m.copySeedBatch(ctx, batch)
}
