"""A local Telegram Bot API server for tests, benchmarks and `newsbrief chat`."""

from bot.tgserver.entities import EntityParseError, ParsedText, parse_html, utf16_len
from bot.tgserver.groups import GroupChat
from bot.tgserver.limits import Limits, Stats
from bot.tgserver.records import CallbackAnswer, InlineAnswer, SentMessage
from bot.tgserver.server import LocalBotApiServer
from bot.tgserver.users import UserClient

__all__ = [
    "CallbackAnswer",
    "EntityParseError",
    "GroupChat",
    "InlineAnswer",
    "Limits",
    "LocalBotApiServer",
    "ParsedText",
    "SentMessage",
    "Stats",
    "UserClient",
    "parse_html",
    "utf16_len",
]
