"""Parse what users type after /subscribe and /timezone, and say what is wrong with a time."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.digests.schedule import TimeWordError, read_time
from bot.i18n import Translator

MAX_TOPIC_CHARS = 100
_ZONE_LIKE = re.compile(r"^[A-Za-z_+\-0-9]+(/[A-Za-z_+\-0-9]+)+$|^(UTC|GMT)$", re.IGNORECASE)
# A time after the topic: hours, a colon and two digits of minutes ("9:00", "21:30").
_CLOCK = re.compile(r"[0-9]{1,2}:[0-9]{2}")
# "UTC+3", "GMT-05:00", "+03:00": an offset, which no zone name is near. The nearest names
# ("UTC", "GMT+0") keep another clock, so none is offered ("GMT+0" itself is a tzdata zone).
# Nor is the offset read as a zone: tzdata's "Etc/GMT+3" is three hours *behind* UTC, so
# either reading of the sign is wrong for half the people typing it. Zero has no sign to
# misread: "UTC+0", "UTC-0", "+00:00" are UTC.
_OFFSET = re.compile(r"^(UTC|GMT)[+\-−]\d{1,2}(:?\d{2})?$|^[+\-−]\d{1,2}:\d{2}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SubscribeArgs:
    """A parsed /subscribe: time, zone and topic, or the problem to tell the user."""

    hhmm: tuple[int, int] | None = None
    zone: str | None = None
    topic: str = ""
    problem: str | None = None


# Abbreviations that readers of this bot's languages mean for one place, though tzdata gives
# some of them to other zones too. MSK is Moscow time (tzdata: Moscow, Kirov, Simferopol and
# Volgograd, one clock), BST British summer time; the American ones are those CLDR's English
# uses (Babel, `Locale("en").meta_zones`), though CST and PST are also China's and the
# Philippines'. Neither Babel nor dateparser maps an abbreviation to a zone (dateparser
# gives a fixed offset, which misses summer time), so these few are named here; EST, MST,
# HST, CET, EET, WET and MET are tzdata zones of their own. Any other abbreviation is only
# ever suggested as a zone that tzdata says uses it (`suggest_zone`).
ABBREVIATIONS = {
    "MSK": "Europe/Moscow",
    "BST": "Europe/London",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
}


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Return every zone name by its case-folded form."""
    return {name.casefold(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def abbreviated() -> dict[str, dict[str, timedelta]]:
    """Return the zones tzdata calls by each abbreviation this year, with their UTC offsets."""
    year = datetime.now(UTC).year
    found: dict[str, dict[str, timedelta]] = {}
    for name in available_timezones():
        zone = ZoneInfo(name)
        for month in (1, 7):  # winter and summer names ("CET", "CEST")
            local = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
            abbreviation, offset = local.tzname(), local.utcoffset()
            if abbreviation and abbreviation[0].isalpha() and offset is not None:
                found.setdefault(abbreviation.upper(), {})[name] = offset
    return found


def find_zone(text: str) -> str | None:
    """Return the canonical zone name for text (case-insensitive, or an abbreviation), or None."""
    text = text.strip()
    name = _zones().get(text.casefold()) or ABBREVIATIONS.get(text.upper())
    if name is None and _OFFSET.match(text) and not any(c in "123456789" for c in text):
        name = "UTC"
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def suggest_zone(text: str) -> str | None:
    """Return the zone name closest to a mistyped one, if any is close."""
    folded = text.strip().casefold().replace(" ", "_")
    if not folded or _OFFSET.match(folded):
        return None
    zones = _zones()
    users = abbreviated().get(folded.upper())
    if users is not None:
        # A near name is no help here: "MSK" is not "MST". Only a zone that tzdata calls by
        # this abbreviation is, and none when they keep different clocks ("IST").
        if len(set(users.values())) > 1:
            return None
        close = difflib.get_close_matches(folded, list(zones), n=10, cutoff=0.5)
        return next((zones[c] for c in close if zones[c] in users), None)
    close = difflib.get_close_matches(folded, list(zones), n=1, cutoff=0.6)
    if not close:  # "Moscow" alone: match the city part
        cities = {k.rsplit("/", 1)[-1]: k for k in zones if "/" in k}
        close = [cities[c] for c in difflib.get_close_matches(folded, list(cities), 1, 0.8)]
    return zones[close[0]] if close else None


def zone_problem(text: str, tr: Translator) -> str:
    """Return the reply for a zone name that is not in the zone database."""
    _ = tr.gettext
    if _OFFSET.match(text.strip()):  # refused on purpose (`_OFFSET`): say why
        reason = _(
            "“{name}” is a UTC offset, and an offset does not change for summer time. "
            "Use a city's time zone instead, like Europe/Berlin."
        )
        return reason.format(name=text.strip()[:60])
    hint = suggest_zone(text)
    tail = _("Did you mean {zone}?") if hint else _("Use a name like Europe/Berlin.")
    head = _("I do not know the time zone “{name}”.").format(name=text[:60])
    return f"{head} {tail.format(zone=hint)}"


def time_problem(error: TimeWordError, tr: Translator) -> str:
    """Return which part of a word meant as a time is wrong, in tr's language."""
    _ = tr.gettext
    if error.part == "hour":
        problem = _("“{text}”: the hour must be from 00 to 23.")
    elif error.part == "minute":
        problem = _("“{text}”: the minutes must be from 00 to 59.")
    else:
        problem = _("“{text}” is not a time.")
    return problem.format(text=error.word[:10])


def _zone_like(word: str) -> bool:
    """Return whether a word of /subscribe is meant as a zone, not as a topic word."""
    if _ZONE_LIKE.match(word) or _OFFSET.match(word):
        return True
    # An abbreviation only in capitals, as zones are written: "wet", "est" and "Met" stay
    # topic words. /timezone takes nothing else, so it reads "msk" too (find_zone).
    return word.isascii() and word.isupper() and (word in ABBREVIATIONS or word in abbreviated())


def parse_subscribe(args: list[str], tr: Translator) -> SubscribeArgs:
    """Parse `[HH:MM] [Area/City] [words...]`, time and zone in either order; never raises.

    Problems are told in tr's language. The first word that is neither a time nor a zone
    starts the topic, so a topic may hold either: "/subscribe 08:00 50 cent". A time or zone
    not given before it may end it, as people say it: "/subscribe sport 09:00 Europe/Berlin".
    """
    words = [w for w in args if w.strip()]
    hhmm: tuple[int, int] | None = None
    zone: str | None = None
    while words:
        # A bare number starts the topic ("50 cent", "9 11 memorial", "5G"); a time has its
        # minutes ("9:00"). /quiet, whose words are all times, reads a bare hour.
        if hhmm is None and not words[0].isdigit():
            try:
                hhmm = read_time(words[0])
            except TimeWordError as exc:
                return SubscribeArgs(problem=_time_problem(exc, tr))
            if hhmm is not None:
                words = words[1:]
                continue
        if zone is not None or not _zone_like(words[0]):
            break
        zone = find_zone(words[0])
        if zone is None and (_OFFSET.match(words[0]) or suggest_zone(words[0]) is not None):
            return SubscribeArgs(problem=zone_problem(words[0], tr))
        if zone is None:  # "AC/DC" stays a topic word
            break
        words = words[1:]
    return _with_tail(words, hhmm, zone, tr)


def _with_tail(
    words: list[str], hhmm: tuple[int, int] | None, zone: str | None, tr: Translator
) -> SubscribeArgs:
    """Read a time or zone that ends the topic ("sport 09:00"), then check the topic's length.

    Only "H:MM" is a time there: "chelsea 2:1" is a score, "ios 17.10" a version.
    """
    while len(words) > 1:
        last = words[-1]
        if hhmm is None and _CLOCK.fullmatch(last):
            try:
                hhmm = read_time(last)
            except TimeWordError as exc:
                return SubscribeArgs(problem=_time_problem(exc, tr))
        elif zone is None and _zone_like(last) and (found := find_zone(last)) is not None:
            zone = found
        elif zone is None and _OFFSET.match(last):
            return SubscribeArgs(problem=zone_problem(last, tr))
        else:
            break
        words = words[:-1]
    topic = " ".join(words)
    if len(topic) > MAX_TOPIC_CHARS:
        problem = tr.ngettext(
            "That topic is too long; keep it under {count} character.",
            "That topic is too long; keep it under {count} characters.",
            MAX_TOPIC_CHARS,
        )
        return SubscribeArgs(problem=problem.format(count=MAX_TOPIC_CHARS))
    return SubscribeArgs(hhmm, zone, topic)


def _time_problem(error: TimeWordError, tr: Translator) -> str:
    """Return what is wrong with a word of /subscribe meant as a time, and the form to use."""
    usage = tr.gettext("Use HH:MM, e.g. 07:30.")
    return f"{time_problem(error, tr)} {usage}"
