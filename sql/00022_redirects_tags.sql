-- +goose Up
-- An old address may lead to a tag page as well as to a post: WordPress's
-- /category/x/ (and /category/parent/child/) and /tag/x/, Ghost's /tag/x/.
-- tag is the Quire tag (its stored form); exactly one target is set.
ALTER TABLE redirects
    ALTER COLUMN post_id DROP NOT NULL,
    ADD COLUMN tag text CHECK (char_length(tag) BETWEEN 1 AND 200),
    ADD CONSTRAINT redirects_one_target CHECK ((post_id IS NULL) <> (tag IS NULL));

-- +goose Down
DELETE FROM redirects WHERE post_id IS NULL;
ALTER TABLE redirects
    DROP CONSTRAINT redirects_one_target,
    DROP COLUMN tag,
    ALTER COLUMN post_id SET NOT NULL;
