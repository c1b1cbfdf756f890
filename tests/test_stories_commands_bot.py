"""End to end: /brief, /story, inline story cards and story buttons, in the reader's language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.models import ArticleDraft, utcnow
from tests.digestkit import TIMEOUT, ask, digest_env
from tests.storykit import OTHER, VOLCANO, add


async def test_brief_pages_and_story_lists_a_storys_articles(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        add(env, VOLCANO + OTHER)
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        assert page.text.startswith("Top stories · the last 24 hours · 1–5 of 7")
        # The three-source story is the biggest of the day.
        assert page.text.split("\n\n")[1].startswith("1. ")
        assert "Grindavik" in page.text.split("\n\n")[1]
        assert "📚 1" in page.button_texts
        await user.press(page, "More »")
        [edited] = await user.wait_replies(1, timeout=TIMEOUT)
        assert edited.edited and edited.text.startswith(
            "Top stories · the last 24 hours · 6–7 of 7"
        )
        assert await ask(user, "/story 6") != ""
        user.replies()
        await user.send("/brief")
        await user.wait_replies(1, timeout=TIMEOUT)
        listing = await ask(user, "/story 1")
        assert listing.count("Grindavik") >= 3
        assert "3 sources: Reuters, AP, BBC" in listing
        assert "There is no item 99" in await ask(user, "/story 99")
        assert "/story 2" in await ask(user, "/story nonsense")
        assert await ask(user, "/brief week volcano") != ""
        words = await ask(user, "/brief zzyzxqq")
        assert words == "No stories about zzyzxqq from the last 24 hours yet."


async def test_story_and_follow_of_an_item_off_the_page_say_which_items_it_shows(
    tmp_path: Path,
) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        no_list = "There is no list yet. Send /latest, /brief or /search first, then {}."
        assert await ask(user, "/story 1") == no_list.format("/story 1")
        assert await ask(user, "/follow 1") == no_list.format("/follow 1")
        add(env, VOLCANO + OTHER)
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        await user.press(page, "More »")
        await user.wait_replies(1, timeout=TIMEOUT)
        shows = "There is no item {} in the last list: it shows items 6–7."
        for command in ("/story", "/follow", "/summary"):
            assert await ask(user, f"{command} 2") == shows.format(2)
            assert await ask(user, f"{command} 8") == shows.format(8)
            assert await ask(user, f"{command} -3") == (
                "The item number must be a positive number: the last list shows items 6–7."
            )


async def test_inline_mode_shares_a_story_card_naming_its_sources(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        add(env, VOLCANO + OTHER[:2])
        answer = await env.user().inline("grindavik lava")
        [result] = answer.results  # three reports, one result
        assert result["description"] == "3 sources: Reuters, AP, BBC"
        card = result["input_message_content"]["message_text"]
        assert "3 sources: Reuters, AP, BBC" in card
        volcano = next(a for a in env.services.store if "Grindavik" in a.title)
        assert result["id"] == env.services.stories.story_of(volcano.id)


async def test_a_story_button_of_a_story_gone_or_forged_says_so(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        add(env, VOLCANO + OTHER[:1])
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        gone = await user.press_data(page, "t:s0000000000")  # well-formed, no such story
        assert gone.text == "That story is no longer in the archive."
        forged = await user.press_data(page, "t:../../etc")
        assert forged.text == "This button is not valid any more."
        assert await user.no_replies(0.3)
        assert "There is no item 1" not in await ask(user, "/story 1")  # the list still works
        assert await ask(user, "/story s0000000000") == "That story is no longer in the archive."


UNSIGNED = [  # (source, title, body, minutes ago): the first two name no source
    (
        None,
        "Volcano erupts near Grindavik in Iceland",
        "A volcano erupted on Iceland's Reykjanes peninsula on Monday, sending lava toward "
        "the evacuated fishing town of Grindavik, the Icelandic Meteorological Office said.",
        50,
    ),
    (
        None,
        "Grindavik lava flow from Iceland volcano slows",
        "The lava flow from the Reykjanes volcano near Grindavik in Iceland slowed on Tuesday "
        "as the eruption near the evacuated town weakened.",
        40,
    ),
    (
        "Guardian",
        "Grindavik homes destroyed by Iceland volcano lava",
        "Two people were injured and 12 homes destroyed by the Reykjanes lava in Grindavik, "
        "Iceland's police said after the volcano erupted.",
        30,
    ),
]


async def test_a_story_whose_articles_name_no_source_says_so_everywhere(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        env.services.store.add_many(
            ArticleDraft(
                title=title,
                body=body,
                url=f"https://news.example.com/{n}",
                published=utcnow() - timedelta(minutes=ago),
                source=source,
            )
            for n, (source, title, body, ago) in enumerate(UNSIGNED)
        )
        volcano = next(a for a in env.services.store if a.source == "Guardian")
        assert env.services.stories.story_of(volcano.id) is not None
        user = env.user()
        told = "Guardian · 2 articles without a source"  # not "3 sources: Guardian +2"
        assert told in await ask(user, "/brief")
        timeline = await ask(user, "/story 1")
        assert told in timeline
        assert " ·  " not in timeline and "· …" not in timeline  # no empty slot, no placeholder
        lines = timeline.splitlines()
        [first] = [line for line in lines if "First report" in line]
        assert first[:5].replace(":", "").isdigit() and first[5:].startswith(" — First report")
        assert any(line == "· Guardian" or line.endswith(" · Guardian") for line in lines)
        row = (await ask(user, "/latest 1")).split("\n\n")[1]
        assert row.splitlines()[0].endswith("· +2 articles")  # not "+2 sources"
        [result] = (await user.inline("grindavik lava")).results
        assert result["description"] == told
        assert told in result["input_message_content"]["message_text"]


TWO_LANGUAGES = [  # (English, Russian, which is newer): one event each, told in both
    (
        "Apple unveils iPhone 17 at Cupertino event on 9 September 2026",
        "Apple представила iPhone 17 в Cupertino 9 сентября 2026 года",
        "en",
    ),
    (
        "Airbus delivers 800 aircraft to Lufthansa in Toulouse on 3 March 2026",
        "Airbus передал 800 самолётов Lufthansa в Toulouse 3 марта 2026 года",
        "ru",
    ),
]


async def test_a_list_row_shows_the_storys_article_in_the_readers_language(
    tmp_path: Path,
) -> None:
    async with digest_env(tmp_path) as env:
        for n, (english, russian, newer) in enumerate(TWO_LANGUAGES):
            at = utcnow() - timedelta(hours=n + 1)
            late = at + timedelta(minutes=5)
            env.services.store.add_many(
                ArticleDraft(title, title, f"https://{lang}.example.com/{n}", published=when)
                for title, lang, when in (
                    (english, "en", late if newer == "en" else at),
                    (russian, "ru", late if newer == "ru" else at),
                )
            )
        stories = {env.services.stories.story_of(a.id) for a in env.services.store}
        assert len(stories) == 2 + 1  # the seed article is a story of its own
        russian_chat = env.server.user(7998, "Иван", language_code="ru")
        english_chat = env.user()
        for user, shown, hidden in ((russian_chat, 1, 0), (english_chat, 0, 1)):
            for command in ("/latest 2", "/search Apple iPhone", "/search Airbus Lufthansa"):
                reply = await ask(user, command)
                for pair in TWO_LANGUAGES:
                    if pair[0].split()[0] in command or command == "/latest 2":
                        assert pair[shown] in reply and pair[hidden] not in reply, command
        # A search's row is one of its hits: a Russian chat asking for English gets English.
        reply = await ask(russian_chat, "/search Apple iPhone lang:en")
        assert TWO_LANGUAGES[0][0] in reply and TWO_LANGUAGES[0][1] not in reply


async def test_a_topic_summary_tells_each_story_in_the_readers_language(tmp_path: Path) -> None:
    # `/summary words` once summarised every hit: a story told in English and in Russian
    # gave a Russian chat its English sentence too, and an English chat the Russian one.
    async with digest_env(tmp_path) as env:
        english, russian, _ = TWO_LANGUAGES[0]
        at = utcnow() - timedelta(hours=1)
        env.services.store.add_many(
            ArticleDraft(title, title, f"https://{lang}.example.com/0", published=at)
            for title, lang in ((english, "en"), (russian, "ru"))
        )
        russian_chat = env.server.user(7998, "Иван", language_code="ru")
        for user, shown, hidden in (
            (russian_chat, russian, english),
            (env.user(), english, russian),
        ):
            reply = await ask(user, "/summary Apple iPhone")
            assert shown in reply and hidden not in reply, reply
        # Asked for English by name, a Russian chat gets the English hit, the only one there is.
        reply = await ask(russian_chat, "/summary Apple iPhone lang:en")
        assert english in reply and russian not in reply, reply
