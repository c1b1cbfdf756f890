"""End to end over the local Bot API server: following a story as a reader meets it, in the
chat's language, with any headline, however many stories the chat follows; its timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.i18n import Translator
from bot.models import utcnow
from tests.digestkit import TIMEOUT, ask
from tests.followkit import SLOWS, follow_env
from tests.storykit import OTHER, VOLCANO
from tests.test_stories_reader_bot import LAUNCH

# A headline with every character HTML escapes: the reply shows it as written, once escaped.
MARKUP = (
    "Wire <Desk>",
    'AT&T <Q3> profit jumps 12% as "5G" subscribers surge',
    "AT&T reported a 12% jump in third-quarter profit on Tuesday as its 5G subscribers surged.",
)


async def test_follow_and_unfollow_show_a_headline_with_html_characters_as_written(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(MARKUP, *VOLCANO, *OTHER)
        page = await ask(user, "/brief AT&T")
        assert "AT&T <Q3>" in page
        reply = await ask(user, "/follow 1")
        assert reply.startswith('🔔 Following: AT&T <Q3> profit jumps 12% as "5G" subscribers')
        assert "&amp;" not in reply and "&lt;" not in reply
        reply = await ask(user, "/unfollow 1")
        assert reply.startswith("🔕 No longer following: AT&T <Q3> profit")
        assert "&amp;" not in reply


async def test_a_headline_that_ends_a_sentence_gets_no_second_full_stop(tmp_path: Path) -> None:
    """'Following: … to Ukraine..' read as a typo: a headline's own stop (or ?) ends the line."""
    said = ("Wire", "Kirby declined to announce the trip.", "Kirby declined on Monday to say more.")
    asked = ("Desk", "Will the lava reach Grindavik?", "Scientists could not say on Monday.")
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(said, asked)
        await ask(user, "/brief")
        followed = [await ask(user, f"/follow {n}") for n in (1, 2)]
        again = await ask(user, "/follow 1")
        heads = {r.split("\n")[0] for r in followed}
        assert heads == {
            "🔔 Following: Kirby declined to announce the trip.",
            "🔔 Following: Will the lava reach Grindavik?",
        }
        user.replies()
        await user.send("/following")
        [listing] = await user.wait_replies(1, timeout=TIMEOUT)
        notice = await user.press(listing, "🔕 1")
        gone = await ask(user, "/unfollow 1")
        for text in [*followed, again, notice.text or "", gone]:
            assert ".." not in text and "?." not in text, text


