"""Dedup keys for articles: canonical URL, feed GUID, and a hash of normalised title and body.

The canonical URL is courlan's `normalize_url` (lower-case scheme and host, punycode
decoded, default port dropped, path normalised and percent-quoted), with three of our rules
around it, because its defaults are made for crawling, not for deciding which articles are
one: we keep only http(s) URLs that have a host (anything else is None, never an
exception), we always drop the fragment (courlan keeps it unless strict, and strict keeps
only a short list of parameters), and we choose the parameters to drop ourselves. courlan's
tracker rule also removes `cid`, `uid`, `source`, `gallery`, `ref…` and the like, which
name the article on many sites: two articles would then share a key and the second would
be dropped as a duplicate. So we drop only click and campaign parameters (`utm_*`,
`fbclid`, …) and sort the rest by name, as courlan does (repeated names keep their order).

Changing the canonical form changes every stored URL key. Schema 4 of the article files
(`records.py`) carries keys of this form; a data dir of schema 3 has its keys recomputed
from the stored URLs once, on a writer's first open (`segments.py`). Feed ids are minted
once and stored, and feeds are found by URL by comparing canonical forms of the stored
URLs (`bot/feeds/registry.py`), so ids of feeds added before keep working.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container
from operator import itemgetter
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say where a click came from; two URLs differing in them are one page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "twclid", "yclid", "ysclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "mkt_tok", "oly_anon_id",
        "oly_enc_id", "vero_id",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "itm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _web_netloc(parts: SplitResult) -> str | None:
    """Return the host and non-default port of an http(s) URL, or None when it is not one."""
    port = parts.port  # raises ValueError on a bad port
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal: urlsplit took its brackets off, a URL needs them
        host = f"[{host}]"
    return host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"


def canonical_url(url: str) -> str | None:
    """Return the canonical form of an http(s) URL, or None when it is not one."""
    # courlan (and urllib3 under it) take 0.2-0.4 s to import; an open of the store needs no
    # URL key, so the bot's start leaves that to the first article or URL it is given.
    from courlan import normalize_url

    try:
        parts = urlsplit(url.strip())
        netloc = _web_netloc(parts)
        if netloc is None:
            return None
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode(sorted((p for p in pairs if not _is_tracking(p[0])), key=itemgetter(0)))
        # strict: no fragment; the query is ours, so courlan's tracker rule never sees it.
        base = normalize_url(SplitResult(parts.scheme.lower(), netloc, parts.path, "", ""), True)
        scheme, host, path, _, _ = urlsplit(base)  # raises on a host like "]"
    except ValueError:
        return None
    return urlunsplit((scheme, host, path or "/", query, ""))


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
