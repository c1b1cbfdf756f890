"""Checks Telegram makes on message text, keyboards and inline results."""

from __future__ import annotations

from typing import Any

from bot.tgserver.entities import EntityParseError, ParsedText, parse_message_text, utf16_len
from bot.tgserver.errors import bad_request

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://")


def parse_text(text: Any, parse_mode: Any, *, what: str = "message text") -> ParsedText:
    """Parse and check message text like Telegram: entities, emptiness, length."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request(f"{what} is empty")
    mode = parse_mode if isinstance(parse_mode, str) and parse_mode else None
    if mode is not None and mode.lower() != "html":
        if mode.lower() not in ("markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        raise bad_request(f"the local server only parses HTML, got parse_mode {mode}")
    try:
        parsed = parse_message_text(text, mode)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if not parsed.text:
        raise bad_request(f"{what} is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES):
            raise bad_request("BUTTON_URL_INVALID")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup object and return it (None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup")
        for row in rows:
            for button in row:
                _check_button(button)
        if sum(len(row) for row in rows) > 100:
            raise bad_request("reply markup is too long")
    return markup


def check_inline_results(results: Any) -> list[dict[str, Any]]:
    """Validate answerInlineQuery results like Telegram does."""
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON")
    if len(results) > 50:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or "type" not in result:
            raise bad_request("can't parse inline query result")
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise bad_request("RESULT_TITLE_EMPTY")
        check_reply_markup(result.get("reply_markup"))
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            try:
                parse_text(content["message_text"], content.get("parse_mode"))
            except Exception as exc:
                detail = str(exc).removeprefix("Bad Request: ")
                raise bad_request(f"can't parse InputTextMessageContent: {detail}") from None
    return results
