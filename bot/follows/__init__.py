"""Following a story: the follows of each chat, what counts as news, paced updates."""
