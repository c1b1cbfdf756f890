"""The dates an article may carry (none before 1900, none more than a day ahead of its arrival),
and the reading of dates feeds write in other languages.

The Unix epoch is no date at all (`no_date`).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.text.clean import parse_date

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

# No news archive reaches back further; year 1 made the story window's arithmetic overflow, and
# every later open of the data directory failed on it.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# A few hours ahead is a publisher's clock or time-zone slip, counted as "now" (as feeds do);
# further ahead is a wrong field, and would head every list until that day.
SLIP = timedelta(days=1)
# Time 0 is what a CMS or an exporter writes for "no date", in whichever zone it runs (the
# widest offset is 14 hours): such an item is undated, not news of 1970.
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ZONES = timedelta(hours=14)


def no_date(published: datetime) -> bool:
    """Return whether a date is the Unix epoch, a placeholder for "no date"."""
    return abs(published - UNIX_EPOCH) <= _EPOCH_ZONES


def date_problem(published: datetime, now: datetime) -> str | None:
    """Return why a date cannot be an article's, or None when it can."""
    if published < EARLIEST:
        return f"date before {EARLIEST:%Y}: {published.date().isoformat()}"
    if published > now + SLIP:
        return f"date in the future: {published.date().isoformat()}"
    return None


# Languages of the feeds we meet whose dates are not English RFC 822, which is all feedparser
# reads. dateparser (installed with trafilatura) knows their day and month names and
# abbreviations ("Ene", "Gen", "janv.", "Mär"); a short list keeps its language guess fast.
DATE_LANGUAGES = ("en", "pt", "es", "it", "fr", "de", "nl")
_DATE_SETTINGS = {
    "TIMEZONE": "UTC",  # a date without an offset is read as UTC, never the host's zone
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PARSERS": ["absolute-time"],  # "yesterday" in a feed is no publication date
    "REQUIRE_PARTS": ["day", "month", "year"],
}


@functools.cache
def date_parser() -> DateDataParser:
    """Return the one DateDataParser: building it loads seven languages' data (~ms per call)."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(DATE_LANGUAGES), settings=_DATE_SETTINGS)


def localized_date(text: str) -> datetime | None:
    """Parse a date written with non-English day and month names ("Lun, 15 Ene 2024 10:00")."""
    moment = parse_date(text)
    if moment is not None:
        return moment
    try:
        found = date_parser().get_date_data(text.strip()).date_obj
    except (ValueError, OverflowError):
        return None
    return found.astimezone(UTC) if found is not None else None
