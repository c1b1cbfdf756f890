"""LocalBotApiServer: the Bot API over HTTP on 127.0.0.1 plus an API to act as users."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.tgserver.channels import ChannelAdmin, channel_admin
from bot.tgserver.core import BotIdentity, Core
from bot.tgserver.errors import ApiError, not_found, unauthorized
from bot.tgserver.groups import GroupChat, new_group
from bot.tgserver.http import HttpServer, Request, Response
from bot.tgserver.incoming import base_message
from bot.tgserver.limits import Limits, Stats
from bot.tgserver.methods_bot import BOT_METHODS
from bot.tgserver.methods_messages import MESSAGE_METHODS
from bot.tgserver.params import decode_params
from bot.tgserver.records import SentMessage
from bot.tgserver.state import ChatState, user_json
from bot.tgserver.users import UserClient

log = logging.getLogger(__name__)

Method = Callable[[Core, dict[str, Any]], Awaitable[Any]]
_PATH = re.compile(r"^/bot([^/]*)/([A-Za-z]+)$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class LocalBotApiServer:
    """A Telegram-like Bot API server for tests, benchmarks and `newsbrief chat`."""

    def __init__(
        self,
        token: str = "123456:TEST-token",  # noqa: S107 - a fake token for a fake server
        *,
        bot_username: str = "newsbrief_bot",
        bot_name: str = "newsbrief",
        limits: Limits | None = None,
        privacy_mode: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not _TOKEN.match(token):
            raise ValueError("token must look like '<digits>:<letters>'")
        identity = BotIdentity(token, bot_username, bot_name, privacy_mode)
        self._core = Core(bot=identity, limits=limits or Limits(), clock=clock)
        self._methods: dict[str, Method] = {**BOT_METHODS, **MESSAGE_METHODS}
        self._http = HttpServer(self._handle, host, port)
        self._host = host

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening; `base_url` is valid afterwards."""
        await self._http.start()

    async def stop(self) -> None:
        """Stop webhook delivery and the HTTP server, ending any long poll."""
        await self._core.queue.close()
        await self._http.stop()

    async def __aenter__(self) -> LocalBotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """Return the TCP port the server listens on."""
        return self._http.port

    @property
    def base_url(self) -> str:
        """Return the value for PTB's `base_url` (requests go to `<base_url><TOKEN>/<method>`)."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def token(self) -> str:
        """Return the only token this server accepts."""
        return self._core.bot.token

    def revoke_token(self) -> None:
        """Do what BotFather's /revoke does: the token in use is answered 401 from now on."""
        self._core.bot.token = f"{self.bot_id}:revoked-{self._core.bot.token.split(':', 1)[1]}"

    @property
    def bot_id(self) -> int:
        """Return the bot's user id."""
        return self._core.bot.bot_id

    @property
    def bot_username(self) -> str:
        """Return the bot's username (without @)."""
        return self._core.bot.username

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        match = _PATH.match(request.target.split("?", 1)[0])
        try:
            if match is None or not _TOKEN.match(match.group(1)):
                raise not_found()
            if match.group(1) != self._core.bot.token:
                raise unauthorized()
            name = match.group(2).lower()
            if (method := self._methods.get(name)) is None:
                raise not_found()
            stats = self._core.stats
            stats.calls_per_method[name] += 1
            if name == "getupdates" and stats.first_get_updates_at is None:
                stats.first_get_updates_at = self._core.clock()
            result = await method(self._core, decode_params(request))
        except ApiError as exc:
            return self._error(exc)
        body = json.dumps({"ok": True, "result": result}, ensure_ascii=False)
        return Response(200, body.encode("utf-8"))

    def _error(self, exc: ApiError) -> Response:
        stats = self._core.stats
        stats.errors += 1
        stats.errors_per_description[exc.description.split(":")[0]] += 1
        if exc.code not in (404, 429):
            log.debug("local Bot API answered %s %s", exc.code, exc.description)
        return Response(exc.code, json.dumps(exc.payload(), ensure_ascii=False).encode("utf-8"))

    # --- acting as users -------------------------------------------------------------------

    def user(
        self,
        user_id: int = 1,
        first_name: str = "Ann",
        *,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> UserClient:
        """Register a user and return a client for their private chat (chat_id == user_id)."""
        world = self._core.world
        user = world.users.setdefault(
            user_id, user_json(user_id, first_name, username, language_code)
        )
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        return UserClient(self._core, user, world.add_chat(chat))

    def group(
        self,
        chat_id: int = -1001234567890,
        title: str = "Group",
        *,
        members: Iterable[UserClient | int] = (),
        admins: Iterable[UserClient | int] = (),
        owner: UserClient | int | None = None,
        forum: bool = False,
        username: str | None = None,
    ) -> GroupChat:
        """Register a group (supergroup when the id starts with -100) and its members."""
        return new_group(
            self._core, chat_id, title, members, admins, owner, forum=forum, username=username
        )

    def channel(self, chat_id: int, admin: UserClient, title: str = "Channel") -> ChannelAdmin:
        """Register a channel the bot administers; return an admin whose posts are the channel's."""
        return channel_admin(self._core, chat_id, title, admin.user)

    def _chat(self, chat_id: int) -> ChatState:
        state = self._core.world.chats.get(chat_id)
        if state is None:
            raise LookupError(f"chat {chat_id} is unknown")
        return state

    def block(self, chat_id: int) -> None:
        """Mark a chat as having blocked the bot (403 on every send)."""
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        """Undo block()."""
        self._chat(chat_id).blocked = False

    async def set_bot_member(self, chat_id: int, by: UserClient, *, present: bool) -> None:
        """Remove the bot from a chat (or block it) or bring it back, with my_chat_member."""
        state = self._chat(chat_id)
        gone = "kicked"  # a group that removes the bot, a user who blocks it
        old, new = (gone, "member") if present else ("member", gone)
        state.blocked = not present
        me = {"id": self.bot_id, "is_bot": True, "first_name": self._core.bot.first_name}

        def member(status: str) -> dict[str, Any]:
            return {"status": status, "user": me, **({"until_date": 0} if status == gone else {})}

        update = {"chat": dict(state.chat), "from": by.user, "date": int(time.time())}
        update |= {"old_chat_member": member(old), "new_chat_member": member(new)}
        await self._core.queue.put("my_chat_member", update)

    def migrate(self, old_chat_id: int, new_chat_id: int) -> GroupChat:
        """Upgrade a group to a supergroup: sends to the old id answer migrate_to_chat_id."""
        old = self._chat(old_chat_id)
        chat = {**old.chat, "id": new_chat_id, "type": "supergroup"}
        state = self._core.world.add_chat(chat)
        state.members.update(old.members)
        state.admins.update(old.admins)
        state.owner = old.owner
        old.migrated_to = new_chat_id
        return GroupChat(self._core, state)

    async def upgrade(self, old_chat_id: int, new_chat_id: int, by: UserClient) -> GroupChat:
        """migrate(), with the two service messages Telegram sends the bot in both chats."""
        group = self.migrate(old_chat_id, new_chat_id)
        old = self._chat(old_chat_id)
        told = base_message(old, by.user, None) | {"migrate_to_chat_id": new_chat_id}
        came = base_message(group.state, by.user, None) | {"migrate_from_chat_id": old_chat_id}
        for message in (told, came):
            await self._core.queue.put("message", message)
        return group

    def forget_chat(self, chat_id: int) -> None:
        """Make a chat unknown: sends to it answer `chat not found`."""
        self._core.world.chats.pop(chat_id, None)

    # --- reading what the bot did ----------------------------------------------------------

    def sent(self, chat_id: int) -> list[SentMessage]:
        """Return every send and edit the bot made in a chat, oldest first."""
        state = self._core.world.chats.get(chat_id)
        return list(state.log) if state else []

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Return the command list the bot registered for a scope and language."""
        key = json.dumps([scope or {"type": "default"}, language_code], sort_keys=True)
        return list(self._core.commands.get(key, []))

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """Return every (chat_id, action) the bot sent with sendChatAction."""
        return list(self._core.chat_actions)

    @property
    def stats(self) -> Stats:
        """Return the live counters (messages sent, 429s, per chat, per method)."""
        return self._core.stats

    async def long_poll_waiting(self) -> None:
        """Return once the bot's getUpdates has waited here: an update sent now wakes it."""
        await self._core.queue.long_poll_waiting()

    @property
    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        return self._core.queue.pending_count

    @property
    def webhook_deliveries(self) -> int:
        """Return how many updates were delivered by webhook."""
        return self._core.queue.delivered

    # --- flood control ---------------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        """Return the active flood limits."""
        return self._core.flood.limits

    def set_limits(self, limits: Limits) -> None:
        """Replace the flood limits (buckets restart full)."""
        from bot.tgserver.limits import FloodControl

        self._core.limits = limits
        self._core.flood = FloodControl(limits, self._core.clock)

    def force_flood(self, retry_after: int = 1, count: int | None = None) -> None:
        """Answer the next `count` sends (all, when None) with 429 retry_after."""
        self._core.flood.forced_retry_after = retry_after
        self._core.flood.forced_remaining = count

    def stop_flood(self) -> None:
        """End a forced 429 storm."""
        self._core.flood.forced_retry_after = None
        self._core.flood.forced_remaining = None
