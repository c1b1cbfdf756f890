"""Feeds: fetch RSS, Atom and JSON Feed politely, turn items into articles, keep each feed's status."""

from bot.feeds.fetcher import FetchSettings
from bot.feeds.fulltext import FullTextSettings
from bot.feeds.jobs import job_name
from bot.feeds.poller import Backoff
from bot.feeds.service import FeedService
from bot.feeds.status import FeedError, FeedStatus, PollResult

__all__ = [
    "Backoff",
    "FeedError",
    "FeedService",
    "FeedStatus",
    "FetchSettings",
    "FullTextSettings",
    "PollResult",
    "job_name",
]
