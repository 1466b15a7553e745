-- +goose Up
-- Pending changes: what an account typed into a post that is not a draft,
-- kept by autosave until its Update publishes it or Discard drops it. A
-- table of its own, not columns on posts, so an autosave never touches the
-- public row: its updated_at, version, search vector and the lists' and
-- feeds' stamps stay as readers last saw them. One copy per post and
-- account, so an editor's autosave never overwrites the author's words.
CREATE TABLE post_pending (
    post_id      bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    editor_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        text        NOT NULL CHECK (char_length(title) <= 200),
    slug         text        NOT NULL DEFAULT '' CHECK (char_length(slug) <= 80),
    body         text        NOT NULL DEFAULT '' CHECK (char_length(body) <= 200000),
    excerpt      text        NOT NULL DEFAULT '' CHECK (char_length(excerpt) <= 300),
    cover_key    text        NOT NULL DEFAULT '',
    cover_alt    text        NOT NULL DEFAULT '' CHECK (char_length(cover_alt) <= 200),
    tags         text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    -- The post's version the edit started from: older than the post's own
    -- version means someone saved since, and Update shows the conflict.
    base_version integer     NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, editor_id)
);

-- A new post's editor names itself with a random key, so its autosaves and
-- its Save all land on the one draft the first of them created, however
-- they race.
ALTER TABLE posts ADD COLUMN draft_key text;
CREATE UNIQUE INDEX posts_author_draft_key_idx ON posts (author_id, draft_key) WHERE draft_key IS NOT NULL;

-- +goose Down
DROP INDEX posts_author_draft_key_idx;
ALTER TABLE posts DROP COLUMN draft_key;
DROP TABLE post_pending;
