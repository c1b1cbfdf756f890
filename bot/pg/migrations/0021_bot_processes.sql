-- The bot processes sharing this database (bot/pg/processes.py): each writes its row every few
-- seconds, by the database's clock, so the live ones count themselves and divide Telegram's
-- per-bot message rate between them (bot/app/processes.py). A killed process's row goes stale.
CREATE TABLE bot_processes (
    id text PRIMARY KEY,
    seen timestamptz NOT NULL DEFAULT now()
);
