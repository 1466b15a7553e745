-- +goose Up
-- Imports started from /admin/import: each runs in the background on the
-- replica that received the file and reports here, so any replica shows its
-- progress. heartbeat_at moves while it runs; a running job whose heartbeat
-- stopped (its replica died) is marked interrupted by the next start.
CREATE TABLE import_jobs (
    id           bigserial   PRIMARY KEY,
    format       text        NOT NULL CHECK (char_length(format) <= 30),
    file_name    text        NOT NULL CHECK (char_length(file_name) <= 255),
    status       text        NOT NULL DEFAULT 'running'
                             CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
    dry_run      boolean     NOT NULL DEFAULT false,
    bytes_read   bigint      NOT NULL DEFAULT 0,
    bytes_total  bigint      NOT NULL DEFAULT 0,
    summary      jsonb,
    error        text        NOT NULL DEFAULT '',
    started_by   bigint      REFERENCES users (id) ON DELETE SET NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
-- One import at a time, across replicas: two would race for the same slugs
-- and authors.
CREATE UNIQUE INDEX import_jobs_one_running ON import_jobs ((true)) WHERE status = 'running';

-- +goose Down
DROP TABLE import_jobs;
