"""The archive: articles on disk, the users file, the data-dir lock, backup and restore.

Articles live in segment files (`segments`, `storage`, `records`), deduplicated by `dedup`
keys and served by `store.ArticleStore`. Imports only bot.config, bot.models and bot.text.
"""
