-- +goose Up
-- A suspended account's comments are hidden (issue 12), so they leave
-- posts.comment_count, and whatever changes what readers see of an
-- account's comments (its state, its name) moves the stamp of every post
-- it commented on: the shared copy and its ETag change at once.

-- The approved comments readers see on a post: none of suspended accounts.
-- +goose StatementBegin
CREATE FUNCTION quire_shown_comments(post bigint) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM comments c LEFT JOIN users u ON u.id = c.user_id
    WHERE c.post_id = post AND c.status = 'approved' AND (u.id IS NULL OR u.state = 'active')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_comment_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := '{}';
BEGIN
    -- Transition tables exist only for the operations that have them.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := touched || ARRAY(SELECT post_id FROM old_rows WHERE status = 'approved');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        touched := touched || ARRAY(SELECT post_id FROM new_rows WHERE status = 'approved');
    END IF;
    UPDATE posts p SET comment_count = quire_shown_comments(p.id), comments_stamp = p.comments_stamp + 1
    WHERE p.id = ANY (touched);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION quire_user_comments_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts p SET comment_count = quire_shown_comments(p.id), comments_stamp = p.comments_stamp + 1
    WHERE p.id IN (SELECT c.post_id FROM new_rows n JOIN old_rows o USING (id) JOIN comments c ON c.user_id = n.id
                   WHERE c.status = 'approved'
                       AND (n.state, n.username, n.display_name) IS DISTINCT FROM (o.state, o.username, o.display_name));
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER users_comments_state AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_user_comments_state();

-- Counts as the new rule has them.
UPDATE posts p SET comment_count = quire_shown_comments(p.id), comments_stamp = p.comments_stamp + 1
WHERE p.id IN (SELECT c.post_id FROM comments c JOIN users u ON u.id = c.user_id
               WHERE c.status = 'approved' AND u.state <> 'active');

-- +goose Down
DROP TRIGGER users_comments_state ON users;
DROP FUNCTION quire_user_comments_state();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION quire_comment_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := '{}';
BEGIN
    -- Transition tables exist only for the operations that have them.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := touched || ARRAY(SELECT post_id FROM old_rows WHERE status = 'approved');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        touched := touched || ARRAY(SELECT post_id FROM new_rows WHERE status = 'approved');
    END IF;
    UPDATE posts p SET comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved'),
        comments_stamp = p.comments_stamp + 1
    WHERE p.id = ANY (touched);
    RETURN NULL;
END $$;
-- +goose StatementEnd
UPDATE posts p SET comment_count = c.n, comments_stamp = p.comments_stamp + 1
FROM (SELECT post_id, count(*) AS n FROM comments WHERE status = 'approved' GROUP BY post_id) c
WHERE p.id = c.post_id AND p.comment_count <> c.n;
DROP FUNCTION quire_shown_comments(bigint);
