"""URL canonicalisation and content hashing: the keys that decide what is a duplicate."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from bot.archive.dedup import canonical_url, content_hash, normalise_text, short_id


def test_host_case_fragment_and_tracking_are_dropped() -> None:
    assert (
        canonical_url("HTTPS://News.Example.COM:443/a/b?id=3&utm_source=tw&fbclid=x#top")
        == "https://news.example.com/a/b?id=3"
    )


def test_path_case_and_real_parameters_are_kept_sorted_by_name() -> None:
    assert canonical_url("http://x.org/Path?b=2&a=1") == "http://x.org/Path?a=1&b=2"
    assert canonical_url("http://x.org/p?b=2&a=9&a=1") == "http://x.org/p?a=9&a=1&b=2"
    assert canonical_url("http://x.org:8080") == "http://x.org:8080/"


def test_the_canonical_form_is_pinned() -> None:
    """Stored keys are hashes of this form: a courlan upgrade that changes it must fail here."""
    cases = {
        "HTTP://News.Example.com:80//a//b/../c?Z=1&id=&utm_term=x#frag": (
            "http://news.example.com/a/b/../c?Z=1&id="
        ),
        "https://xn--80ak6aa92e.com/путь?q=новости": (
            "https://аррӏе.com/%D0%BF%D1%83%D1%82%D1%8C?q=%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
        ),
        "http://x.org/a b?gclid=1&twclid=2&mtm_source=3&_gl=4": "http://x.org/a%20b",
    }
    for url, canonical in cases.items():
        assert canonical_url(url) == canonical


def test_parameters_that_name_the_article_are_kept() -> None:
    """courlan's own tracker rule drops these; here two articles would share one key."""
    for name in ("cid", "uid", "source", "gallery", "refid", "eid", "session"):
        one, two = (canonical_url(f"https://x.org/news.php?{name}={n}") for n in (1, 2))
        assert one is not None and one != two


def test_ipv6_hosts_keep_their_brackets() -> None:
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"
    assert canonical_url("HTTPS://[2001:DB8::1]:443/x#f") == "https://[2001:db8::1]/x"
    assert canonical_url("http://[fe80::1%25eth0]/") == "http://[fe80::1%25eth0]/"  # RFC 6874


@given(st.ip_addresses(v=6), st.integers(min_value=1, max_value=65535))
def test_canonical_ipv6_urls_parse_back_to_the_same_host_and_port(
    address: object, port: int
) -> None:
    canonical = canonical_url(f"http://[{address}]:{port}/p")
    assert canonical is not None
    parts = urlsplit(canonical)
    assert (parts.hostname, parts.port or 80) == (str(address), port)
    assert canonical_url(canonical) == canonical


def test_non_web_urls_have_no_canonical_form() -> None:
    for url in (
        "",
        "mailto:a@b.c",
        "javascript:alert(1)",
        "ftp://x.org/f",
        "http://",
        "http://[::1",
    ):
        assert canonical_url(url) is None


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Hello,  World!", "Body\n\ntext.") == content_hash(
        "hello world", "body text"
    )
    assert content_hash("Hello", "a") != content_hash("Hello", "b")


def test_short_id_is_short_and_stable() -> None:
    assert short_id("x") == short_id("x") and len(short_id("x")) == 12


urls = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["http", "https", "HTTP"]),
    st.from_regex(r"[A-Za-z0-9]{1,10}(\.[A-Za-z]{2,5}){1,2}", fullmatch=True),
    st.from_regex(r"(/[A-Za-z0-9%_-]{0,8}){0,3}", fullmatch=True),
    st.lists(
        st.tuples(
            st.sampled_from(["a", "id", "utm_source", "utm_medium", "fbclid", "gclid", "page"]),
            st.from_regex(r"[a-z0-9]{0,5}", fullmatch=True),
        ),
        max_size=4,
    ).map(lambda kv: ("?" + "&".join(f"{k}={v}" for k, v in kv)) if kv else ""),
    st.from_regex(r"(#[a-z]{0,5})?", fullmatch=True),
)


@given(urls)
def test_canonical_url_is_idempotent_and_clean(url: str) -> None:
    once = canonical_url(url)
    assert once is not None
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once and "fbclid" not in once
    host = once.split("://", 1)[1].split("/", 1)[0]
    assert host == host.lower()


@given(urls, st.from_regex(r"[a-z]{1,6}", fullmatch=True))
def test_tracking_parameters_never_change_the_key(url: str, value: str) -> None:
    sep = "&" if "?" in url.split("#")[0] else "?"
    base, _, frag = url.partition("#")
    tracked = f"{base}{sep}utm_campaign={value}" + (f"#{frag}" if frag else "")
    assert canonical_url(tracked) == canonical_url(url)


@given(
    st.one_of(
        st.text(max_size=120),
        st.builds("http://{}".format, st.text(max_size=120)),
        st.builds("https://x.org/{}".format, st.text(max_size=120)),
    )
)
@example("http://[::1]@]")  # courlan's output once failed to parse back
def test_canonical_url_never_raises_and_is_idempotent_on_any_text(text: str) -> None:
    once = canonical_url(text)
    if once is not None:
        assert once.startswith(("http://", "https://")) and "#" not in once
        assert canonical_url(once) == once


@given(st.text(max_size=200), st.text(max_size=200))
def test_content_hash_is_a_function_of_normalised_text(title: str, body: str) -> None:
    assert content_hash(title, body) == content_hash(f"  {title} !", f"{body}\n\n")
    assert normalise_text(normalise_text(title)) == normalise_text(title)
