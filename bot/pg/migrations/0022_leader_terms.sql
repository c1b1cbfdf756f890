-- One number per leadership (bot/pg/leader.py): the leader of term n hands out chats' listing
-- keys from n × a million on (bot/app/shared_chats.py), so a new leader never gives a list a key
-- an old leader's buttons carry, even when the old one was killed before saving its chats.
CREATE SEQUENCE leader_terms;
