-- +goose Up
-- Mail about comments (issue 12), sent in batches by one worker per
-- cluster (models.CommentMailer).
--
-- notify_replies: the commenter asked to be told of replies to this
-- comment ("Email me replies"); an unsubscribe link clears it.
ALTER TABLE comments ADD COLUMN notify_replies boolean NOT NULL DEFAULT false;

-- Who hears of new comments on their posts: nobody, only of held ones
-- (to moderate them), or of all. mail_key signs unsubscribe links, the same
-- on every replica; it is never shown.
ALTER TABLE site_settings
    ADD COLUMN comments_notify   text  NOT NULL DEFAULT 'held' CHECK (comments_notify IN ('off', 'held', 'all')),
    ADD COLUMN comments_mail_key bytea NOT NULL DEFAULT (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

-- The outbox: a comment someone is to hear of, once per kind ('author':
-- the post's author, 'reply': the commenter it answers). Who that is, and
-- whether they still want it, is read when the batch goes out; sent_at is
-- set in the transaction that sent it, so no replica sends it again.
CREATE TABLE comment_notices (
    comment_id bigint      NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('author', 'reply')),
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    PRIMARY KEY (comment_id, kind)
);
CREATE INDEX comment_notices_pending ON comment_notices (created_at) WHERE sent_at IS NULL;

-- When each address was last mailed about comments: at most one mail per
-- address per batch interval.
CREATE TABLE comment_mail_sent (
    address text        PRIMARY KEY,
    sent_at timestamptz NOT NULL
);

-- A new comment is news for the post's author (by the setting), and an
-- approved reply for the commenter it answers, if they asked. Imports set
-- quire.quiet_comments so old comments mail nobody.
-- +goose StatementBegin
CREATE FUNCTION quire_comment_notices() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mode text;
BEGIN
    IF coalesce(current_setting('quire.quiet_comments', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT comments_notify INTO mode FROM site_settings WHERE id = 1;
        IF (mode = 'all' AND NEW.status IN ('held', 'approved')) OR (mode = 'held' AND NEW.status = 'held') THEN
            INSERT INTO comment_notices (comment_id, kind) VALUES (NEW.id, 'author') ON CONFLICT DO NOTHING;
        END IF;
    END IF;
    IF NEW.parent_id IS NOT NULL AND NEW.status = 'approved' AND (TG_OP = 'INSERT' OR OLD.status <> 'approved')
        AND EXISTS (SELECT 1 FROM comments p WHERE p.id = NEW.parent_id AND p.notify_replies) THEN
        INSERT INTO comment_notices (comment_id, kind) VALUES (NEW.id, 'reply') ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER comments_notices AFTER INSERT OR UPDATE OF status ON comments
    FOR EACH ROW EXECUTE FUNCTION quire_comment_notices();

-- WordPress comments kept raw by earlier imports name the comment they
-- became; rows without one are made into comments when the same export is
-- imported again (their bodies need Go's Markdown pipeline, not SQL).
ALTER TABLE imported_comments ADD COLUMN comment_id bigint REFERENCES comments (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE imported_comments DROP COLUMN comment_id;
DROP TRIGGER comments_notices ON comments;
DROP FUNCTION quire_comment_notices();
DROP TABLE comment_mail_sent;
DROP TABLE comment_notices;
ALTER TABLE site_settings DROP COLUMN comments_notify, DROP COLUMN comments_mail_key;
ALTER TABLE comments DROP COLUMN notify_replies;
