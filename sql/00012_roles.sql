-- +goose Up
-- Four roles (models/roles.go): the accounts that were 'user' become authors,
-- who publish their own posts as before; admins stay admins.
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'author' WHERE role = 'user';
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'author',
    ADD CONSTRAINT users_role_check CHECK (role IN ('contributor', 'author', 'editor', 'admin'));

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'user' WHERE role <> 'admin';
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'user',
    ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'));
