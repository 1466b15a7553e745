-- +goose Up

-- Requests counted against a rate limit that is not a sign-in failure:
-- registrations and password reset requests, per client address and per
-- email address. Each row is one request under one key ("register addr:…");
-- it counts while at is inside its limit's window and is pruned once
-- expires_at has passed. Kept in PostgreSQL so limits hold across replicas.
CREATE TABLE rate_limit_hits (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_key_idx ON rate_limit_hits (key, at);
CREATE INDEX rate_limit_hits_expires_idx ON rate_limit_hits (expires_at);

-- +goose Down
DROP TABLE rate_limit_hits;
