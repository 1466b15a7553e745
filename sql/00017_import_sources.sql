-- +goose Up
-- What an import made, by the source's own ids (models/importer): running
-- the same import again finds each item here and changes nothing, or
-- updates the post when the source changed and nobody edited it in Quire.
-- source names the exporting site ("wordpress http://example.org"); kind
-- is 'post' or 'user'; digest is a hash of the imported fields and
-- version the post's version after the import wrote it.
CREATE TABLE import_sources (
    source     text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('post', 'user')),
    source_id  text        NOT NULL,
    post_id    bigint      REFERENCES posts (id) ON DELETE CASCADE,
    user_id    bigint      REFERENCES users (id) ON DELETE CASCADE,
    digest     text        NOT NULL DEFAULT '',
    version    integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, kind, source_id),
    CHECK ((kind = 'post') = (post_id IS NOT NULL) AND (kind = 'user') = (user_id IS NOT NULL))
);
CREATE INDEX import_sources_post_idx ON import_sources (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX import_sources_user_idx ON import_sources (user_id) WHERE user_id IS NOT NULL;

-- Old addresses of imported posts (WordPress's /%postname%/, /YYYY/MM/DD/slug/,
-- /?p=ID, a child page's /parent/child/), answered with a 301 to the post's
-- address, whatever its slug is then. path is decoded (UTF-8, as a request's
-- path reads) and keeps WordPress's trailing slash; a ?p= or ?page_id= query
-- is kept after it. Only a request no route answers looks here.
CREATE TABLE redirects (
    path       text        COLLATE "C" PRIMARY KEY CHECK (path LIKE '/%' AND char_length(path) <= 2000),
    post_id    bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX redirects_post_idx ON redirects (post_id);

-- Comments of imported posts, kept as the source wrote them (the WXR fields
-- as JSON: author, email, address, date, content, approval, parent) until
-- Quire has comments of its own to make them into.
CREATE TABLE imported_comments (
    source     text        NOT NULL,
    source_id  text        NOT NULL,
    post_id    bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, source_id)
);
CREATE INDEX imported_comments_post_idx ON imported_comments (post_id);

-- +goose Down
DROP TABLE imported_comments;
DROP TABLE redirects;
DROP TABLE import_sources;
