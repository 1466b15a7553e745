-- +goose Up
-- How a post presents itself to search engines and social cards. Each is
-- optional and falls back to the post's own (excerpt, title, cover,
-- address); noindex keeps a public post out of search engines and the
-- sitemap without hiding it from readers. Constant defaults: adding these
-- rewrites no rows.
ALTER TABLE posts
    ADD COLUMN meta_description text    NOT NULL DEFAULT '' CHECK (char_length(meta_description) <= 300),
    ADD COLUMN social_title     text    NOT NULL DEFAULT '' CHECK (char_length(social_title) <= 200),
    ADD COLUMN social_image     text    NOT NULL DEFAULT '',
    ADD COLUMN canonical_url    text    NOT NULL DEFAULT '' CHECK (char_length(canonical_url) <= 2000),
    ADD COLUMN noindex          boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE posts
    DROP COLUMN meta_description,
    DROP COLUMN social_title,
    DROP COLUMN social_image,
    DROP COLUMN canonical_url,
    DROP COLUMN noindex;
