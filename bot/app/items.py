"""Item N of a chat's last list, as /summary, /story and /follow name it, and why one is missing."""

from __future__ import annotations

import re

from bot.app.context import ChatData
from bot.i18n import Translator

# ASCII digits, minus too: any number is an item (perhaps none), never a topic or a search;
# written as people write item numbers too: "#2", "№2", "2."
_ITEM = re.compile(r"[#№]?(-?[0-9]{1,9})\.?")
_BETWEEN = re.compile(r"[\s,;]+")


def item_number(ref: str) -> int | None:
    """Return the item number a reference names, zero or negative too; None for anything else."""
    found = _ITEM.fullmatch(ref.strip())
    return int(found.group(1)) if found else None


def item_numbers(ref: str) -> list[int] | None:
    """Return the numbers of one or more items ("2", "1 2", "1, 2"), each once; None for words."""
    numbers = [item_number(part) for part in _BETWEEN.split(ref.strip()) if part]
    if not numbers or any(n is None for n in numbers):
        return None
    return list(dict.fromkeys(n for n in numbers if n is not None))


def no_item(chat: ChatData, number: int, command: str, tr: Translator) -> str:
    """Return why item `number` names no article: no list yet, not positive, or the list's range.

    `command` is the one asked ("summary"), for the example of what to send once there is a list.
    """
    _ = tr.gettext
    if not chat.last_ids:
        text = _("There is no list yet. Send /latest, /brief or /search first, then {example}.")
        return text.format(example=f"/{command} 1")
    first, last = chat.last_first, chat.last_first + len(chat.last_ids) - 1
    if number < 1 and first == last:
        text = _(
            "The item number must be a positive number: the last list shows only item {first}."
        )
    elif number < 1:
        text = _(
            "The item number must be a positive number: the last list shows items {first}–{last}."
        )
    elif first == last:  # "items 1–1" reads as a typo
        text = _("There is no item {number} in the last list: it shows only item {first}.")
    else:
        text = _("There is no item {number} in the last list: it shows items {first}–{last}.")
    return text.format(number=number, first=first, last=last)
