"""Bot API methods that send, edit and delete messages."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.errors import bad_request, too_many_requests
from bot.tgserver.records import SentMessage
from bot.tgserver.state import ChatState
from bot.tgserver.validate import check_reply_markup, parse_text

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


_PREVIEW_FLAGS = ("is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text")


def _preview(params: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """Return (previews disabled, link_preview_options) from either parameter style.

    Malformed options (Bot API 7.0: an object with an optional string `url` and boolean
    flags) are refused as Telegram refuses them.
    """
    options = params.get("link_preview_options")
    if options is not None and (
        not isinstance(options, dict)
        or not isinstance(options.get("url", ""), str)
        or any(not isinstance(options.get(f, False), bool) for f in _PREVIEW_FLAGS)
    ):
        raise bad_request("can't parse link preview options JSON object")
    disabled = bool(params.get("disable_web_page_preview")) or bool(
        options and options.get("is_disabled")
    )
    return disabled, options


def _reply_to(state: ChatState, params: dict[str, Any]) -> dict[str, Any] | None:
    """Return the message being replied to, or raise when it is missing and that matters."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        message_id, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.get("reply_to_message_id")
        allow = bool(params.get("allow_sending_without_reply"))
    if message_id is None:
        return None
    found = state.messages.get(int(message_id))
    if found is None and not allow:
        raise bad_request("message to be replied not found")
    return found


def _record(
    state: ChatState, message: dict[str, Any], source: str, params: dict[str, Any], kind: str
) -> SentMessage:
    """Build the log entry for a message the bot just sent or edited."""
    disabled, options = _preview(params)
    reply = message.get("reply_to_message")
    return SentMessage(
        chat_id=state.chat_id,
        message_id=int(message["message_id"]),
        text=str(message.get("text", "")),
        source=source,
        parse_mode=params.get("parse_mode") or None,
        entities=list(message.get("entities", [])),
        reply_markup=message.get("reply_markup"),
        message_thread_id=message.get("message_thread_id"),
        link_preview_disabled=disabled,
        link_preview_options=options,
        reply_to_message_id=int(reply["message_id"]) if reply else None,
        timestamp=time.time(),
        kind=kind,
    )


def _paid(params: dict[str, Any]) -> bool:
    """Return allow_paid_broadcast (Bot API 7.11); a value that is not a boolean is refused."""
    paid = params.get("allow_paid_broadcast", False)
    if not isinstance(paid, bool):
        raise bad_request("can't parse allow_paid_broadcast: a Boolean is expected")
    return paid


def _check_flood(core: Core, state: ChatState, paid: bool) -> None:
    billed = core.flood.billed
    wait = core.flood.retry_after(state.chat_id, state.is_group, paid)
    if wait:
        core.stats.too_many_requests += 1
        core.stats.too_many_per_chat[state.chat_id] += 1
        raise too_many_requests(wait)
    core.stats.paid_broadcasts += paid
    core.stats.billed_messages += core.flood.billed - billed


async def send_message(core: Core, params: dict[str, Any]) -> dict[str, Any]:
    """sendMessage: validate like Telegram, apply flood limits, store and log the message."""
    state = core.world.resolve(params.get("chat_id"))
    parsed = parse_text(params.get("text"), params.get("parse_mode"))
    markup = check_reply_markup(params.get("reply_markup"))
    reply = _reply_to(state, params)
    disabled, options = _preview(params)
    paid = _paid(params)
    thread = params.get("message_thread_id")
    if thread is not None:
        state.check_topic(int(thread))
    _check_flood(core, state, paid)
    message: dict[str, Any] = {
        "message_id": state.new_message_id(),
        "from": core.bot.user(),
        "chat": state.chat,
        "date": int(time.time()),
        "text": parsed.text,
    }
    if parsed.entities:
        message["entities"] = parsed.entities
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    if thread is not None:
        message["message_thread_id"] = int(thread)
        message["is_topic_message"] = bool(state.chat.get("is_forum"))
    if reply is not None:
        message["reply_to_message"] = {k: v for k, v in reply.items() if k != "reply_to_message"}
    if options or disabled:
        message["link_preview_options"] = options or {"is_disabled": True}
    state.messages[message["message_id"]] = message
    core.stats.messages_sent += 1
    core.stats.sent_per_chat[state.chat_id] += 1
    entry = _record(state, message, str(params["text"]), params, "sent")
    await core.world.record(state, replace(entry, paid_broadcast=paid))
    return message


def _editable(core: Core, params: dict[str, Any]) -> tuple[ChatState, dict[str, Any]]:
    state = core.world.resolve(params.get("chat_id"))
    message = core.world.message(state, params.get("message_id"), "edit")
    if message.get("from", {}).get("id") != core.bot.bot_id:
        raise bad_request("message can't be edited")
    return state, message


async def edit_message_text(core: Core, params: dict[str, Any]) -> dict[str, Any] | bool:
    """editMessageText: replace text (and keyboard); 400 when nothing changes."""
    parsed = parse_text(params.get("text"), params.get("parse_mode"))
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    state, message = _editable(core, params)
    new_markup = markup if markup and "inline_keyboard" in markup else None
    if (
        message.get("text") == parsed.text
        and message.get("entities", []) == parsed.entities
        and message.get("reply_markup") == new_markup
    ):
        raise bad_request(_NOT_MODIFIED)
    message["text"] = parsed.text
    message["edit_date"] = int(time.time())
    _set_optional(message, "entities", parsed.entities or None)
    _set_optional(message, "reply_markup", new_markup)
    core.stats.messages_edited += 1
    await core.world.record(state, _record(state, message, str(params["text"]), params, "edited"))
    return message


async def edit_message_reply_markup(core: Core, params: dict[str, Any]) -> dict[str, Any] | bool:
    """editMessageReplyMarkup: replace only the keyboard; 400 when nothing changes."""
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    state, message = _editable(core, params)
    new_markup = markup if markup and "inline_keyboard" in markup else None
    if message.get("reply_markup") == new_markup:
        raise bad_request(_NOT_MODIFIED)
    _set_optional(message, "reply_markup", new_markup)
    message["edit_date"] = int(time.time())
    core.stats.messages_edited += 1
    last_source = next(
        (e.source for e in reversed(state.log) if e.message_id == message["message_id"]), ""
    )
    entry = _record(state, message, last_source, params, "markup")
    await core.world.record(state, entry)
    return message


def _set_optional(message: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


async def delete_message(core: Core, params: dict[str, Any]) -> bool:
    """deleteMessage: forget a message of this chat."""
    state = core.world.resolve(params.get("chat_id"))
    message = core.world.message(state, params.get("message_id"), "delete")
    del state.messages[int(message["message_id"])]
    return True


async def send_chat_action(core: Core, params: dict[str, Any]) -> bool:
    """sendChatAction: check the action name and remember it."""
    state = core.world.resolve(params.get("chat_id"))
    action = params.get("action")
    if action not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    core.chat_actions.append((state.chat_id, str(action)))
    return True


MESSAGE_METHODS = {
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
}
