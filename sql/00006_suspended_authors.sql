-- +goose Up

-- A suspended author's published posts leave every public page, list, feed
-- and search until the account is reactivated; nothing is deleted. The flag
-- lives on the post so that public queries and the list triggers read one
-- row, as they do for status and deleted_at.
ALTER TABLE posts ADD COLUMN author_suspended boolean NOT NULL DEFAULT false;

UPDATE posts p SET author_suspended = true
FROM users u WHERE u.id = p.author_id AND u.state = 'suspended';

-- The partial indexes of public posts, with the new rule in their
-- predicate, so public lists and counts stay index-only.
DROP INDEX posts_published_idx;
DROP INDEX posts_author_published_idx;
DROP INDEX posts_public_updated_idx;
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended;
CREATE INDEX posts_author_published_idx ON posts (author_id, published_at DESC, id DESC) INCLUDE (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended;
CREATE INDEX posts_public_updated_idx ON posts (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended;

-- Suspending or reactivating accounts (one, or many at once) sets the flag
-- on their posts; the posts trigger then moves the lists they are in.
-- +goose StatementBegin
CREATE FUNCTION quire_user_posts_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts p SET author_suspended = (n.state = 'suspended')
    FROM new_rows n JOIN old_rows o USING (id)
    WHERE p.author_id = n.id AND n.state IS DISTINCT FROM o.state
        AND p.author_suspended IS DISTINCT FROM (n.state = 'suspended');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER users_posts_state AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_user_posts_state();

-- A post takes its author's state when it is written or changes hands: a
-- post added for a suspended account is hidden too, and deleting a
-- suspended account that keeps its posts (author_id becomes NULL, shown
-- under "a deleted user") makes them public again.
-- +goose StatementBegin
CREATE FUNCTION quire_post_author_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.author_suspended := coalesce((SELECT u.state = 'suspended' FROM users u WHERE u.id = NEW.author_id), false);
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER posts_author_state BEFORE INSERT OR UPDATE OF author_id ON posts
    FOR EACH ROW EXECUTE FUNCTION quire_post_author_state();

-- The list triggers of 00005, with a suspended author's posts not public.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_post_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone quire_post_list_entry[] := '{}';
    came quire_post_list_entry[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        gone := ARRAY(SELECT ROW(o.author_id, o.tags)::quire_post_list_entry FROM old_rows o
                      WHERE o.status = 'published' AND o.deleted_at IS NULL AND NOT o.author_suspended);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        came := ARRAY(SELECT ROW(n.author_id, n.tags)::quire_post_list_entry FROM new_rows n
                      WHERE n.status = 'published' AND n.deleted_at IS NULL AND NOT n.author_suspended);
    END IF;
    INSERT INTO post_list_stats AS s (author_id, tag, posts, changed_at)
    SELECT k.author_id, k.tag, sum(x.d), clock_timestamp()
    FROM (SELECT g.author_id, g.tags, -1 AS d FROM unnest(gone) AS g
          UNION ALL
          SELECT c.author_id, c.tags, 1 FROM unnest(came) AS c) AS x,
         quire_post_lists(x.author_id, x.tags) AS k
    GROUP BY k.author_id, k.tag
    ORDER BY k.author_id, k.tag
    ON CONFLICT (author_id, tag) DO UPDATE
        SET posts = s.posts + EXCLUDED.posts,
            changed_at = greatest(EXCLUDED.changed_at, s.changed_at + interval '1 microsecond');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_user_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o USING (id)
                   WHERE (n.username, n.display_name) IS DISTINCT FROM (o.username, o.display_name)) THEN
        RETURN NULL;
    END IF;
    WITH lists AS (
        SELECT DISTINCT k.author_id, k.tag
        FROM new_rows n JOIN old_rows o USING (id) JOIN posts p ON p.author_id = n.id,
             quire_post_lists(p.author_id, p.tags) AS k
        WHERE (n.username, n.display_name) IS DISTINCT FROM (o.username, o.display_name)
            AND p.status = 'published' AND p.deleted_at IS NULL AND NOT p.author_suspended
    ), locked AS (
        SELECT s.author_id, s.tag FROM post_list_stats s JOIN lists USING (author_id, tag)
        ORDER BY s.author_id, s.tag FOR UPDATE OF s
    )
    UPDATE post_list_stats s
        SET changed_at = greatest(clock_timestamp(), s.changed_at + interval '1 microsecond')
        FROM locked l WHERE s.author_id = l.author_id AND s.tag = l.tag;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Counts as the new rule has them; a list whose count changes moves its
-- time too.
WITH c AS (
    SELECT k.author_id, k.tag, count(*) AS n
    FROM posts p, quire_post_lists(p.author_id, p.tags) k
    WHERE p.status = 'published' AND p.deleted_at IS NULL AND NOT p.author_suspended
    GROUP BY k.author_id, k.tag
)
INSERT INTO post_list_stats AS s (author_id, tag, posts, changed_at)
SELECT l.author_id, l.tag, coalesce(c.n, 0), clock_timestamp()
FROM (SELECT author_id, tag FROM post_list_stats UNION SELECT author_id, tag FROM c) l
    LEFT JOIN c USING (author_id, tag)
ON CONFLICT (author_id, tag) DO UPDATE
    SET posts = EXCLUDED.posts,
        changed_at = greatest(EXCLUDED.changed_at, s.changed_at + interval '1 microsecond')
    WHERE s.posts <> EXCLUDED.posts;

-- +goose Down
WITH c AS (
    SELECT k.author_id, k.tag, count(*) AS n
    FROM posts p, quire_post_lists(p.author_id, p.tags) k
    WHERE p.status = 'published' AND p.deleted_at IS NULL
    GROUP BY k.author_id, k.tag
)
INSERT INTO post_list_stats AS s (author_id, tag, posts, changed_at)
SELECT l.author_id, l.tag, coalesce(c.n, 0), clock_timestamp()
FROM (SELECT author_id, tag FROM post_list_stats UNION SELECT author_id, tag FROM c) l
    LEFT JOIN c USING (author_id, tag)
ON CONFLICT (author_id, tag) DO UPDATE
    SET posts = EXCLUDED.posts,
        changed_at = greatest(EXCLUDED.changed_at, s.changed_at + interval '1 microsecond')
    WHERE s.posts <> EXCLUDED.posts;
DROP TRIGGER posts_author_state ON posts;
DROP FUNCTION quire_post_author_state();
DROP TRIGGER users_posts_state ON users;
DROP FUNCTION quire_user_posts_state();
DROP INDEX posts_published_idx;
DROP INDEX posts_author_published_idx;
DROP INDEX posts_public_updated_idx;
ALTER TABLE posts DROP COLUMN author_suspended;
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX posts_author_published_idx ON posts (author_id, published_at DESC, id DESC) INCLUDE (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX posts_public_updated_idx ON posts (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL;
-- The 00005 functions read author_suspended only when they run; restore them.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_post_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone quire_post_list_entry[] := '{}';
    came quire_post_list_entry[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        gone := ARRAY(SELECT ROW(o.author_id, o.tags)::quire_post_list_entry FROM old_rows o
                      WHERE o.status = 'published' AND o.deleted_at IS NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        came := ARRAY(SELECT ROW(n.author_id, n.tags)::quire_post_list_entry FROM new_rows n
                      WHERE n.status = 'published' AND n.deleted_at IS NULL);
    END IF;
    INSERT INTO post_list_stats AS s (author_id, tag, posts, changed_at)
    SELECT k.author_id, k.tag, sum(x.d), clock_timestamp()
    FROM (SELECT g.author_id, g.tags, -1 AS d FROM unnest(gone) AS g
          UNION ALL
          SELECT c.author_id, c.tags, 1 FROM unnest(came) AS c) AS x,
         quire_post_lists(x.author_id, x.tags) AS k
    GROUP BY k.author_id, k.tag
    ORDER BY k.author_id, k.tag
    ON CONFLICT (author_id, tag) DO UPDATE
        SET posts = s.posts + EXCLUDED.posts,
            changed_at = greatest(EXCLUDED.changed_at, s.changed_at + interval '1 microsecond');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_user_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o USING (id)
                   WHERE (n.username, n.display_name) IS DISTINCT FROM (o.username, o.display_name)) THEN
        RETURN NULL;
    END IF;
    WITH lists AS (
        SELECT DISTINCT k.author_id, k.tag
        FROM new_rows n JOIN old_rows o USING (id) JOIN posts p ON p.author_id = n.id,
             quire_post_lists(p.author_id, p.tags) AS k
        WHERE (n.username, n.display_name) IS DISTINCT FROM (o.username, o.display_name)
            AND p.status = 'published' AND p.deleted_at IS NULL
    ), locked AS (
        SELECT s.author_id, s.tag FROM post_list_stats s JOIN lists USING (author_id, tag)
        ORDER BY s.author_id, s.tag FOR UPDATE OF s
    )
    UPDATE post_list_stats s
        SET changed_at = greatest(clock_timestamp(), s.changed_at + interval '1 microsecond')
        FROM locked l WHERE s.author_id = l.author_id AND s.tag = l.tag;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
