"""Configuration: a frozen dataclass built from the environment in `main()`, never at import."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")  # what BotFather gives: 123456789:AAH...


class ConfigError(Exception):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Config:
    """Everything newsbrief reads from its environment."""

    data_dir: Path = Path("data")
    token: str | None = field(default=None, repr=False)  # never in a repr, log or traceback
    api_base_url: str = TELEGRAM_API_BASE_URL
    admins: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    retention_days: int = 90
    feeds: tuple[str, ...] = ()
    seeds_dir: Path | None = None
    allow_private_feeds: bool = False
    fulltext: bool = False
    rate_limit: int = 20
    # Digests and follow updates as paid broadcasts: up to 1,000/s, 0.1 Stars a message over
    # the free ~30/s (README "Paid broadcasts"). Off: nobody pays unless the owner chose to.
    paid_broadcast: bool = False
    heartbeat_seconds: float = 30.0
    feed_proxy: str | None = field(default=None, repr=False)  # may carry a password
    # load_config turns this on unless NEWSBRIEF_DEFAULT_FEEDS=0; a Config built in code (tests,
    # benchmarks) polls no feed it did not name.
    default_feeds: bool = False  # register the built-in list on a new data dir without `feeds`
    default_feeds_opml: Path | None = None  # another OPML list instead of the built-in one
    # The bot's catalogs (bot/i18n/locale when None); code only: tests install a pseudo-locale.
    locale_dir: Path | None = None
    # Model briefs (bot/briefs): off unless llm_url names an OpenAI-compatible endpoint.
    llm_url: str | None = None
    llm_model: str = ""
    llm_api_key: str | None = field(default=None, repr=False)  # masked like the token
    llm_daily_tokens: int = 0  # 0: no daily budget
    # PostgreSQL instead of the embedded store (bot/pg); None keeps TinyDB and files.
    database_url: str | None = field(default=None, repr=False)  # carries a password


def _ids(name: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(",", " ").split())
    except ValueError:
        raise ConfigError(f"{name} must be Telegram user ids separated by commas") from None


def _zone(name: str, raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise ConfigError(f"{name}={raw!r} is not a time zone name such as Europe/Berlin") from None


def _split(raw: str, problem: str) -> SplitResult:
    """Split a URL whose host and port parse; else ConfigError(problem), never the value."""
    try:
        parts = urlsplit(raw)
        _ = parts.port  # a port that is no number or past 65535 raises here, not at first use
    except ValueError:
        raise ConfigError(problem) from None
    return parts


def _base_url(name: str, raw: str) -> str:
    problem = f"{name} must be an http(s) URL ending in /bot, e.g. {TELEGRAM_API_BASE_URL}"
    parts = _split(raw, problem)
    if parts.scheme not in ("http", "https") or not parts.netloc or not raw.endswith("/bot"):
        raise ConfigError(problem)
    return raw


def _whole(raw: str, most: int, problem: str) -> int:
    """Return a whole number from 0 to most; else ConfigError(problem)."""
    try:
        value = int(raw)
    except ValueError:  # also "²": a digit to str.isdigit, none to int()
        value = -1
    if not 0 <= value <= most:
        raise ConfigError(problem)
    return value


# A century: a larger one reaches back before the year 1, which no date can hold.
MAX_RETENTION_DAYS = 36500


def _non_negative(name: str, raw: str) -> int:
    return _whole(
        raw,
        MAX_RETENTION_DAYS,
        f"{name} must be a whole number of days up to {MAX_RETENTION_DAYS} (0 keeps everything)",
    )


def _per_minute(name: str, raw: str) -> int:
    problem = f"{name} must be a whole number of commands a minute (0: no limit)"
    return _whole(raw, sys.maxsize, problem)


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise ConfigError(f"{name} must be a number of seconds between 0 and 86400")
    return value


def _proxy(name: str, raw: str) -> str | None:
    if not raw:
        return None
    problem = f"{name} must be a proxy URL such as http://proxy.example:3128"
    parts = _split(raw, problem)  # never quoted: it may carry a password
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise ConfigError(problem)
    if parts.scheme.startswith("socks") and find_spec("socksio") is None:
        # httpx speaks SOCKS through an optional package; without it the feed client's
        # construction raised ImportError at every start.
        raise ConfigError(
            f"{name} names a SOCKS proxy, which needs `pip install 'httpx[socks]'` "
            "(an http:// proxy needs nothing more)"
        )
    return raw


def _llm_url(name: str, raw: str) -> str | None:
    if not raw:
        return None
    problem = (
        f"{name} must be the http(s) base URL of an OpenAI-compatible API, "
        "e.g. http://127.0.0.1:11434/v1"
    )
    parts = _split(raw, problem)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(problem)
    return raw.rstrip("/")


def parse_database_url(name: str, raw: str) -> str | None:
    """Return a PostgreSQL URL (None when empty); the error never quotes it (its password)."""
    if not raw:
        return None
    # Never quote the value: it carries the database password.
    problem = f"{name} must be a URL such as postgresql://user:password@host/newsbrief"
    parts = _split(raw, problem)
    if parts.scheme not in ("postgresql", "postgres") or not (parts.netloc or parts.query):
        raise ConfigError(problem)
    return raw


def _tokens(name: str, raw: str) -> int:
    return _whole(raw, sys.maxsize, f"{name} must be a whole number of tokens a day (0: no limit)")


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true/false)")


def _default_feeds(name: str, raw: str) -> tuple[bool, Path | None]:
    """Read NEWSBRIEF_DEFAULT_FEEDS: 1 (or unset) the built-in list, 0 none, or an OPML file."""
    value = raw.strip()
    if value.lower() in ("", "1", "true", "yes", "on"):
        return True, None
    if value.lower() in ("0", "false", "no", "off"):
        return False, None
    try:
        listed = Path(value).is_file()
    except OSError:  # a name longer than the file system allows
        listed = False
    if not listed:
        raise ConfigError(f"{name} must be 1, 0 or the path of an OPML file; {value!r} is none")
    return True, Path(value)


def load_config(env: Mapping[str, str], *, data_dir: Path | None = None) -> Config:
    """Build the Config from env; raise ConfigError naming the first bad variable."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not TOKEN_SHAPE.fullmatch(token):
        # The value is never quoted (it is the secret), so say what is wrong with it.
        quoted = token[0] in "\"'" and " (remove the quotes: `docker run --env-file` keeps them)"
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a token from @BotFather "
            f"(digits, a colon, then letters, digits, - and _){quoted or ''}"
        )
    default_feeds, default_feeds_opml = _default_feeds(
        "NEWSBRIEF_DEFAULT_FEEDS", env.get("NEWSBRIEF_DEFAULT_FEEDS", "")
    )
    llm_url = _llm_url("NEWSBRIEF_LLM_URL", env.get("NEWSBRIEF_LLM_URL", "").strip())
    llm_model = env.get("NEWSBRIEF_LLM_MODEL", "").strip()
    if llm_url and not llm_model:
        # Every endpoint serves other models; guessing one would fail on the first brief.
        raise ConfigError("NEWSBRIEF_LLM_MODEL must name the model NEWSBRIEF_LLM_URL serves")
    return Config(
        data_dir=data_dir or Path(env.get("NEWSBRIEF_DATA_DIR", "").strip() or "data"),
        token=token,
        api_base_url=_base_url(
            "TELEGRAM_API_BASE_URL",
            env.get("TELEGRAM_API_BASE_URL", "").strip() or TELEGRAM_API_BASE_URL,
        ),
        admins=_ids("NEWSBRIEF_ADMINS", env.get("NEWSBRIEF_ADMINS", "")),
        allowed_users=_ids("NEWSBRIEF_ALLOWED_USERS", env.get("NEWSBRIEF_ALLOWED_USERS", "")),
        tz=_zone("NEWSBRIEF_TZ", env.get("NEWSBRIEF_TZ", "").strip() or "UTC"),
        retention_days=_non_negative(
            "NEWSBRIEF_RETENTION_DAYS", env.get("NEWSBRIEF_RETENTION_DAYS", "").strip() or "90"
        ),
        feeds=tuple(env.get("NEWSBRIEF_FEEDS", "").split()),
        seeds_dir=Path(env["NEWSBRIEF_SEEDS_DIR"]) if env.get("NEWSBRIEF_SEEDS_DIR") else None,
        allow_private_feeds=_flag(
            "NEWSBRIEF_ALLOW_PRIVATE_FEEDS", env.get("NEWSBRIEF_ALLOW_PRIVATE_FEEDS", "")
        ),
        fulltext=_flag("NEWSBRIEF_FULLTEXT", env.get("NEWSBRIEF_FULLTEXT", "")),
        paid_broadcast=_flag("NEWSBRIEF_PAID_BROADCAST", env.get("NEWSBRIEF_PAID_BROADCAST", "")),
        rate_limit=_per_minute(
            "NEWSBRIEF_RATE_LIMIT", env.get("NEWSBRIEF_RATE_LIMIT", "").strip() or "20"
        ),
        heartbeat_seconds=_seconds(
            "NEWSBRIEF_HEARTBEAT_SECONDS",
            env.get("NEWSBRIEF_HEARTBEAT_SECONDS", "").strip() or "30",
        ),
        feed_proxy=_proxy("NEWSBRIEF_FEED_PROXY", env.get("NEWSBRIEF_FEED_PROXY", "").strip()),
        default_feeds=default_feeds,
        default_feeds_opml=default_feeds_opml,
        llm_url=llm_url,
        llm_model=llm_model,
        llm_api_key=env.get("NEWSBRIEF_LLM_API_KEY", "").strip() or None,
        llm_daily_tokens=_tokens(
            "NEWSBRIEF_LLM_DAILY_TOKENS", env.get("NEWSBRIEF_LLM_DAILY_TOKENS", "").strip() or "0"
        ),
        database_url=parse_database_url(
            "NEWSBRIEF_DATABASE_URL", env.get("NEWSBRIEF_DATABASE_URL", "").strip()
        ),
    )
