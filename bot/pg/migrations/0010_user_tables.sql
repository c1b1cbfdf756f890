-- The users' data (bot/pg/usertables.py): one table per table of the embedded users store,
-- each document under the key the embedded store gives it. `ord` keeps the order documents
-- were first written, as the embedded store lists them (feeds oldest first); `chat_id` is the
-- column the send queue reads a chat's subscriptions by (bot/digests/pgqueue.py). `doc` is
-- json, not jsonb: jsonb refuses the character U+0000, which a document may hold.
CREATE TABLE user_subscriptions (
    key text PRIMARY KEY,
    ord bigserial,
    doc json NOT NULL,
    chat_id bigint GENERATED ALWAYS AS ((doc ->> 'chat_id')::bigint) STORED
);
CREATE INDEX user_subscriptions_chat ON user_subscriptions (chat_id);
CREATE TABLE user_chats (key text PRIMARY KEY, ord bigserial, doc json NOT NULL);
CREATE TABLE user_follows (key text PRIMARY KEY, ord bigserial, doc json NOT NULL);
CREATE TABLE user_follow_quiet (key text PRIMARY KEY, ord bigserial, doc json NOT NULL);
CREATE TABLE user_feeds (key text PRIMARY KEY, ord bigserial, doc json NOT NULL);
CREATE TABLE user_meta (key text PRIMARY KEY, ord bigserial, doc json NOT NULL);
-- Tables no release has named yet share one table, apart by name.
CREATE TABLE user_other (
    tbl text NOT NULL,
    key text NOT NULL,
    ord bigserial,
    doc json NOT NULL,
    PRIMARY KEY (tbl, key)
);
