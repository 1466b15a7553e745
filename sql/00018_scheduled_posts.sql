-- +goose Up
-- Scheduled publishing (models/schedule.go): a post waits as 'scheduled'
-- until its time, then the scheduler publishes it. It is not public meanwhile:
-- every public condition, index and trigger reads status = 'published'. The
-- time is kept only while the post is scheduled.
ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check
        CHECK (status IN ('draft', 'submitted', 'published', 'hidden', 'scheduled')),
    ADD COLUMN scheduled_at timestamptz,
    ADD CONSTRAINT posts_scheduled_has_time CHECK ((status = 'scheduled') = (scheduled_at IS NOT NULL));
-- What the scheduler asks each minute: the posts now due.
CREATE INDEX posts_scheduled_idx ON posts (scheduled_at) WHERE status = 'scheduled' AND deleted_at IS NULL;

-- +goose Down
DROP INDEX posts_scheduled_idx;
ALTER TABLE posts DROP CONSTRAINT posts_scheduled_has_time, DROP CONSTRAINT posts_status_check;
UPDATE posts SET status = 'draft' WHERE status = 'scheduled';
ALTER TABLE posts DROP COLUMN scheduled_at,
    ADD CONSTRAINT posts_status_check CHECK (status IN ('draft', 'submitted', 'published', 'hidden'));
