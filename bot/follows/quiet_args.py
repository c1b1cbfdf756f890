"""Parse what users type after /quiet: two times with a dash between, or the word for off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.digests.args import time_problem
from bot.digests.schedule import TimeWordError, read_time
from bot.follows.records import Quiet
from bot.i18n import Translator, keyword

_SPAN = re.compile(r"(\S+?)\s*[-–—]\s*(\S+)")


@dataclass(frozen=True, slots=True)
class QuietArgs:
    """A parsed /quiet: the hours, or `off` (neither hours nor a problem), or the problem."""

    hours: Quiet | None = None
    problem: str | None = None


def parse_quiet(text: str, tr: Translator) -> QuietArgs:
    """Parse `HH:MM-HH:MM` (a bare hour is that hour sharp, as for /subscribe) or `off`.

    Never raises; a problem names the part that is wrong, in tr's language.
    """
    _ = tr.gettext
    if keyword(text, tr, "off"):
        return QuietArgs()
    match = _SPAN.fullmatch(text.strip())
    try:
        start, end = (read_time(match[1]), read_time(match[2])) if match else (None, None)
    except TimeWordError as exc:
        return QuietArgs(problem=time_problem(exc, tr))
    if start is None or end is None:
        problem = _("“{text}” is not two times with a dash between them.")
        return QuietArgs(problem=problem.format(text=text.strip()[:30]))
    if start == end:  # no hours, or all day? Ask rather than guess
        problem = _("The start and the end are both {time}; give two different times.")
        return QuietArgs(problem=problem.format(time=tr.time(time(*start))))
    return QuietArgs(Quiet(time(*start), time(*end)))
