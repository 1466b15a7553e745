-- +goose Up
-- Old addresses become an admin table (/admin/redirects): each row gets an id
-- and a version (inline edits), says where it came from (origin: the import's
-- format, read from its source, or 'admin'), and may lead, besides a post or
-- a tag, to any other address on this site (target_path: a path and query,
-- escaped, never one another host could be read from) or, typed by an admin,
-- to an https address on another site (target_url). Exactly one target.
ALTER TABLE redirects
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY,
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN origin text NOT NULL DEFAULT 'import' CHECK (origin ~ '^[a-z]{1,20}$'),
    ADD COLUMN target_path text CHECK (target_path LIKE '/%' AND target_path NOT LIKE '//%'
        AND strpos(target_path, '\') = 0 AND target_path !~ '[[:cntrl:][:space:]]' AND char_length(target_path) <= 2000),
    ADD COLUMN target_url text CHECK (target_url LIKE 'https://_%' AND target_url !~ '[[:cntrl:][:space:]]'
        AND char_length(target_url) <= 2000),
    DROP CONSTRAINT redirects_one_target,
    ADD CONSTRAINT redirects_one_target CHECK (num_nonnulls(post_id, tag, target_path, target_url) = 1),
    ADD CONSTRAINT redirects_id_key UNIQUE (id);

-- Rows made before: a post's from the import that made the post; a term's
-- /category/ address is WordPress's; other tag addresses are left 'import'.
UPDATE redirects r SET origin = coalesce(
    (SELECT split_part(s.source, ' ', 1) FROM import_sources s WHERE s.kind = 'post' AND s.post_id = r.post_id LIMIT 1),
    CASE WHEN r.path LIKE '/category/%' THEN 'wordpress' END, 'import');

-- +goose Down
DELETE FROM redirects WHERE target_path IS NOT NULL OR target_url IS NOT NULL;
ALTER TABLE redirects
    DROP CONSTRAINT redirects_one_target,
    DROP CONSTRAINT redirects_id_key,
    DROP COLUMN target_url,
    DROP COLUMN target_path,
    DROP COLUMN origin,
    DROP COLUMN version,
    DROP COLUMN id,
    ADD CONSTRAINT redirects_one_target CHECK ((post_id IS NULL) <> (tag IS NULL));
