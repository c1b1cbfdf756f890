"""Full-text search over the article store (issue 5): see `service` for the engine and ranking."""

from bot.search.query import ParsedQuery, parse_query
from bot.search.results import Hit, SearchResult
from bot.search.service import SearchService

__all__ = ["Hit", "ParsedQuery", "SearchResult", "SearchService", "parse_query"]
