"""Dedup keys for articles: canonical URL, feed GUID, and a hash of normalised title and body."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say where a click came from; two URLs differing in them are one page.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str | None:
    """Return the canonical form of an http(s) URL, or None when it is not one.

    Lower-case scheme and host, default port and fragment dropped, tracking
    parameters removed, remaining parameters kept in their order, empty path as "/".
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal: urlsplit took its brackets off, a URL needs them
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def normalise_text(text: str) -> str:
    """Return text folded for comparison: NFKC, case-folded, punctuation and spacing collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def content_hash(title: str, body: str) -> str:
    """Return a stable hash of the normalised title and body."""
    key = f"{normalise_text(title)}\n{normalise_text(body)}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def short_id(key: str) -> str:
    """Return a short stable article id derived from a dedup key."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


def unique_id(key: str, *taken: Container[str]) -> str:
    """Return the short id of key, salted until no taken set holds it (a rare 48-bit clash)."""
    candidate = short_id(key)
    salt = 0
    while any(candidate in ids for ids in taken):
        salt += 1
        candidate = short_id(f"{key}#{salt}")
    return candidate
