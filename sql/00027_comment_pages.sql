-- +goose Up
-- Comment pages (issue 12): a post page shows comments_per_page threads
-- (a top-level comment and its replies), newest last. comment_threads
-- counts a post's approved top-level comments, kept by the trigger below,
-- so the last page is known without counting a long thread list.
ALTER TABLE site_settings
    ADD COLUMN comments_per_page integer NOT NULL DEFAULT 50 CHECK (comments_per_page BETWEEN 10 AND 500);
ALTER TABLE posts ADD COLUMN comment_threads integer NOT NULL DEFAULT 0;
-- A page of threads, read from whichever end is nearer.
CREATE INDEX comments_post_threads ON comments (post_id, created_at, id)
    WHERE status = 'approved' AND parent_id IS NULL;
UPDATE posts p SET comment_threads = t.n
FROM (SELECT post_id, count(*) AS n FROM comments WHERE status = 'approved' AND parent_id IS NULL GROUP BY post_id) t
WHERE t.post_id = p.id;

-- +goose StatementBegin
CREATE FUNCTION quire_comment_threads() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := touched || ARRAY(SELECT post_id FROM old_rows WHERE status = 'approved' AND parent_id IS NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        touched := touched || ARRAY(SELECT post_id FROM new_rows WHERE status = 'approved' AND parent_id IS NULL);
    END IF;
    IF cardinality(touched) > 0 THEN
        UPDATE posts p SET comment_threads = (SELECT count(*) FROM comments c
            WHERE c.post_id = p.id AND c.status = 'approved' AND c.parent_id IS NULL)
        WHERE p.id = ANY (touched);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER comments_threads_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_threads();
CREATE TRIGGER comments_threads_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_threads();
CREATE TRIGGER comments_threads_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_threads();

-- +goose Down
DROP TRIGGER comments_threads_insert ON comments;
DROP TRIGGER comments_threads_update ON comments;
DROP TRIGGER comments_threads_delete ON comments;
DROP FUNCTION quire_comment_threads();
DROP INDEX comments_post_threads;
ALTER TABLE posts DROP COLUMN comment_threads;
ALTER TABLE site_settings DROP COLUMN comments_per_page;
