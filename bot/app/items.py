"""Item N of a chat's last list, as /summary, /story and /follow name it, and why one is missing."""

from __future__ import annotations

import re

from bot.app.context import ChatData
from bot.i18n import Translator

# ASCII digits, minus too: any number is an item (perhaps none), never a topic or a search
_ITEM = re.compile(r"-?[0-9]{1,9}")


def item_number(ref: str) -> int | None:
    """Return the item number a reference names, zero or negative too; None for anything else."""
    ref = ref.strip()
    return int(ref) if _ITEM.fullmatch(ref) else None


def no_item(chat: ChatData, number: int, command: str, tr: Translator) -> str:
    """Return why item `number` names no article: no list yet, not positive, or the list's range.

    `command` is the one asked ("summary"), for the example of what to send once there is a list.
    """
    _ = tr.gettext
    if not chat.last_ids:
        text = _("There is no list yet. Send /latest, /brief or /search first, then {example}.")
        return text.format(example=f"/{command} 1")
    first, last = chat.last_first, chat.last_first + len(chat.last_ids) - 1
    if number < 1:
        text = _(
            "The item number must be a positive number: the last list shows items {first}–{last}."
        )
        return text.format(first=first, last=last)
    text = _("There is no item {number} in the last list: it shows items {first}–{last}.")
    return text.format(number=number, first=first, last=last)
