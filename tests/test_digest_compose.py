"""What a digest holds: only new stories, topic matches, a cap with "and N more", groups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digests.contents import compose
from bot.digests.message import render_digest
from bot.i18n import Catalogs, Translator
from bot.render.html import html_to_plain, visible_length
from bot.tgserver.entities import parse_html
from tests.digestkit import Kit, open_kit

UTC = ZoneInfo("UTC")


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = open_kit(tmp_path)
    yield k
    k.close()


def digest_text(kit: Kit, chat_id: int, **kw: object) -> list[str]:
    subs = kit.digests.subs.for_chat(chat_id)
    now = kit.clock.now
    digest = compose(chat_id, subs, kit.store, kit.search, kit.stories, now, **kw)  # type: ignore[arg-type]
    parts = render_digest(
        digest, lambda s: "summary of " + s.headline, UTC, now, tr=Translator.english()
    )
    return [html_to_plain(p.text) for p in parts]


async def test_first_digest_covers_the_last_24_hours(kit: Kit) -> None:
    kit.add("Old volcano eruption")
    kit.clock.advance(hours=25)
    kit.add("Fresh harbour strike")
    await kit.digests.subscribe(1, "", None, None)
    (text,) = digest_text(kit, 1)
    assert "Fresh harbour strike" in text
    assert "Old volcano eruption" not in text


async def test_only_articles_added_since_the_last_delivered_digest(kit: Kit) -> None:
    await kit.digests.subscribe(1, "", None, None)
    kit.add("Monday glacier melt")
    sub = kit.digests.subs.for_chat(1)[0]
    kit.digests.subs.mark_delivered([sub.sub_id], kit.clock.now, None)
    kit.clock.advance(minutes=1)
    kit.add("Tuesday orchestra concert")
    (text,) = digest_text(kit, 1)
    assert "Tuesday orchestra concert" in text and "Monday glacier" not in text


async def test_topic_matches_only_its_articles(kit: Kit) -> None:
    kit.add("China trade talks resume", "Football cup final tonight", "Moscow and China sign pact")
    await kit.digests.subscribe(1, "china", None, None)
    (text,) = digest_text(kit, 1)
    assert "China trade talks" in text and "Moscow and China" in text
    assert "Football" not in text


async def test_every_word_must_match_no_relaxed_results(kit: Kit) -> None:
    kit.add("China trade talks resume", "Russia weather report")
    await kit.digests.subscribe(1, "china russia", None, None)
    assert digest_text(kit, 1) == []


NOUNS = [
    "harbour",
    "volcano",
    "orchestra",
    "glacier",
    "vaccine",
    "satellite",
    "tariff",
    "wildfire",
    "museum",
    "marathon",
    "earthquake",
    "submarine",
    "vineyard",
    "cathedral",
    "pipeline",
    "telescope",
    "parliament",
    "bakery",
    "railway",
    "festival",
    "reservoir",
    "monsoon",
    "frigate",
    "asteroid",
    "lighthouse",
    "orchard",
    "refinery",
    "stadium",
    "tundra",
    "quarry",
    "canyon",
    "ferry",
    "meadow",
    "bridge",
    "turbine",
    "archive",
    "comet",
    "prairie",
    "lagoon",
    "dialect",
    "sculpture",
    "harvest",
    "mineral",
    "embassy",
    "fortress",
    "typhoon",
    "walrus",
    "copper",
    "tanker",
    "violin",
    "pharmacy",
]
DISTINCT = [" ".join(NOUNS[4 * i : 4 * i + 4]) for i in range(13)]  # 13 unrelated events


async def test_cap_and_n_more_points_at_brief(kit: Kit) -> None:
    kit.add(*[f"Election {w}" for w in DISTINCT])
    await kit.digests.subscribe(1, "", None, None)
    await kit.digests.subscribe(2, "election", None, None)
    (all_news,) = digest_text(kit, 1)
    (topic,) = digest_text(kit, 2, cap=5)
    assert len(re.findall(r"^\d+\. Election ", all_news, re.MULTILINE)) == 10
    assert "…and 3 more stories: /brief" in all_news
    assert len(re.findall(r"^\d+\. Election ", topic, re.MULTILINE)) == 5
    assert "…and 8 more stories: /brief election" in topic


async def test_several_subscriptions_are_grouped_by_topic(kit: Kit) -> None:
    kit.add("China trade talks resume", "Football cup final tonight")
    await kit.digests.subscribe(1, "china", None, None)
    await kit.digests.subscribe(1, "football", None, None)
    (text,) = digest_text(kit, 1)
    assert text.index("china") < text.index("China trade") < text.index("football")
    assert text.index("football") < text.index("Football cup")


async def test_nothing_new_sends_nothing_unless_asked(kit: Kit) -> None:
    await kit.digests.subscribe(1, "volcano", None, None)
    kit.add("Quiet day at the markets")
    assert digest_text(kit, 1) == []
    digest = compose(
        1, kit.digests.subs.for_chat(1), kit.store, kit.search, kit.stories, kit.clock.now
    )
    parts = render_digest(
        digest, lambda s: "", UTC, kit.clock.now, send_empty=True, tr=Translator.english()
    )
    assert "Nothing new" in html_to_plain(parts[0].text)


async def test_ugly_titles_are_escaped_and_missing_urls_are_fine(kit: Kit) -> None:
    kit.store.add_many(
        [
            __import__("bot.models", fromlist=["ArticleDraft"]).ArticleDraft(
                title="<b>Tom & Jerry</b> \x00 return", body="A cartoon & more.", url=None
            )
        ]
    )
    await kit.digests.subscribe(1, "", None, None)
    digest = compose(
        1, kit.digests.subs.for_chat(1), kit.store, kit.search, kit.stories, kit.clock.now
    )
    ((html, _),) = [
        (p.text, p.buttons)
        for p in render_digest(
            digest, lambda s: "<i>x</i> & y", UTC, kit.clock.now, tr=Translator.english()
        )
    ]
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt; &amp; y" in html
    assert "\x00" not in html


async def test_a_long_digest_is_split_under_telegrams_limit(kit: Kit) -> None:
    kit.add(*[f"The {w} story" for w in DISTINCT[:10]])
    await kit.digests.subscribe(1, "", None, None)
    digest = compose(
        1, kit.digests.subs.for_chat(1), kit.store, kit.search, kit.stories, kit.clock.now
    )
    parts = render_digest(
        digest, lambda s: "long summary " * 80, UTC, kit.clock.now, tr=Translator.english()
    )
    assert len(parts) > 1
    assert all(visible_length(p.text) <= 4096 for p in parts)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(topic=st.text(max_size=40))
async def test_any_topic_text_composes(kit: Kit, topic: str) -> None:
    if not kit.store.latest(1):
        kit.add("China trade talks resume", "Football cup final")
    sub, _ = await kit.digests.subscribe(7, topic, None, None)
    later = kit.clock.now + timedelta(seconds=1)
    digest = compose(7, [sub], kit.store, kit.search, kit.stories, later)
    parts = render_digest(digest, lambda s: s.headline, UTC, kit.clock.now, tr=Translator.english())
    await kit.digests.unsubscribe(7, [sub.sub_id])
    assert digest.chat_id == 7 and digest.sub_ids == [sub.sub_id]
    assert bool(parts) == (not digest.empty)  # something new is sent, nothing new is not
    for part in parts:
        parse_html(part.text)  # Telegram would accept it (raises like Telegram otherwise)
        assert 0 < visible_length(part.text) <= 4096


async def test_n_more_is_written_with_the_readers_digit_grouping(kit: Kit) -> None:
    kit.add(*[f"Election {w}" for w in DISTINCT[:2]])
    await kit.digests.subscribe(1, "", None, None)
    subs = kit.digests.subs.for_chat(1)
    digest = compose(1, subs, kit.store, kit.search, kit.stories, kit.clock.now, cap=1)
    many = replace(digest, sections=[replace(digest.sections[0], more=9540)])
    for tr, said in (
        (Translator.english(), "…and 9,540 more stories: /brief"),
        (Catalogs().get("ru"), "…и ещё 9\xa0540 сюжетов: /brief"),
    ):
        (part,) = render_digest(many, lambda s: "", UTC, kit.clock.now, tr=tr)
        assert said in html_to_plain(part.text)


async def test_an_empty_first_digest_does_not_speak_of_a_last_one(kit: Kit) -> None:
    kit.add("Harbour strike ends")
    await kit.digests.subscribe(1, "volcano", None, None)

    def said() -> str:
        subs = kit.digests.subs.for_chat(1)
        digest = compose(1, subs, kit.store, kit.search, kit.stories, kit.clock.now)
        tr = Translator.english()
        (part,) = render_digest(digest, lambda s: "", UTC, kit.clock.now, send_empty=True, tr=tr)
        return html_to_plain(part.text).splitlines()[-1]

    assert said() == "Nothing new in the last 24 hours."  # there was no last digest
    sub = kit.digests.subs.for_chat(1)[0]
    kit.digests.subs.mark_delivered([sub.sub_id], kit.clock.now, None)
    assert said() == "Nothing new since your last digest."


async def test_a_topic_word_no_article_has_yet_matches_no_neighbour(kit: Kit) -> None:
    # "Путин" absent from the Russian news matched "пути" (one edit): a digest cannot say
    # "did you mean", so it brought another word's news under the reader's topic.
    kit.add("Ferry crash in Lima harbour")
    await kit.digests.subscribe(1, "Lina", None, None)
    await kit.digests.subscribe(2, "Lima", None, None)
    assert digest_text(kit, 1) == []
    (text,) = digest_text(kit, 2)
    assert "Ferry crash in Lima harbour" in text


async def test_a_topic_word_no_article_has_yet_leaves_its_other_spelling_real_matches(
    kit: Kit,
) -> None:
    # A reader writes a name both ways, one of them in no article yet: the real matches of the
    # other stay, though the unknown word is one edit from a word of them.
    kit.add("Ferry crash in Lima harbour")
    await kit.digests.subscribe(1, "Lina OR Lima", None, None)
    (text,) = digest_text(kit, 1)
    assert "Ferry crash in Lima harbour" in text
