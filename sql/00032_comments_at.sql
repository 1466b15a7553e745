-- +goose Up
-- When a post's approved comments last changed: the Last-Modified of its
-- page and of its comments feed, beside comments_stamp in their ETags. A
-- reader that revalidates by date alone (If-Modified-Since, as many feed
-- readers do) then sees a new comment too. Set by its own trigger whenever
-- the comment trigger (sql/00025) moves comments_stamp, so that function
-- stays as it is.
ALTER TABLE posts ADD COLUMN comments_at timestamptz NOT NULL DEFAULT now();

-- +goose StatementBegin
CREATE FUNCTION quire_post_comments_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comments_at := greatest(clock_timestamp(), OLD.comments_at + interval '1 microsecond');
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER posts_comments_at BEFORE UPDATE OF comments_stamp ON posts
    FOR EACH ROW WHEN (NEW.comments_stamp IS DISTINCT FROM OLD.comments_stamp)
    EXECUTE FUNCTION quire_post_comments_at();

-- +goose Down
DROP TRIGGER posts_comments_at ON posts;
DROP FUNCTION quire_post_comments_at();
ALTER TABLE posts DROP COLUMN comments_at;
