"""Build the updates a Telegram client would produce: messages with entities, edits, media."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.tgserver.entities import utf16_len
from bot.tgserver.state import ChatState

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?!\w)")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#\w+")


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Return bot_command, mention, url and hashtag entities the way Telegram marks them."""
    found: list[tuple[int, int, str]] = []
    taken: list[range] = []
    for kind, pattern in (
        ("bot_command", _COMMAND),
        ("url", _URL),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            taken.append(range(match.start(), match.end()))
            found.append((match.start(), match.end(), kind))
    found.sort()
    return [
        {
            "type": kind,
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
        }
        for start, end, kind in found
    ]


def base_message(state: ChatState, user: dict[str, Any], thread_id: int | None) -> dict[str, Any]:
    """Return the common fields of a message a user sends into a chat."""
    message: dict[str, Any] = {
        "message_id": state.new_message_id(),
        "from": user,
        "chat": state.chat,
        "date": int(time.time()),
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        if state.chat.get("is_forum"):
            message["is_topic_message"] = True
    return message


def addressed_to_bot(message: dict[str, Any], bot_username: str, bot_id: int) -> bool:
    """Return True when a bot in privacy mode would receive this group message."""
    text = str(message.get("text") or message.get("caption") or "")
    for entity in message.get("entities", []):
        if entity["type"] == "bot_command" and entity["offset"] == 0:
            command = text.encode("utf-16-le", "surrogatepass")[: entity["length"] * 2].decode(
                "utf-16-le", "surrogatepass"
            )
            _, _, target = command.partition("@")
            return not target or target.lower() == bot_username.lower()
    reply = message.get("reply_to_message")
    # Privacy mode hides plain text and even mentions, as on Telegram; replies to the bot pass.
    return bool(reply and reply.get("from", {}).get("id") == bot_id)


def sticker(emoji: str) -> dict[str, Any]:
    """Return a Sticker object."""
    return {
        "file_id": "CAACAgIAAxkBAAEStickerFileId",
        "file_unique_id": "AgADStickerUnique",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }


def photo_sizes() -> list[dict[str, Any]]:
    """Return the PhotoSize list of a small photo."""
    return [
        {
            "file_id": f"AgACAgIAAxkBAAEPhoto{size}",
            "file_unique_id": f"AQADPhoto{size}",
            "width": size,
            "height": size,
            "file_size": size * 40,
        }
        for size in (90, 320, 800)
    ]
