-- +goose Up
-- Post pages look up a cover's srcset copies by file key.
CREATE INDEX media_key_idx ON media (key);

-- +goose Down
DROP INDEX media_key_idx;
