-- +goose Up

-- The site's settings: one row (id 1), read by every replica once per
-- change. version moves on every save; the reader pages' stamp queries read
-- it with their own row, so a change shows on the next request everywhere.
-- The CHECKs repeat the cheap part of models/settings.go's validation.
CREATE TABLE site_settings (
    id             smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    title          text        NOT NULL DEFAULT 'Quire' CHECK (char_length(title) BETWEEN 1 AND 100),
    tagline        text        NOT NULL DEFAULT '' CHECK (char_length(tagline) <= 300),
    language       text        NOT NULL DEFAULT 'en' CHECK (language ~ '^[A-Za-z0-9-]{2,35}$'),
    time_zone      text        NOT NULL DEFAULT 'UTC' CHECK (time_zone <> ''),
    posts_per_page integer     NOT NULL DEFAULT 10 CHECK (posts_per_page BETWEEN 1 AND 100),
    footer         text        NOT NULL DEFAULT '' CHECK (octet_length(footer) <= 4096),
    social_links   jsonb       NOT NULL DEFAULT '[]' CHECK (CASE WHEN jsonb_typeof(social_links) = 'array'
                                   THEN jsonb_array_length(social_links) <= 10 ELSE false END),
    accent         text        NOT NULL DEFAULT '' CHECK (accent ~ '^(#[0-9a-f]{3}|#[0-9a-f]{6})?$'),
    custom_css     text        NOT NULL DEFAULT '' CHECK (octet_length(custom_css) <= 65536),
    registration   text        NOT NULL DEFAULT 'closed' CHECK (registration IN ('closed', 'invite', 'open')),
    -- Uploaded images (media keys, '' for none): the header's logo, the
    -- favicon (with its 32, 180 and 192 pixel copies) and the social image
    -- of pages without one of their own.
    logo_key         text      NOT NULL DEFAULT '',
    favicon_key      text      NOT NULL DEFAULT '',
    social_image_key text      NOT NULL DEFAULT '',
    version        bigint      NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

INSERT INTO site_settings DEFAULT VALUES;

-- +goose Down
DROP TABLE site_settings;
