-- +goose Up
-- A cover's caption, shown under it on the post page (credit, context).
-- Pending changes keep it too, so an autosaved edit of a published post's
-- caption comes back like the rest of the form.
ALTER TABLE posts ADD COLUMN cover_caption text NOT NULL DEFAULT '' CHECK (char_length(cover_caption) <= 300);
ALTER TABLE post_pending ADD COLUMN cover_caption text NOT NULL DEFAULT '' CHECK (char_length(cover_caption) <= 300);

-- +goose Down
ALTER TABLE post_pending DROP COLUMN cover_caption;
ALTER TABLE posts DROP COLUMN cover_caption;
