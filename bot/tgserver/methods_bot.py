"""Bot API methods about the bot itself, updates, webhooks, queries and chat info."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.errors import bad_request
from bot.tgserver.records import CallbackAnswer, InlineAnswer
from bot.tgserver.state import ChatState
from bot.tgserver.updates import Webhook
from bot.tgserver.validate import check_inline_results

_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


async def get_me(core: Core, params: dict[str, Any]) -> dict[str, Any]:
    """getMe: the bot's User with its capabilities."""
    return {
        **core.bot.user(),
        "can_join_groups": True,
        "can_read_all_group_messages": not core.bot.privacy_mode,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(core: Core, params: dict[str, Any]) -> list[dict[str, Any]]:
    """getUpdates: long polling with offset, limit, timeout and allowed_updates."""
    return await core.queue.get_updates(params)


async def set_webhook(core: Core, params: dict[str, Any]) -> bool:
    """setWebhook: deliver updates by POST instead of getUpdates (empty url deletes it)."""
    url = params.get("url") or ""
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if url and not str(url).startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if params.get("allowed_updates") is not None:
        core.queue.allowed_updates = list(params["allowed_updates"])
    hook = Webhook(str(url), secret, int(params.get("max_connections") or 40)) if url else None
    await core.queue.set_webhook(hook, bool(params.get("drop_pending_updates")))
    return True


async def delete_webhook(core: Core, params: dict[str, Any]) -> bool:
    """deleteWebhook: back to getUpdates."""
    await core.queue.set_webhook(None, bool(params.get("drop_pending_updates")))
    return True


async def get_webhook_info(core: Core, params: dict[str, Any]) -> dict[str, Any]:
    """getWebhookInfo: the current webhook and pending update count."""
    hook = core.queue.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": core.queue.pending_count,
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    if core.queue.allowed_updates:
        info["allowed_updates"] = core.queue.allowed_updates
    return info


def _commands_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


async def set_my_commands(core: Core, params: dict[str, Any]) -> bool:
    """setMyCommands: validate and store the list for a scope and language."""
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        if not _COMMAND.fullmatch(str(name)):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    core.commands[_commands_key(params)] = commands
    return True


async def get_my_commands(core: Core, params: dict[str, Any]) -> list[dict[str, Any]]:
    """getMyCommands: the stored list for a scope and language."""
    return core.commands.get(_commands_key(params), [])


async def delete_my_commands(core: Core, params: dict[str, Any]) -> bool:
    """deleteMyCommands: drop the list for a scope and language."""
    core.commands.pop(_commands_key(params), None)
    return True


async def answer_callback_query(core: Core, params: dict[str, Any]) -> bool:
    """answerCallbackQuery: resolve the pending button press once."""
    future = core.callbacks.pop(str(params.get("callback_query_id")), None)
    if future is None or future.done():
        raise bad_request(_QUERY_TOO_OLD)
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        core.callbacks[str(params.get("callback_query_id"))] = future
        raise bad_request("MESSAGE_TOO_LONG")
    answer = CallbackAnswer(
        text=str(text) if text is not None else None,
        show_alert=bool(params.get("show_alert")),
        url=params.get("url"),
        cache_time=int(params.get("cache_time") or 0),
    )
    future.set_result(answer)
    return True


async def answer_inline_query(core: Core, params: dict[str, Any]) -> bool:
    """answerInlineQuery: validate results and resolve the pending inline query once."""
    query_id = str(params.get("inline_query_id"))
    future = core.inline_queries.get(query_id)
    if future is None or future.done():
        raise bad_request(_QUERY_TOO_OLD)
    results = check_inline_results(params.get("results"))
    next_offset = str(params.get("next_offset") or "")
    if len(next_offset.encode("utf-8")) > 64:
        raise bad_request("NEXT_OFFSET_INVALID")
    del core.inline_queries[query_id]
    cache_time = params.get("cache_time")
    future.set_result(
        InlineAnswer(
            results=results,
            next_offset=next_offset,
            cache_time=int(cache_time) if cache_time is not None else None,
            is_personal=bool(params.get("is_personal")),
            button=params.get("button"),
        )
    )
    return True


async def get_chat(core: Core, params: dict[str, Any]) -> dict[str, Any]:
    """getChat: ChatFullInfo with the fields PTB 22 requires."""
    state = core.world.resolve(params.get("chat_id"))
    linked = {} if state.linked_chat_id is None else {"linked_chat_id": state.linked_chat_id}
    return {
        **state.chat,
        **linked,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_GIFTS),
    }


def _member(core: Core, state: ChatState, user_id: int) -> dict[str, Any]:
    if user_id == core.bot.bot_id:
        return {"status": "member", "user": core.bot.user()}
    user = state.members.get(user_id) or core.world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if user_id == state.owner:
        return {"status": "creator", "user": user, "is_anonymous": False}
    if user_id in state.admins:
        rights = {right: right != "is_anonymous" for right in _ADMIN_RIGHTS}
        return {"status": "administrator", "user": user, **rights}
    if user_id in state.members or (not state.is_group and user_id == state.chat_id):
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


async def get_chat_member(core: Core, params: dict[str, Any]) -> dict[str, Any]:
    """getChatMember: creator, administrator, member or left."""
    state = core.world.resolve(params.get("chat_id"))
    try:
        user_id = int(params.get("user_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_request("invalid user_id specified") from None
    return _member(core, state, user_id)


async def get_chat_administrators(core: Core, params: dict[str, Any]) -> list[dict[str, Any]]:
    """getChatAdministrators: owner first, then admins (groups only)."""
    state = core.world.resolve(params.get("chat_id"))
    if not state.is_group:
        raise bad_request("there are no administrators in the private chat")
    ids = ([state.owner] if state.owner is not None else []) + sorted(state.admins)
    return [_member(core, state, user_id) for user_id in ids]


async def get_chat_member_count(core: Core, params: dict[str, Any]) -> int:
    """getChatMemberCount: members plus the bot."""
    state = core.world.resolve(params.get("chat_id"))
    return len(state.members) + 1 if state.is_group else 2


async def harmless(core: Core, params: dict[str, Any]) -> bool:
    """close, logOut and cosmetic setters: accepted and ignored."""
    return True


BOT_METHODS = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "answercallbackquery": answer_callback_query,
    "answerinlinequery": answer_inline_query,
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "getchatadministrators": get_chat_administrators,
    "getchatmembercount": get_chat_member_count,
    "close": harmless,
    "logout": harmless,
    "setmydescription": harmless,
    "setmyshortdescription": harmless,
    "setchatmenubutton": harmless,
}
