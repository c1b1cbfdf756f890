-- The digest send queue (bot/digests/pgqueue.py): the digests due and not yet confirmed by
-- Telegram, one row per time a chat fell due. Any process claims a chat's rows with
-- FOR UPDATE SKIP LOCKED, sends its digest, moves its subscriptions' cursors and deletes the
-- rows in one transaction: a process killed mid-send leaves them for another.
CREATE TABLE digest_requests (
    id bigserial PRIMARY KEY,
    chat_id bigint NOT NULL,
    sub_ids text[] NOT NULL DEFAULT '{}',
    due timestamptz,
    queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digest_requests_chat ON digest_requests (chat_id);
