-- Feed polls claimed per feed (bot/feeds/claims.py): each feed row carries its next poll time
-- and whether it is active, copied from its document by a trigger (a cast to timestamptz is
-- not immutable, so these cannot be generated columns), so a process claims the feed due
-- first with FOR UPDATE SKIP LOCKED through an index.
ALTER TABLE user_feeds
    ADD COLUMN next_poll_at timestamptz,
    ADD COLUMN active boolean NOT NULL DEFAULT true;

CREATE FUNCTION user_feeds_poll_columns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.next_poll_at := (NEW.doc ->> 'next_poll')::timestamptz;
    NEW.active := coalesce((NEW.doc ->> 'active')::boolean, true);
    RETURN NEW;
END
$$;

CREATE TRIGGER user_feeds_poll_columns BEFORE INSERT OR UPDATE OF doc ON user_feeds
    FOR EACH ROW EXECUTE FUNCTION user_feeds_poll_columns();

UPDATE user_feeds SET doc = doc;
CREATE INDEX user_feeds_due ON user_feeds (next_poll_at NULLS FIRST) WHERE active;
