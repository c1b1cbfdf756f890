"""End to end over the local Bot API server: a story speaks each chat's language, and reprints
of one text show as one report ("7 sources · 3 reports") in digests, /brief and /story."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.models import ArticleDraft, utcnow
from bot.tgserver import UserClient
from tests.digestkit import Env, ask, digest_env, digests_in
from tests.test_stories_reports import reprinted, written

# One launch reported in English and Russian; the current engine joins them on the Latin
# names and numbers they share (SpaceX, Starship, Boca Chica, 33 Raptor, 65 minutes).
LAUNCH = [
    (
        "Orbit Times",
        "SpaceX launches Starship from Boca Chica with 33 Raptor engines",
        "SpaceX launched its Starship rocket from Boca Chica, Texas, on Tuesday, firing all 33 "
        "Raptor engines. The Starship flight lasted 65 minutes and the Super Heavy booster "
        "landed in the Gulf of Mexico. Elon Musk said SpaceX would fly again in June.",
    ),
    (
        "Космос Сегодня",
        "SpaceX запустила Starship с космодрома Boca Chica",
        "Компания SpaceX во вторник запустила ракету Starship с площадки Boca Chica в Техасе, "
        "включив все 33 двигателя Raptor. Полёт Starship продлился 65 минут, а ускоритель "
        "Super Heavy приводнился в Мексиканском заливе. Илон Маск сообщил, что SpaceX "
        "полетит снова в июне.",
    ),
    (
        "Launch Wire",
        "Starship flies for 65 minutes as SpaceX booster lands",
        "The SpaceX Starship stayed aloft for 65 minutes after lifting off from Boca Chica with "
        "33 Raptor engines. NASA congratulated SpaceX, which hopes Starship will carry "
        "astronauts to the Moon.",
    ),
]
RATES = (
    "Money Times",
    "Central bank raises interest rates to curb inflation",
    "The central bank raised its benchmark interest rate by a quarter point to fight inflation.",
)
RUSSIAN_HEADLINE = "SpaceX запустила Starship с космодрома Boca Chica"
RUSSIAN_LEAD = "Компания SpaceX во вторник запустила ракету Starship"


def add(env: Env, reports: list[tuple[str, str, str]]) -> None:
    """Store reports (source, title, body), a little apart, within the last hour."""
    env.services.store.add_many(
        ArticleDraft(
            title=title,
            body=body,
            url=f"https://{source.lower().replace(' ', '')}.example.com/{n}",
            published=utcnow() - timedelta(minutes=40 - n),
            source=source,
        )
        for n, (source, title, body) in enumerate(reports)
    )


def reader(env: Env, lang: str) -> UserClient:
    env.next_id += 1
    return env.server.user(env.next_id, f"User{env.next_id}", language_code=lang)


def cyrillic(text: str) -> bool:
    return any("а" <= ch.lower() <= "я" for ch in text)


async def test_a_russian_chat_reads_the_russian_headline_and_summary_an_english_chat_english(
    tmp_path: Path,
) -> None:
    async with digest_env(tmp_path) as env:
        add(env, [*LAUNCH, RATES])
        russian, english = reader(env, "ru"), reader(env, "en")
        page = await ask(russian, "/brief")
        top = page.split("\n\n")[1]  # the first story: three sources, two languages
        assert top.startswith(f"1. {RUSSIAN_HEADLINE}") and RUSSIAN_LEAD in top
        assert "3 источника" in top
        listing = await ask(russian, "/story 1")
        assert listing.startswith(RUSSIAN_HEADLINE) and RUSSIAN_LEAD in listing

        page = await ask(english, "/brief")
        top = page.split("\n\n")[1]
        headline, summary = top.split("\n")[:2]
        assert "Starship" in headline and not cyrillic(headline)
        assert "Boca Chica" in summary and not cyrillic(summary)
        listing = await ask(english, "/story 1")
        head = listing.split("\n")[:2]
        assert "Starship" in head[0] and "Boca Chica" in head[1]
        assert not any(cyrillic(line) for line in head)


async def test_a_digest_item_counts_reprints_of_one_text_as_one_report(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        await ask(user, "/subscribe 07:30")
        add(env, reprinted(5) + written(2, 0) + [RATES])  # five print the wire, two write
        await env.fire(user.chat_id)
        [digest] = digests_in(env.server, user.chat_id)
        # The count on the item's line, every name in its folded quote (issue 22).
        assert "7 sources · 3 reports · " in digest
        assert "\nOutlet 0, Outlet 1, Outlet 2, Outlet 3, Outlet 4, Desk 0, Desk 1\n" in digest
        assert "Money Times" in digest  # one source, one report: nothing more to say
        russian = reader(env, "ru")
        page = await ask(russian, "/brief")
        assert "7 источников · 3 материала" in page
