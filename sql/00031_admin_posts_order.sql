-- +goose Up
-- The admin posts table's default order (updated, newest first: admintable
-- sorts NULLS LAST and ties by id) read from an index, so its first page
-- reads 20 rows instead of sorting every post (sql/00031; issue 13).
CREATE INDEX posts_admin_updated_idx ON posts (updated_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX posts_admin_updated_idx;
