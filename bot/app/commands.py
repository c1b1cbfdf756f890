"""The command list: one source for /help, setMyCommands and the README table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telegram import BotCommand, Update
from telegram.ext import filters

from bot.config import Config
from bot.i18n import N_, Translator
from bot.render import escape

# Telegram marks only Latin /commands as commands: "/новости" arrives as text. Typed at the start
# of a message it is still a command to whoever typed it, so it is answered as an unknown one.
TYPED_COMMAND = filters.Regex(r"^/[^\W\d_]")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One bot command: name without the slash, a one-line description, who may use it.

    The description is English marked with `N_()`; it is translated where it is shown.
    """

    name: str
    description: str
    admin_only: bool = False
    args: str = ""  # shown in /help, e.g. "[N] [words]"


def merge_commands(groups: Iterable[Iterable[CommandSpec]]) -> list[CommandSpec]:
    """Return the union of the modules' command lists in order; the first of a name wins."""
    seen: set[str] = set()
    merged: list[CommandSpec] = []
    for group in groups:
        for spec in group:
            if spec.name not in seen:
                seen.add(spec.name)
                merged.append(spec)
    return merged


def visible_commands(specs: Iterable[CommandSpec], *, admin: bool) -> list[CommandSpec]:
    """Return the commands a user (admin or not) may see."""
    return [spec for spec in specs if admin or not spec.admin_only]


def bot_commands(specs: Iterable[CommandSpec], *, admin: bool, tr: Translator) -> list[BotCommand]:
    """Return the setMyCommands list for ordinary users or for admins, in tr's language."""
    return [
        BotCommand(spec.name, tr.gettext(spec.description)[:256])
        for spec in visible_commands(specs, admin=admin)
    ]


def help_html(specs: Iterable[CommandSpec], *, admin: bool, tr: Translator) -> str:
    """Return /help as Telegram HTML: one line per command."""
    _ = tr.gettext
    lines = ["<b>" + _("Commands") + "</b>"]
    for spec in visible_commands(specs, admin=admin):
        usage = f"/{spec.name} {escape(_(spec.args) if spec.args else '')}".rstrip()
        lines.append(f"{usage} — {escape(_(spec.description))}")
    lines.append("")
    lines.append(_("Send any words to search, or type @ and the bot's name in any chat."))
    return "\n".join(lines)


def markdown_table(specs: Iterable[CommandSpec]) -> str:
    """Return the README table of commands."""
    rows = ["| Command | What it does | Who |", "| --- | --- | --- |"]
    for spec in specs:
        # A bare | ends a table cell, even inside a code span (GitHub Markdown).
        usage = f"/{spec.name} {spec.args}".rstrip().replace("|", "\\|")
        what = spec.description.replace("|", "\\|")
        who = "admins" if spec.admin_only else "all"
        rows.append(f"| `{usage}` | {what} | {who} |")
    return "\n".join(rows)


def is_admin(config: Config, user_id: int | None) -> bool:
    """Return whether the user is one of the configured admins."""
    return user_id is not None and user_id in config.admins


def is_allowed(config: Config, user_id: int | None, chat_id: int | None = None) -> bool:
    """Return whether the user may use the bot (everyone, unless an allow-list is set).

    The list may name chats too: a channel's posts name no user, only the channel, and a
    listed group lets its members use the bot there.
    """
    if not config.allowed_users or (chat_id is not None and chat_id in config.allowed_users):
        return True
    return user_id is not None and (user_id in config.allowed_users or user_id in config.admins)


def may_use(config: Config, update: Update) -> bool:
    """Return whether the update's sender, or the chat it came from, may use the bot.

    One check for the gate and for the buttons that answer before it: a listed channel's
    admins, or a listed group's members, are on no list themselves.
    """
    user, chat = update.effective_user, update.effective_chat
    return is_allowed(config, user.id if user else None, chat.id if chat else None)


ANONYMOUS = N_(
    "This post does not say who sent it: send this command to the bot in a private chat."
)


def admin_refusal(update: Update, refusal: str) -> str:
    """Return the msgid refusing an admin-only command: `refusal`, or where to send it instead.

    A channel's posts and an anonymous group admin's name no user, so no admin: told why,
    not that they are no admin.
    """
    message = update.effective_message
    return ANONYMOUS if message is not None and message.sender_chat is not None else refusal
