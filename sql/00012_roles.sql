-- +goose Up
-- Four roles (models/roles.go): the accounts that were 'user' become authors,
-- who publish their own posts as before; admins stay admins.
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'author' WHERE role = 'user';
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'author',
    ADD CONSTRAINT users_role_check CHECK (role IN ('contributor', 'author', 'editor', 'admin'));

-- Invitations (models/invitations.go): only a SHA-256 of the token is stored;
-- a row stays after it is accepted, revoked or expired, for the admin table.
CREATE TABLE invitations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role          text        NOT NULL CHECK (role IN ('contributor', 'author', 'editor', 'admin')),
    token_hash    bytea       NOT NULL UNIQUE,
    invited_by    bigint      REFERENCES users (id) ON DELETE SET NULL,
    inviter_name  text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    accepted_by   bigint      REFERENCES users (id) ON DELETE SET NULL,
    revoked_at    timestamptz,
    version       integer     NOT NULL DEFAULT 1
);
CREATE INDEX invitations_created_idx ON invitations (created_at);

-- Email verification (models/verification.go): accounts made before, by an
-- administrator or by an invitation count as verified; open sign-ups start
-- unverified and may not publish until they follow the mailed link.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT true;
CREATE TABLE email_verifications (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);

-- The review queue (models/review.go): a contributor's post waits as
-- 'submitted'; an editor returning it leaves a note its author sees.
ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN ('draft', 'submitted', 'published', 'hidden')),
    ADD COLUMN review_note text NOT NULL DEFAULT '' CHECK (char_length(review_note) <= 1000);

-- +goose Down
UPDATE posts SET status = 'draft' WHERE status = 'submitted';
ALTER TABLE posts DROP COLUMN review_note, DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN ('draft', 'published', 'hidden'));
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified;
DROP TABLE invitations;
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'user' WHERE role <> 'admin';
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'user',
    ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'));
