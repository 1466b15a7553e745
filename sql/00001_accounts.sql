-- +goose Up
CREATE TABLE users (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username         text        NOT NULL CHECK (username ~ '^[a-z0-9_]{3,30}$'),
    email            text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash    text        NOT NULL,
    display_name     text        NOT NULL DEFAULT '' CHECK (length(display_name) <= 60),
    bio              text        NOT NULL DEFAULT '' CHECK (length(bio) <= 500),
    avatar           text        NOT NULL DEFAULT '',
    role             text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    state            text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended')),
    suspended_reason text        NOT NULL DEFAULT '',
    -- session_epoch is stored in each session at login; bumping it ends every
    -- other session of the account (password change, suspension).
    session_epoch    integer     NOT NULL DEFAULT 1,
    version          integer     NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    last_login_at    timestamptz
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Server-side sessions (alexedwards/scs postgresstore layout).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins, kept in the database so throttling holds across replicas.
CREATE TABLE login_failures (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text        NOT NULL,
    addr    text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_account_idx ON login_failures (account, at);
CREATE INDEX login_failures_addr_idx ON login_failures (addr, at);

-- Password reset tokens: only a SHA-256 of the token is stored.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
