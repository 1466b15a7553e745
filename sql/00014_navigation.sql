-- +goose Up

-- The header's menu: an ordered JSON array of {label, kind, target}, kind
-- one of page, tag, author, url (models/settings_nav.go). As with the
-- profile links, the CHECK repeats the cheap part of the validation.
ALTER TABLE site_settings ADD COLUMN navigation jsonb NOT NULL DEFAULT '[]'
    CHECK (CASE WHEN jsonb_typeof(navigation) = 'array' THEN jsonb_array_length(navigation) <= 12 ELSE false END);

-- +goose Down
ALTER TABLE site_settings DROP COLUMN navigation;
