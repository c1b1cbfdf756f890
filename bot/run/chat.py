"""`newsbrief chat`: the local Bot API server and the bot in one process; the terminal is a user.

Type a message or command; `N` presses button N of the last message with buttons;
`@ words` runs an inline query (`+` shows more results, `N` sends result N). Without a terminal it reads
one line at a time, prints the replies as plain text and exits at end of input.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, TextIO

from bot.app.inflight import InFlight
from bot.app.wiring import build_application, running
from bot.config import Config
from bot.i18n import N_, Translator
from bot.render import html_to_plain
from bot.services import open_services
from bot.tgserver import LocalBotApiServer, SentMessage, UserClient

CHAT_TOKEN = "1000001:local-chat-token"  # noqa: S105 - the local server's own fake token
CHAT_USER_ID = 4242
REPLY_TIMEOUT = 30.0
HELLO = N_(
    "newsbrief chat — you are a Telegram user. Type /help; a number presses a button; "
    "@ words searches inline; Ctrl-D quits."
)
PROMPT = N_("you> ")


class Terminal:
    """The user side: send lines, press numbered buttons, print what the bot said."""

    def __init__(
        self, user: UserClient, in_flight: InFlight, out: TextIO, bot: str, tr: Translator
    ) -> None:
        self.user = user
        self.tr = tr  # the terminal's own lines speak the user's language too
        self.user_bot = bot
        self.in_flight = in_flight  # counts every update answered, stopped ones too
        self.out = out
        self.sent = 0
        self.buttons_of: SentMessage | None = None
        self.inline_query: tuple[str, str] | None = None
        self.choices: list[dict[str, Any]] = []  # inline results a number picks

    def write(self, text: str) -> None:
        """Print text and flush, so a pipe sees replies as they come."""
        self.out.write(text + "\n")
        self.out.flush()

    async def handle(self, line: str) -> None:
        """Act on one typed line."""
        text = line.strip()
        if not text:
            return
        number = int(text) if text.isascii() and text.isdigit() and len(text) < 4 else None
        choices, self.choices = self.choices, []
        if number is not None and choices:
            self._choose(choices, number)
        elif number is not None and self.buttons_of is not None:
            await self._press(number)
        elif text.startswith("@"):
            self.inline_query = (text[1:].strip(), "")
            await self._inline()
        elif text == "+" and self.inline_query is not None:
            await self._inline()
        else:
            await self.user.send(text)
            await self._settle()

    async def _settle(self) -> None:
        """Wait for the bot to finish the update just sent, then print its replies."""
        self.sent += 1
        try:
            await asyncio.wait_for(self.in_flight.wait_answered(self.sent), REPLY_TIMEOUT)
        except TimeoutError:
            self.write(self.tr.gettext("(the bot did not answer in time)"))
        self._show(self.user.replies())

    async def _press(self, number: int) -> None:
        """Press button `number` (1-based) of the last message that had buttons."""
        message = self.buttons_of
        assert message is not None
        missing = self.tr.gettext("(there is no button {n})").format(n=number)
        if not 1 <= number <= len(message.buttons):
            self.write(missing)
            return
        try:
            answer = await self.user.press(message, number - 1, timeout=REPLY_TIMEOUT)
        except LookupError:  # the bot has since edited its buttons away or deleted the message
            self.write(missing)
            return
        await self._settle()
        if answer.text:
            self.write(self.tr.gettext("(notice: {text})").format(text=answer.text))

    async def _inline(self) -> None:
        """Run the pending inline query and print its results."""
        assert self.inline_query is not None
        query, offset = self.inline_query
        answer = await self.user.inline(query, offset, timeout=REPLY_TIMEOUT)
        self.sent += 1
        if not answer.results:
            self.write(self.tr.gettext("(no inline results)"))
        for n, result in enumerate(answer.results, start=1):
            self.write(f"{n}. {result.get('title', '')}\n   {result.get('description', '')}")
        self.choices = answer.results
        self.inline_query = (query, answer.next_offset) if answer.next_offset else None
        if answer.results:
            _ = self.tr.gettext
            more = _("(type a number to send that article, + for more)")
            self.write(more if answer.next_offset else _("(type a number to send that article)"))

    def _choose(self, choices: list[dict[str, Any]], number: int) -> None:
        """Show the message an inline result sends into the chat."""
        if not 1 <= number <= len(choices):
            self.write(self.tr.gettext("(there is no result {n})").format(n=number))
            return
        content = choices[number - 1].get("input_message_content") or {}
        card = str(content.get("message_text", ""))
        text = html_to_plain(card) if content.get("parse_mode") == "HTML" else card
        sent = self.tr.gettext("(you sent via @{bot})").format(bot=self.user_bot)
        self.write(f"{sent}\n{text}\n")

    def _show(self, replies: list[SentMessage]) -> None:
        """Print each reply as plain text with its buttons numbered."""
        for reply in replies:
            if reply.kind == "markup":  # only the buttons changed: show the new ones
                if reply.buttons:
                    self.write(self.tr.gettext("(buttons changed)"))
                    self._show_buttons(reply)
                    self.write("")
                continue
            prefix = self.tr.gettext("(edited)") + "\n" if reply.edited else ""
            text = html_to_plain(reply.source) if reply.parse_mode == "HTML" else reply.source
            self.write(f"{prefix}{text}")
            if reply.buttons:
                self._show_buttons(reply)
            self.write("")

    def _show_buttons(self, reply: SentMessage) -> None:
        """Print a message's buttons numbered; a number typed next presses one of them."""
        self.buttons_of = reply
        labels = [f"[{n}] {t}" for n, t in enumerate(reply.button_texts, start=1)]
        self.write("  ".join(labels))


def run_chat(config: Config, *, stdin: TextIO, stdout: TextIO, language: str = "en") -> int:
    """Run the bot against an in-process local server, with the terminal as the user.

    `language` is the terminal user's Telegram language_code (what the bot answers in).
    """
    return asyncio.run(_chat(config, stdin, stdout, language))


async def _read_line(stdin: TextIO, prompt: str, out: TextIO) -> str:
    """Read one line without blocking the event loop ("" at end of input)."""
    if prompt:
        out.write(prompt)
        out.flush()
    return await asyncio.to_thread(stdin.readline)


async def _chat(config: Config, stdin: TextIO, stdout: TextIO, language: str) -> int:
    """Start server and bot, relay lines until end of input, stop both."""
    server = LocalBotApiServer(token=CHAT_TOKEN, bot_username="newsbrief_bot")
    await server.start()
    local = replace(
        config,
        token=CHAT_TOKEN,
        api_base_url=server.base_url,
        allowed_users=frozenset(),  # the terminal user is the owner
        rate_limit=0,  # and a piped script may send many commands a minute
    )
    services = open_services(local, write=True, allow_readonly=True)
    try:
        application = build_application(local, services, own_services=False)
        interactive = stdin.isatty()
        async with running(application, poll_timeout=1):
            user = server.user(CHAT_USER_ID, "You", language_code=language)
            tr = application.bot_data.catalogs.get(language)
            terminal = Terminal(
                user, application.bot_data.in_flight, stdout, server.bot_username, tr
            )
            if interactive:
                terminal.write(tr.gettext(HELLO))
            prompt = tr.gettext(PROMPT)
            while line := await _read_line(stdin, prompt if interactive else "", stdout):
                if not interactive and line.strip():
                    terminal.write(f"{prompt}{line.strip()}")
                await terminal.handle(line)
    finally:
        services.shutdown()
        await server.stop()
    return 0
