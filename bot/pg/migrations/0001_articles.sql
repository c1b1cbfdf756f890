-- The archive (bot/pg/articles.py). seq orders arrivals across processes: each process
-- derives its in-memory entries and its search index from the table and catches up from
-- the highest seq it has seen. The unique dedup keys are the ones of bot/archive/dedup.py
-- (canonical URL, feed GUID, hash of normalised title and body), so two processes adding
-- the same article at once store it once.
CREATE TABLE articles (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    title text NOT NULL,
    body text NOT NULL,
    url text,
    url_key text,
    guid text,
    content_key text NOT NULL,
    published timestamptz NOT NULL,
    added timestamptz NOT NULL,
    source text,
    category text,
    lang text NOT NULL
);
CREATE UNIQUE INDEX articles_url_key ON articles (url_key) WHERE url_key IS NOT NULL;
CREATE UNIQUE INDEX articles_guid ON articles (guid) WHERE guid IS NOT NULL;
CREATE UNIQUE INDEX articles_content_key ON articles (content_key);
CREATE INDEX articles_added ON articles (added);

-- What retention removed, in order, so other processes drop it from memory and their index.
CREATE TABLE article_removals (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now()
);
