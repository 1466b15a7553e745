-- +goose Up

-- Pages (an About page, a colophon): posts with their own top-level address,
-- /{slug}, that lists never carry: not the home page, tag or author pages,
-- feeds or search. They share posts' slugs (one unique index: /about and
-- /posts/about cannot name two things), editor, revisions and states.
ALTER TABLE posts ADD COLUMN kind text NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));

-- The public lists' partial indexes, with pages left out of their predicate
-- as the lists' condition leaves them out (models.listedPost), so the lists
-- stay index-only and never skip a page.
DROP INDEX posts_published_idx;
DROP INDEX posts_author_published_idx;
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended AND kind = 'post';
CREATE INDEX posts_author_published_idx ON posts (author_id, published_at DESC, id DESC) INCLUDE (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended AND kind = 'post';
-- Every page, for the sitemap and the admin's filter: a handful of rows.
CREATE INDEX posts_pages_idx ON posts (slug) WHERE kind = 'page';

-- The lists a public post or page is in. A page is in one list of its own,
-- (-1, ''), whose stamp the sitemap reads; it is in no reader's list.
-- +goose StatementBegin
CREATE FUNCTION quire_post_lists(author bigint, tags text[], kind text)
RETURNS TABLE (author_id bigint, tag text) LANGUAGE sql IMMUTABLE AS $$
    SELECT -1::bigint, ''::text WHERE kind = 'page'
    UNION ALL SELECT l.author_id, l.tag FROM quire_post_lists(author, tags) l WHERE kind = 'post'
$$;
-- +goose StatementEnd

ALTER TYPE quire_post_list_entry ADD ATTRIBUTE kind text;

-- The list triggers of 00006, placing each row by its kind.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_post_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone quire_post_list_entry[] := '{}';
    came quire_post_list_entry[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        gone := ARRAY(SELECT ROW(o.author_id, o.tags, o.kind)::quire_post_list_entry FROM old_rows o
                      WHERE o.status = 'published' AND o.deleted_at IS NULL AND NOT o.author_suspended);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        came := ARRAY(SELECT ROW(n.author_id, n.tags, n.kind)::quire_post_list_entry FROM new_rows n
                      WHERE n.status = 'published' AND n.deleted_at IS NULL AND NOT n.author_suspended);
    END IF;
    INSERT INTO post_list_stats AS s (author_id, tag, posts, changed_at)
    SELECT k.author_id, k.tag, sum(x.d), clock_timestamp()
    FROM (SELECT g.author_id, g.tags, g.kind, -1 AS d FROM unnest(gone) AS g
          UNION ALL
          SELECT c.author_id, c.tags, c.kind, 1 FROM unnest(came) AS c) AS x,
         quire_post_lists(x.author_id, x.tags, x.kind) AS k
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
             quire_post_lists(p.author_id, p.tags, p.kind) AS k
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

-- Every row is a post until now: the counts stand as they are.

-- +goose Down
-- Pages become posts: they join the lists they would be in.
DELETE FROM post_list_stats WHERE author_id = -1;
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
ALTER TYPE quire_post_list_entry DROP ATTRIBUTE kind;
DROP FUNCTION quire_post_lists(bigint, text[], text);
DROP INDEX posts_pages_idx;
DROP INDEX posts_published_idx;
DROP INDEX posts_author_published_idx;
ALTER TABLE posts DROP COLUMN kind;
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended;
CREATE INDEX posts_author_published_idx ON posts (author_id, published_at DESC, id DESC) INCLUDE (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL AND NOT author_suspended;
