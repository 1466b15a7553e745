-- +goose Up

-- The size and last change of each public list (every post, one author's,
-- one tag's), kept by triggers. A list's ETag and page count then cost one
-- primary-key lookup instead of counting every public post on each view,
-- which was most of the home page's database time.
CREATE TABLE post_list_stats (
    author_id  bigint      NOT NULL, -- 0: every author
    tag        text        NOT NULL, -- '': every tag
    -- No CHECK (posts >= 0): it would be tested on the trigger's proposed
    -- insert (a delta, maybe -1) before ON CONFLICT turns it into an update.
    posts      bigint      NOT NULL,
    -- Strictly increasing in commit order (see the trigger), so it serves
    -- as the list's Last-Modified.
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (author_id, tag)
);

-- The lists a public post appears in.
-- +goose StatementBegin
CREATE FUNCTION quire_post_lists(author bigint, tags text[])
RETURNS TABLE (author_id bigint, tag text) LANGUAGE sql IMMUTABLE AS $$
    SELECT 0::bigint, ''::text
    UNION ALL SELECT author, '' WHERE author IS NOT NULL
    UNION ALL SELECT 0, t FROM unnest(tags) AS t
$$;
-- +goose StatementEnd

-- A public post's place in the lists, as the trigger below passes it on.
CREATE TYPE quire_post_list_entry AS (author_id bigint, tags text[]);

-- Once per statement: each public row that leaves counts -1 in its lists,
-- each that enters +1; a public row edited in place leaves and enters, so
-- its lists' changed_at moves while their sizes stay. Drafts change nothing.
-- Rows are taken in key order, (0, '') first, so concurrent writers queue
-- there rather than deadlock.
-- +goose StatementBegin
CREATE FUNCTION quire_post_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER posts_list_stats_insert AFTER INSERT ON posts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_post_list_stats();
CREATE TRIGGER posts_list_stats_update AFTER UPDATE ON posts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_post_list_stats();
CREATE TRIGGER posts_list_stats_delete AFTER DELETE ON posts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_post_list_stats();

-- Lists show their authors' names: a rename moves the changed_at of every
-- list the author's public posts are in (sizes stay). Deleting an account
-- moves its posts (author_id becomes NULL), which the posts trigger counts.
-- Rows are locked in key order first, as the posts trigger takes them.
-- +goose StatementBegin
CREATE FUNCTION quire_user_list_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates (a sign-in, a new session epoch) rename no one.
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

CREATE TRIGGER users_list_stats_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_user_list_stats();

-- The triggers lock out writers until this migration commits, so the counts
-- start exact.
INSERT INTO post_list_stats (author_id, tag, posts, changed_at)
SELECT k.author_id, k.tag, count(*), max(p.updated_at)
FROM posts p, quire_post_lists(p.author_id, p.tags) k
WHERE p.status = 'published' AND p.deleted_at IS NULL
GROUP BY k.author_id, k.tag;

-- +goose Down
DROP TRIGGER users_list_stats_update ON users;
DROP FUNCTION quire_user_list_stats();
DROP TRIGGER posts_list_stats_delete ON posts;
DROP TRIGGER posts_list_stats_update ON posts;
DROP TRIGGER posts_list_stats_insert ON posts;
DROP FUNCTION quire_post_list_stats();
DROP TYPE quire_post_list_entry;
DROP FUNCTION quire_post_lists(bigint, text[]);
DROP TABLE post_list_stats;
