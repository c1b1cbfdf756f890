"""What the server records: messages the bot sent, callback and inline answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message the bot sent or edited, as the chat saw it at that moment."""

    chat_id: int
    message_id: int
    text: str  # plain text after entity parsing, as the user sees it
    source: str  # the text exactly as the bot sent it (HTML when parse_mode is HTML)
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    message_thread_id: int | None
    link_preview_disabled: bool
    link_preview_options: dict[str, Any] | None
    reply_to_message_id: int | None
    timestamp: float  # time.time() when the server accepted it
    kind: str = "sent"  # "sent", "edited" (text) or "markup" (reply markup only)
    paid_broadcast: bool = False  # sent with allow_paid_broadcast (Bot API 7.11)

    @property
    def edited(self) -> bool:
        """Return True when this record is an edit of an earlier message."""
        return self.kind != "sent"

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Return the inline keyboard buttons row by row, flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        """Return the texts of the inline keyboard buttons, flattened."""
        return [str(button.get("text", "")) for button in self.buttons]


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for a button press."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True, slots=True)
class InlineAnswer:
    """The bot's answerInlineQuery for an inline query."""

    results: list[dict[str, Any]]
    next_offset: str
    cache_time: int | None
    is_personal: bool
    button: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
