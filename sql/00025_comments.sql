-- +goose Up
-- Readers' comments on posts (issue 12). One level of replies (parent_id
-- names a top-level comment of the same post, checked by the model). A
-- comment is written by an account (user_id) or a guest (guest_name and
-- guest_email; the address is never shown). body is the commenter's
-- Markdown-lite, body_html its sanitised rendering.
CREATE TABLE comments (
    id          bigserial   PRIMARY KEY,
    post_id     bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id   bigint      REFERENCES comments (id) ON DELETE CASCADE,
    user_id     bigint      REFERENCES users (id) ON DELETE SET NULL,
    guest_name  text        NOT NULL DEFAULT '' CHECK (char_length(guest_name) <= 60),
    guest_email text        NOT NULL DEFAULT '' CHECK (char_length(guest_email) <= 254),
    body        text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    body_html   text        NOT NULL,
    status      text        NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'approved', 'spam', 'trash')),
    -- why a held comment waits ("first comment", "links", "blocklist").
    held_reason text        NOT NULL DEFAULT '' CHECK (char_length(held_reason) <= 100),
    -- the status a trashed or spam comment had, for restore.
    prior_status text       NOT NULL DEFAULT '' CHECK (prior_status IN ('', 'held', 'approved')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer     NOT NULL DEFAULT 1
);
-- A post page reads its approved comments in order.
CREATE INDEX comments_post_approved ON comments (post_id, created_at, id) WHERE status = 'approved';
-- The moderation table, newest first per status.
CREATE INDEX comments_status_created ON comments (status, created_at DESC, id DESC);
-- Whether a commenter had a comment approved before.
CREATE INDEX comments_user_approved ON comments (user_id) WHERE status = 'approved' AND user_id IS NOT NULL;
CREATE INDEX comments_guest_approved ON comments (lower(guest_email)) WHERE status = 'approved' AND guest_email <> '';
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- Per post: closed by its author, and its approved comments' count and
-- stamp, kept by the trigger below. The stamp is part of the post page's
-- ETag, so a newly approved comment shows to readers of the shared copy.
ALTER TABLE posts
    ADD COLUMN comments_closed boolean NOT NULL DEFAULT false,
    ADD COLUMN comment_count   integer NOT NULL DEFAULT 0,
    ADD COLUMN comments_stamp  bigint  NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION quire_comment_counts() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER comments_counts_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_counts();
CREATE TRIGGER comments_counts_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_counts();
CREATE TRIGGER comments_counts_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_comment_counts();

-- The site's comment settings: who may comment, after how many days a
-- post's comments close (0: never), how many links a comment may carry
-- before it is held, and words or addresses that hold a comment (one a
-- line). form_key signs the comment form's timestamp (the minimum fill
-- time), the same on every replica; it is never shown.
ALTER TABLE site_settings
    ADD COLUMN comments            text    NOT NULL DEFAULT 'accounts' CHECK (comments IN ('off', 'accounts', 'anyone')),
    ADD COLUMN comments_close_days integer NOT NULL DEFAULT 0 CHECK (comments_close_days BETWEEN 0 AND 3650),
    ADD COLUMN comments_max_links  integer NOT NULL DEFAULT 2 CHECK (comments_max_links BETWEEN 0 AND 50),
    ADD COLUMN comments_blocklist  text    NOT NULL DEFAULT '' CHECK (char_length(comments_blocklist) <= 10000),
    ADD COLUMN comments_form_key   bytea   NOT NULL DEFAULT (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- +goose Down
ALTER TABLE site_settings DROP COLUMN comments, DROP COLUMN comments_close_days, DROP COLUMN comments_max_links,
    DROP COLUMN comments_blocklist, DROP COLUMN comments_form_key;
DROP TABLE comments;
DROP FUNCTION quire_comment_counts();
ALTER TABLE posts DROP COLUMN comments_closed, DROP COLUMN comment_count, DROP COLUMN comments_stamp;
