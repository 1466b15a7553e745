-- +goose Up
-- Search follows the site's language: words are stemmed and stop words
-- dropped by the PostgreSQL text search configuration for it, when
-- PostgreSQL has one, else by 'simple' (words as they are). The posts'
-- search vector was a generated column fixed to 'english'; it is now kept by
-- a trigger reading the site's configuration, and every post is read again
-- when the language changes.

-- +goose StatementBegin
-- quire_search_config is the configuration for a BCP 47 language tag,
-- by its primary subtag.
CREATE FUNCTION quire_search_config(lang text) RETURNS regconfig
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT c.oid::regconfig FROM pg_ts_config c
        JOIN pg_namespace n ON n.oid = c.cfgnamespace AND n.nspname = 'pg_catalog'
        WHERE c.cfgname = CASE lower(split_part(lang, '-', 1))
            WHEN 'ar' THEN 'arabic'     WHEN 'hy' THEN 'armenian'  WHEN 'eu' THEN 'basque'
            WHEN 'ca' THEN 'catalan'    WHEN 'da' THEN 'danish'    WHEN 'nl' THEN 'dutch'
            WHEN 'en' THEN 'english'    WHEN 'fi' THEN 'finnish'   WHEN 'fr' THEN 'french'
            WHEN 'de' THEN 'german'     WHEN 'el' THEN 'greek'     WHEN 'hi' THEN 'hindi'
            WHEN 'hu' THEN 'hungarian'  WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish'
            WHEN 'it' THEN 'italian'    WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali'
            WHEN 'no' THEN 'norwegian'  WHEN 'nb' THEN 'norwegian' WHEN 'nn' THEN 'norwegian'
            WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian'  WHEN 'ru' THEN 'russian'
            WHEN 'sr' THEN 'serbian'    WHEN 'es' THEN 'spanish'   WHEN 'sv' THEN 'swedish'
            WHEN 'ta' THEN 'tamil'      WHEN 'tr' THEN 'turkish'   WHEN 'yi' THEN 'yiddish'
        END), 'pg_catalog.simple'::regconfig)
$$;
-- +goose StatementEnd

ALTER TABLE site_settings ADD COLUMN search_config regconfig;
UPDATE site_settings SET search_config = quire_search_config(language);
ALTER TABLE site_settings ALTER COLUMN search_config SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION quire_settings_search_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_config := quire_search_config(NEW.language);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER site_settings_search_config BEFORE INSERT OR UPDATE OF language ON site_settings
    FOR EACH ROW EXECUTE FUNCTION quire_settings_search_config();

-- +goose StatementBegin
-- quire_post_search is a post's search vector: a match in the title
-- outweighs one in the tags, which outweighs one in the body.
CREATE FUNCTION quire_post_search(cfg regconfig, title text, tags text[], body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector(cfg, coalesce(title, '')), 'A') ||
           setweight(to_tsvector(cfg, coalesce(quire_tags_text(tags), '')), 'B') ||
           setweight(to_tsvector(cfg, coalesce(body, '')), 'C')
$$;
-- +goose StatementEnd

ALTER TABLE posts ALTER COLUMN search DROP EXPRESSION;

-- +goose StatementBegin
CREATE FUNCTION quire_posts_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := quire_post_search((SELECT search_config FROM site_settings WHERE id = 1), NEW.title, NEW.tags, NEW.body);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE OF title, tags, body ON posts
    FOR EACH ROW EXECUTE FUNCTION quire_posts_search();

-- +goose StatementBegin
-- A new language reads every post again, in the transaction that saves it:
-- searches never mix two languages' vectors.
CREATE FUNCTION quire_search_reindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts SET search = quire_post_search(NEW.search_config, title, tags, body);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER site_settings_search_reindex AFTER UPDATE OF language ON site_settings
    FOR EACH ROW WHEN (OLD.search_config IS DISTINCT FROM NEW.search_config)
    EXECUTE FUNCTION quire_search_reindex();

-- The vectors written so far were 'english'; a site set to another
-- language before this migration gets its own now.
UPDATE posts SET search = quire_post_search((SELECT search_config FROM site_settings WHERE id = 1), title, tags, body)
WHERE (SELECT search_config FROM site_settings WHERE id = 1) <> 'pg_catalog.english'::regconfig;

-- +goose Down
DROP TRIGGER site_settings_search_reindex ON site_settings;
DROP FUNCTION quire_search_reindex();
DROP TRIGGER posts_search ON posts;
DROP FUNCTION quire_posts_search();
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(quire_tags_text(tags), '')), 'B') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'C')
) STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search);
DROP FUNCTION quire_post_search(regconfig, text, text[], text);
DROP TRIGGER site_settings_search_config ON site_settings;
DROP FUNCTION quire_settings_search_config();
ALTER TABLE site_settings DROP COLUMN search_config;
DROP FUNCTION quire_search_config(text);
