-- +goose Up

-- Every admin action, written in the same transaction as the change it
-- records: an action that rolls back leaves no entry, and no change goes
-- unrecorded. Bulk actions write one row per object.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Who acted. The name is copied so the entry still says who after the
    -- account is deleted (actor_id becomes NULL then).
    actor_id   bigint      REFERENCES users (id) ON DELETE SET NULL,
    actor_name text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    model      text        NOT NULL,  -- the admin table's name: users, posts, media
    object_id  bigint      NOT NULL,
    action     text        NOT NULL,  -- the action's key: suspend, hide, edit, ...
    -- The fields the action changed, as they were and as they became;
    -- NULL before a creation or after a deletion.
    before     jsonb,
    after      jsonb,
    note       text        NOT NULL DEFAULT ''  -- the reason given, or what else happened
);
-- The log newest first, and each filter of /admin/audit with it.
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (model, object_id, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

-- +goose Down
DROP TABLE audit_log;