async def test_a_russian_private_chat_that_follows_gets_its_updates_in_russian(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7990, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/quiet выкл")
        await ask(user, "/brief")
        assert (await ask(user, "/follow 1")).startswith("🔔 Вы следите за сюжетом")
        env.add(SLOWS)
        await env.settle()
        [update] = [m for m in env.server.sent(user.chat_id) if "\n\n• " in m.text]
        assert "slowed on Tuesday" in update.text
        # Its buttons speak the chat's language, as the reply to /follow did.
        assert update.button_texts == ["🗓 Хроника", "📚 Статьи", "🔕 Не следить"]


async def test_unfollow_of_what_the_chat_does_not_follow_says_so(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        nothing = "You follow no story. Tap 🔔 under a story in /brief, or send /follow N."
        assert await ask(user, "/unfollow all") == nothing  # not "Stopped following 0 stories."
        assert await ask(user, "/unfollow 1") == nothing
        await ask(user, "/follow 1")
        # Item 2 of the brief is a story, just not one this chat follows.
        assert await ask(user, "/unfollow 2") == "You do not follow that story."
        assert await ask(user, "/unfollow s0000000000") == "You do not follow that story."
        # /following shows numbers, never ids: the usage line names what the reader can see.
        usage = "Send /unfollow 1 (a number from /following), or all."
        assert await ask(user, "/unfollow nonsense") == usage
        assert "No longer following" in await ask(user, "/unfollow 1")
        russian = env.server.user(7991, "Иван", language_code="ru")
        reply = await ask(russian, "/unfollow все")
        assert reply.startswith("Вы не следите ни за одним сюжетом.")


async def test_a_follow_button_that_cannot_follow_answers_in_its_notice_not_the_chat(
    tmp_path: Path,
) -> None:
    async with follow_env(tmp_path) as env:
        admin, member = env.user(), env.user()
        group = env.server.group(-4344, "Desk", admins=[admin], members=[member])
        env.add(*VOLCANO, *OTHER)
        page_text = await ask(group.member(admin), "/brief")
        assert page_text.startswith("Top stories")
        [page] = [m for m in env.server.sent(-4344) if m.text.startswith("Top stories")]
        someone = group.member(member)
        someone.replies()
        pressed = await someone.press(page, "🔔 1")
        assert pressed.text == "Only this group's admins can change what it follows."
        assert env.services.follows.for_chat(-4344) == []
        gone = await someone.press_data(page, "f:s0000000000")
        assert gone.text == "Only this group's admins can change what it follows."
        boss = group.member(admin)
        gone = await boss.press_data(page, "f:s0000000000")  # a story that left the archive
        assert gone.text == "That story is no longer in the archive."
        # Nothing of either was posted to the group: the next message is /quiet's answer.
        assert (await ask(boss, "/quiet")).startswith("Story updates wait between")


async def test_following_says_which_followed_story_left_the_archive(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7992, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        await ask(user, "/follow 1")
        # What a follow looks like once retention took its story's last article.
        await env.services.follows.follow(user.chat_id, "s0000000000", "Old <harbour> & story")
        listing = await ask(user, "/following")
        gone = next(line for line in listing.split("\n") if "harbour" in line)
        assert gone.endswith("Old <harbour> & story — больше нет в архиве")
        assert "последнее сообщение" in listing  # the live story says when it last had news


DERNA = [
    (
        "Reuters",
        "Dam breach floods villages near Derna after storm",
        "A dam near Derna in eastern Libya burst on Monday after storm Daniel, flooding 12 "
        "villages and forcing 3,000 people from their homes, the Red Crescent said.",
    ),
    (
        "AFP",
        "Storm Daniel: Derna dam under pressure as rains swell reservoir",
        "Engineers warned on Sunday that the Derna dam in eastern Libya was under pressure as "
        "storm Daniel swelled the reservoir, the Red Crescent said, urging 3,000 residents of 12 "
        "villages to prepare to leave.",
    ),
    (
        "AP",
        "Derna dam breach: death toll rises to 40",
        "The death toll from the Derna dam breach in eastern Libya rose to 40 on Tuesday, the Red "
        "Crescent said, as rescuers searched the 12 flooded villages.",
    ),
]


async def test_a_report_dated_before_the_first_one_keeps_the_timeline_in_date_order(
    tmp_path: Path,
) -> None:
    noon = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(DERNA[0], published=noon - timedelta(days=1))
        # Arriving later: a report written the day before (a slow feed, an import), then news.
        env.add(DERNA[1], published=noon - timedelta(days=2))
        env.add(DERNA[2], published=noon - timedelta(days=1, hours=-2))
        [first] = [a for a in env.services.store if a.source == "Reuters"]
        story_id = env.services.stories.story_of(first.id)
        assert story_id is not None and story_id == env.services.stories.story_of(
            next(a.id for a in env.services.store if a.source == "AFP")
        )
        text = await ask(user, f"/story {story_id}")
        english = Translator.english()
        days = [english.date(noon - timedelta(days=n)) for n in (2, 1)]
        assert [text.count(day) for day in days] == [1, 1]  # each day is one heading
        timeline = text[text.index(days[0]) :]  # after the head (headline, summary, sources)
        places = [timeline.index(s) for s in (days[0], "under pressure", days[1], "burst", "rose")]
        assert places == sorted(places)
        # The report the bot had first is not called the first one when an earlier one is shown.
        assert "First report" not in text and "— Dam breach floods villages" in text


async def test_a_russian_chat_may_write_all_with_yo(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.server.user(7993, "Иван", language_code="ru")
        env.add(*VOLCANO, *OTHER)
        await ask(user, "/brief")
        await ask(user, "/follow 1")
        # "всё" and "все" are one word to a Russian reader, who may or may not type the dots.
        assert "больше не следите за 1 сюжетом" in await ask(user, "/unfollow всё")
        assert env.services.follows.for_chat(user.chat_id) == []


async def test_follow_and_unfollow_of_a_story_with_a_huge_headline_answer_within_a_message(
    tmp_path: Path,
) -> None:
    # A feed that puts the whole text in the title: 7,000 characters.
    title = "Parliament votes " + " ".join(f"word{n}" for n in range(900))
    long = ("Desk", title, "Parliament voted on Tuesday on the long bill, 300 to 12.")
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(long)
        await ask(user, "/brief")
        reply = await ask(user, "/follow 1")
        assert reply.startswith("🔔 Following: Parliament votes word0") and len(reply) < 600
        assert "word899" not in reply
        reply = await ask(user, "/unfollow 1")
        assert reply.startswith("🔕 No longer following: Parliament votes") and len(reply) < 400


async def test_a_timeline_button_of_a_story_gone_says_so_in_its_notice(tmp_path: Path) -> None:
    async with follow_env(tmp_path) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        user.replies()
        await user.send("/brief")
        [page] = await user.wait_replies(1, timeout=TIMEOUT)
        gone = await user.press_data(page, "w:s0000000000")  # as an old update's 🗓 would
        assert gone.text == "That story is no longer in the archive."
        assert (await ask(user, "/quiet")).startswith("Story updates wait between")


async def test_a_report_retelling_the_story_in_russian_is_an_update_for_russian_readers_only(
    tmp_path: Path,
) -> None:
    # Every Russian word is new to an English story's words: an English follower was sent the
    # Russian report's retelling of what it had read, in a language it does not read.
    english_report, russian_report, nasa = LAUNCH
    async with follow_env(tmp_path) as env:
        english = env.server.user(7994, "Ann", language_code="en")
        russian = env.server.user(7995, "Иван", language_code="ru")
        env.add(english_report, published=utcnow() - timedelta(minutes=40))
        for user in (english, russian):
            await ask(user, "/brief")
            await ask(user, "/follow 1")
        env.add(russian_report, published=utcnow() - timedelta(minutes=30))
        await env.settle()
        [update] = env.updates(russian.chat_id)
        assert "Компания SpaceX во вторник запустила ракету Starship" in update
        assert env.updates(english.chat_id) == []
        env.clock.advance(hours=4)
        env.add(nasa, published=utcnow() - timedelta(minutes=20))  # English news: for both
        await env.settle()
        [update] = env.updates(english.chat_id)
        assert "NASA congratulated SpaceX" in update
        assert len(env.updates(russian.chat_id)) == 2
        timeline = await ask(english, "/story 1")
        assert "Компания" not in timeline and "NASA congratulated" in timeline
        assert "Компания SpaceX" in await ask(russian, "/story 1")
