-- +goose Up

-- array_to_string is only STABLE (it calls element output functions, which
-- may depend on settings), so a generated column may not use it. For text[]
-- the result cannot change, so this wrapper is honestly IMMUTABLE.
-- +goose StatementBegin
CREATE FUNCTION quire_tags_text(tags text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT array_to_string(tags, ' ') $$;
-- +goose StatementEnd

CREATE TABLE posts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- A deleted author's posts stay, shown under a "deleted user" placeholder.
    author_id     bigint      REFERENCES users (id) ON DELETE SET NULL,
    title         text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    -- Slugs are ASCII (markdown.ValidSlug); the C collation lets the plain
    -- b-tree index answer the prefix search that picks a free -2, -3 suffix.
    slug          text        COLLATE "C" NOT NULL UNIQUE
                              CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 80),
    body          text        NOT NULL DEFAULT '' CHECK (char_length(body) <= 200000),
    body_html     text        NOT NULL DEFAULT '',
    -- excerpt is the author's own summary ('' = none); summary is what lists
    -- show: the excerpt, else a plain-text cut of the body.
    excerpt       text        NOT NULL DEFAULT '' CHECK (char_length(excerpt) <= 300),
    summary       text        NOT NULL DEFAULT '',
    cover_key     text        NOT NULL DEFAULT '',
    cover_alt     text        NOT NULL DEFAULT '' CHECK (char_length(cover_alt) <= 200),
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'hidden')),
    hidden_reason text        NOT NULL DEFAULT '',
    tags          text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    -- Set at the first publish and kept, so unpublishing and republishing
    -- does not move a post to the top of the home page.
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Soft delete: the post sits in its author's trash for 30 days.
    deleted_at    timestamptz,
    version       integer     NOT NULL DEFAULT 1,
    search        tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                      setweight(to_tsvector('english', coalesce(quire_tags_text(tags), '')), 'B') ||
                      setweight(to_tsvector('english', coalesce(body, '')), 'C')
                  ) STORED,
    CONSTRAINT posts_published_has_date CHECK (status <> 'published' OR published_at IS NOT NULL)
);
-- Every reader-facing list walks one of these partial indexes in order.
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
-- updated_at rides along so an author's feed change stamp is index-only too.
CREATE INDEX posts_author_published_idx ON posts (author_id, published_at DESC, id DESC) INCLUDE (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL;
-- An author's own posts (drafts, trash); also serves the author_id foreign key.
CREATE INDEX posts_author_updated_idx ON posts (author_id, updated_at DESC, id DESC);
CREATE INDEX posts_tags_idx ON posts USING gin (tags);
CREATE INDEX posts_search_idx ON posts USING gin (search);
-- Feed and sitemap change stamps: max(updated_at) and count(*) of public
-- posts from an index-only scan.
CREATE INDEX posts_public_updated_idx ON posts (updated_at)
    WHERE status = 'published' AND deleted_at IS NULL;

-- Old slugs of posts that were public: links to them keep working (301).
CREATE TABLE post_slugs (
    slug    text COLLATE "C" PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX post_slugs_post_idx ON post_slugs (post_id);

-- The text of a published post as it was before each edit.
CREATE TABLE post_revisions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version    integer     NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL,
    excerpt    text        NOT NULL DEFAULT '',
    tags       text[]      NOT NULL DEFAULT '{}',
    -- Who made the edit that replaced this text.
    edited_by  bigint      REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, id DESC);
-- Lets deleting a user set edited_by to NULL without scanning every revision.
CREATE INDEX post_revisions_edited_by_idx ON post_revisions (edited_by) WHERE edited_by IS NOT NULL;

-- Uploaded images. Files are content-addressed and may be shared by several
-- owners; this row is one owner's claim on a file and its alt text.
CREATE TABLE media (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id     bigint      REFERENCES users (id) ON DELETE SET NULL,
    key          text        NOT NULL,
    width        integer     NOT NULL CHECK (width > 0),
    height       integer     NOT NULL CHECK (height > 0),
    bytes        integer     NOT NULL CHECK (bytes >= 0),
    content_type text        NOT NULL,
    -- Widths of the smaller copies made for srcset (<hash>-w<width><ext>).
    variants     integer[]   NOT NULL DEFAULT '{}',
    alt          text        NOT NULL DEFAULT '' CHECK (char_length(alt) <= 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, key)
);
CREATE INDEX media_owner_idx ON media (owner_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE media;
DROP TABLE post_revisions;
DROP TABLE post_slugs;
DROP TABLE posts;
DROP FUNCTION quire_tags_text(text[]);
