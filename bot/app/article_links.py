"""An article found by its link as people paste it: with or without scheme, `www.` or a slash.

The store compares canonical URLs, which keep the scheme, the host and the path as stored. A
link typed or copied by hand often differs from the feed's in just those: `bbc.co.uk/news/1`,
`http://` for `https://`, `www.` added or dropped, a trailing slash. Those are the same page on
every news site, so each spelling is tried; anything else about the URL must match.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from bot.archive.protocol import ArticleStoreLike
from bot.models import Article

_SCHEME = re.compile(r"https?://\S+", re.IGNORECASE)
# Without a scheme only a host with a path is a link: "Amazon.com" alone is a word to search.
_BARE = re.compile(r"(?:[\w-]+\.)+[^\W\d_]{2,}/\S*", re.IGNORECASE)


def as_link(text: str) -> str | None:
    """Return the text as an http(s) URL when it is one (scheme added), else None.

    Without a scheme the host must also end in a real top-level domain (the public suffix
    list, through courlan): "vue.js/router" is words, ".js" names no site. "asp.net/core" is
    a link: ".net" is as real as ".com", and nothing in the text tells the framework from
    the site, so the rule stays the one a browser's address bar follows.
    """
    text = text.strip().removeprefix("<").removesuffix(">")
    if _SCHEME.fullmatch(text):
        return text
    if not _BARE.fullmatch(text):
        return None
    # Imported here as in archive/dedup.py: courlan takes 0.2-0.4 s, the CLI rarely needs it.
    from courlan import extract_domain

    return f"https://{text}" if extract_domain(f"https://{text}") else None


def _spellings(url: str) -> list[str]:
    """Return the URL as given, then with the other scheme, `www.` toggled, a slash toggled."""
    try:
        scheme, host, path, query, fragment = urlsplit(url)
    except ValueError:
        return [url]
    schemes = [scheme.lower(), "http" if scheme.lower() == "https" else "https"]
    bare = host.lower().removeprefix("www.")
    hosts = [host, bare if bare != host.lower() else f"www.{host}"]
    paths = [path, path[:-1] if path.endswith("/") else f"{path}/"]
    found = [urlunsplit((s, h, p, query, fragment)) for p in paths for h in hosts for s in schemes]
    return list(dict.fromkeys([url, *found]))


def find_by_link(store: ArticleStoreLike, url: str) -> Article | None:
    """Return the article stored under the URL in any of its usual spellings, or None."""
    for spelling in _spellings(url):
        article = store.find_by_url(spelling)
        if article is not None:
            return article
    return None
