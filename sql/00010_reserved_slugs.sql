-- +goose Up
-- A post whose slug is a word the routes use under /posts/ ("new", the
-- actions under /posts/{id}/) could never be reached. Saves now number such
-- slugs as if taken (models.reservedSlugs, the same list); posts saved
-- before get the first free numbered variant here, as a save would give.
-- +goose StatementBegin
DO $$
DECLARE
    p record;
    n integer;
    candidate text;
BEGIN
    FOR p IN SELECT id, slug FROM posts
             WHERE slug IN ('new', 'edit', 'editor', 'view', 'autosave', 'preview',
                            'publish', 'unpublish', 'delete', 'restore', 'revisions')
             ORDER BY id
    LOOP
        n := 2;
        LOOP
            candidate := p.slug || '-' || n;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM posts WHERE slug = candidate)
                  AND NOT EXISTS (SELECT 1 FROM post_slugs WHERE slug = candidate AND post_id <> p.id);
            n := n + 1;
        END LOOP;
        UPDATE posts SET slug = candidate WHERE id = p.id;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Nothing to undo: the numbered slugs are valid, and the words were never reachable.
SELECT 1;
