-- +goose Up

-- Every replica keeps the stamps reader pages are validated by (a list's
-- post_list_stats row, a post's head, the settings' version) in memory
-- while it listens on quire_changes (models/listen.go); each statement that
-- changes a row that can move one of them notifies, and PostgreSQL delivers
-- the notice only when its transaction commits (a rollback says nothing).
-- The payload names the table; a replica forgets all its stamps on any
-- notice, as writes are rare beside reads. Statements that change no row
-- (the suspension trigger's update of posts on every sign-in, say) say
-- nothing, so they cost the replicas no re-reads.
-- +goose StatementBegin
CREATE FUNCTION quire_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true; -- TRUNCATE
BEGIN
    -- One branch a transition table: each names a table only its events have.
    IF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT 1 FROM old_rows);
    ELSIF TG_OP <> 'TRUNCATE' THEN
        changed := EXISTS (SELECT 1 FROM new_rows);
    END IF;
    IF changed THEN
        PERFORM pg_notify('quire_changes', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- posts carries pages, suspension (author_suspended), comments_stamp and
-- everything a post's head shows; post_list_stats every list's size and
-- time (also moved by renames); post_slugs the old addresses a head is
-- found by; site_settings the version, the menu and all the site shows.
-- A trigger with transition tables takes one event, hence four a table.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['posts', 'post_list_stats', 'post_slugs', 'site_settings'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION quire_notify_change()', t || '_notify_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION quire_notify_change()', t || '_notify_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION quire_notify_change()', t || '_notify_delete', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION quire_notify_change()', t || '_notify_truncate', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- A post's head shows its author's names, also when the post is not in a
-- list (a draft its author reads): a rename notifies. Other updates of
-- users (a sign-in, a new session epoch) say nothing.
-- +goose StatementBegin
CREATE FUNCTION quire_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o USING (id)
               WHERE (n.username, n.display_name) IS DISTINCT FROM (o.username, o.display_name)) THEN
        PERFORM pg_notify('quire_changes', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER users_notify_change AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quire_notify_user_change();

-- +goose Down
DROP TRIGGER users_notify_change ON users;
DROP FUNCTION quire_notify_user_change();
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    e text;
BEGIN
    FOREACH t IN ARRAY ARRAY['posts', 'post_list_stats', 'post_slugs', 'site_settings'] LOOP
        FOREACH e IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
            EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_' || e, t);
        END LOOP;
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION quire_notify_change();
