-- +goose Up

-- A username given up by a rename or by the account's deletion is held for
-- 90 days: nobody else may take it (and with it the old author page and
-- feeds). user_id is the account that gave it up (its /@old address leads to
-- its name now), NULL when that account was deleted (/@old is gone).
CREATE TABLE username_holds (
    username   text        PRIMARY KEY, -- as users stores it: lower case
    user_id    bigint      REFERENCES users (id) ON DELETE SET NULL,
    held_until timestamptz NOT NULL
);
CREATE INDEX username_holds_user_idx ON username_holds (user_id);
CREATE INDEX username_holds_until_idx ON username_holds (held_until);

-- Taking a held name fails like taking a used one (the same constraint
-- name, so every form says "taken"), except for the account that held it.
-- The advisory lock on the name orders this check after a rename or
-- deletion freeing it has committed its hold (1902668900 is "qhld").
-- +goose StatementBegin
CREATE FUNCTION quire_username_held() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1902668900, hashtext(lower(NEW.username)));
    IF EXISTS (SELECT 1 FROM username_holds h
               WHERE h.username = lower(NEW.username) AND h.held_until > now()
                 AND h.user_id IS DISTINCT FROM NEW.id) THEN
        RAISE EXCEPTION 'username % is held', NEW.username
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_username_key';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_username_held BEFORE INSERT OR UPDATE OF username ON users
    FOR EACH ROW EXECUTE FUNCTION quire_username_held();

-- Renames and deletions hold the name given up. An account keeps at most
-- its five newest held names, so renaming over and over cannot hoard names.
-- +goose StatementBegin
CREATE FUNCTION quire_username_hold() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    holder bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF lower(OLD.username) = lower(NEW.username) THEN
            RETURN NULL;
        END IF;
        holder := NEW.id;
        DELETE FROM username_holds WHERE username = lower(NEW.username);
    END IF;
    PERFORM pg_advisory_xact_lock(1902668900, hashtext(lower(OLD.username)));
    DELETE FROM username_holds WHERE held_until <= now();
    INSERT INTO username_holds (username, user_id, held_until)
    VALUES (lower(OLD.username), holder, now() + interval '90 days')
    ON CONFLICT (username) DO UPDATE SET user_id = EXCLUDED.user_id, held_until = EXCLUDED.held_until;
    IF holder IS NOT NULL THEN
        DELETE FROM username_holds WHERE user_id = holder AND username NOT IN (
            SELECT username FROM username_holds WHERE user_id = holder ORDER BY held_until DESC LIMIT 5);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_username_hold AFTER UPDATE OF username OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION quire_username_hold();

-- +goose Down
DROP TRIGGER users_username_hold ON users;
DROP TRIGGER users_username_held ON users;
DROP FUNCTION quire_username_hold();
DROP FUNCTION quire_username_held();
DROP TABLE username_holds;
