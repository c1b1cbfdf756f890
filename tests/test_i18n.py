"""The bot's texts: every user-visible string is marked, the Russian catalog is complete, and the
catalogs load (a missing .mo is compiled from the .po); languages fall back to English."""

from __future__ import annotations

import ast
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.app.briefs import parse_brief_args
from bot.app.feed_reasons import TEMPLATES, say_reason
from bot.i18n import Catalogs, Translator, keyword, negotiate, word
from bot.i18n.catalogs import LOCALE_DIR
from bot.ingest.feedparse import NOT_A_FEED

REPO = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
METHODS = [("bot/**.py", "python"), ("handlers/**.py", "python")]
# Calls whose text arguments a user reads: replies, buttons, alerts, command menus.
USER_FACING = {
    "reply_text",
    "send_message",
    "edit_message_text",
    "edit_text",
    "answer",
    "InlineKeyboardButton",
    "CommandSpec",
    "BotCommand",
}
MARKERS = {"_", "gettext", "ngettext", "pgettext", "N_"}


def extracted() -> set[tuple[str, str]]:
    """Return every (msgctxt, msgid) pybabel extracts from bot/ and handlers/ (`make messages`)."""
    found = extract_from_dir(str(REPO), METHODS, keywords=KEYWORDS)
    ids = set()
    for _file, _line, message, _comments, context in found:
        ids.add((context or "", message[0] if isinstance(message, tuple) else message))
    return ids


def catalog(code: str) -> dict[tuple[str, str], object]:
    """Return a language's .po entries by msgctxt and msgid (singular), with their flags."""
    with (LOCALE_DIR / code / "LC_MESSAGES" / "newsbrief.po").open("rb") as fh:
        po = read_po(fh, locale=code)
    return {(m.context or "", m.id[0] if isinstance(m.id, tuple) else m.id): m for m in po if m.id}


def test_the_russian_catalog_has_every_marked_string_translated_and_none_fuzzy() -> None:
    ids = extracted()
    entries = catalog("ru")
    assert len(ids) > 80  # the extraction itself works
    missing = sorted(ids - set(entries))
    assert missing == [], "run `make messages` and translate: " + repr(missing[:5])
    untranslated = [
        i
        for i, m in entries.items()
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))  # type: ignore[attr-defined]
    ]
    assert untranslated == []
    fuzzy = [i for i, m in entries.items() if m.fuzzy]  # type: ignore[attr-defined]
    assert fuzzy == []
    stale = sorted(set(entries) - ids)
    assert stale == [], "entries no code uses any more: run `make messages`"


def test_translations_keep_the_placeholders_and_tags() -> None:
    for (_context, msgid), entry in catalog("ru").items():
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)  # type: ignore[attr-defined]
        for text in strings:
            assert set(re.findall(r"{\w+}", text)) <= set(re.findall(r"{\w+}", msgid)), msgid
            assert re.findall(r"</?\w+>", text) == re.findall(r"</?\w+>", msgid), msgid


def _marked(node: ast.AST) -> bool:
    """Return whether an expression is a call to a gettext marker (directly)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in MARKERS or (name == "format" and _marked(getattr(func, "value", None)))  # type: ignore[arg-type]


def _prose(node: ast.AST) -> str | None:
    """Return literal text a user would read in an argument (words, not ids or markup), if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return None
    plain = re.sub(
        r"<[^>]+>|[a-z]+:[\w{}][\w:{}]*", " ", text
    )  # tags and callback data are no prose
    return text if re.search(r"[A-Za-z]{2,}", plain) else None


def unmarked_strings(path: Path) -> list[str]:
    """Return the literal texts handed to user-facing calls without a gettext marker."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in USER_FACING:
            continue
        args = list(node.args) + [
            k.value for k in node.keywords if k.arg in {"text", "description"}
        ]
        if name in {"CommandSpec", "BotCommand"}:
            args = args[1:2] + [k.value for k in node.keywords if k.arg == "description"]
        for arg in args:
            text = None if _marked(arg) else _prose(arg)
            if text is not None:
                where = path.relative_to(REPO) if path.is_relative_to(REPO) else path
                found.append(f"{where}:{node.lineno}: {text[:50]!r}")
    return found


def test_every_user_visible_string_in_replies_and_buttons_is_marked() -> None:
    files = sorted(
        [*REPO.glob("handlers/*.py"), *REPO.glob("bot/app/*.py"), *REPO.glob("bot/digests/*.py")]
    )
    problems = [p for f in files for p in unmarked_strings(f)]
    assert problems == []


def test_module_level_texts_are_marked() -> None:
    # A constant replied later ("ADMINS_ONLY = ...") must be N_()-marked where it is written.
    unmarked = []
    for path in sorted(
        [
            *REPO.glob("handlers/*.py"),
            *REPO.glob("bot/app/*.py"),
            *REPO.glob("bot/digests/*.py"),
            *REPO.glob("bot/render/*.py"),
        ]
    ):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            text = _prose(node.value) if isinstance(node, ast.Assign) else None
            if text is not None and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text):
                unmarked.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert unmarked == []


def test_no_marked_literal_hides_inside_an_f_string() -> None:
    # Python 3.11's tokenizer gives pybabel an f-string as one token: `f"{_('x')}"` is never
    # extracted, so its text would silently stay English.
    hidden = []
    for path in sorted([*REPO.glob("bot/**/*.py"), *REPO.glob("handlers/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if _marked(inner) and any(isinstance(a, ast.Constant) for a in inner.args):  # type: ignore[attr-defined]
                        hidden.append(f"{path.relative_to(REPO)}:{inner.lineno}")
    assert hidden == []


def test_the_check_catches_an_unmarked_reply(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "async def f(m, _):\n"
        "    await m.reply_text('Hello there')\n"
        "    await m.reply_text(_('Marked text'))\n"
        "    await m.reply_text(_('Hi {n}').format(n=1))\n"
        "    await m.answer(f'Removed: {x}')\n"
    )
    found = unmarked_strings(sample)
    assert [f.split(": ", 1)[1] for f in found] == ["'Hello there'", "'Removed: '"]


def test_a_missing_mo_is_compiled_from_the_po(tmp_path: Path) -> None:
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(LOCALE_DIR / "ru" / "LC_MESSAGES" / "newsbrief.po", folder)
    catalogs = Catalogs(tmp_path)
    assert catalogs.languages == ("en", "ru")
    assert catalogs.get("ru").gettext("Cancel") == "Отмена"
    assert not (folder / "newsbrief.mo").exists()  # compiled in memory, nothing written


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("RU", "ru"),
        ("de", "en"),
        ("pt-br", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_unknown_languages_fall_back_to_english(code: str | None, lang: str) -> None:
    assert negotiate(code, ("en", "ru")) == lang
    assert Catalogs().get(code).lang == lang


def test_dates_times_and_numbers_follow_the_locale() -> None:
    when = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    ru, en = Catalogs().get("ru"), Translator.english()
    assert ru.date_time(when) == "30 нояб. 2026\u202fг., 07:30"
    assert en.date_time(when) == "Nov 30, 2026, 07:30"
    assert ru.date(when) == "30 нояб. 2026\u202fг." and en.date(when) == "Nov 30, 2026"
    assert ru.number(31403) == "31\xa0403"
    assert en.number(31403) == "31,403"
    assert ru.ngettext("{n} subscription", "{n} subscriptions", 3) == "{n} подписки"
    assert ru.ngettext("{n} subscription", "{n} subscriptions", 5) == "{n} подписок"


def test_feed_reasons_are_said_in_the_readers_language_and_library_text_stays() -> None:
    ru = Catalogs().get("ru")
    assert say_reason("error: cannot connect (Connection refused)", ru) == (
        "ошибка: не удаётся подключиться (Connection refused)"
    )
    assert say_reason("1 new of 21 items", ru) == "новых: 1 из 21"
    assert say_reason("something no template knows", ru) == "something no template knows"
    assert say_reason(NOT_A_FEED, Translator.english()) == NOT_A_FEED
    linked = f"{NOT_A_FEED}; the page links to its feed: http://x.example/feed.json"
    assert say_reason(linked, ru) == (
        "это не лента RSS, Atom или JSON; страница ссылается на свою ленту: "
        "http://x.example/feed.json"
    )


def test_every_feed_reason_template_is_still_written_by_the_feed_code() -> None:
    # The templates are copies of what bot/feeds writes: a reworded reason must be copied too.
    source = "".join(
        p.read_text(encoding="utf-8")
        for p in [*REPO.glob("bot/feeds/*.py"), REPO / "bot/ingest/feedparse.py"]
    )
    missing = [
        template
        for template in TEMPLATES
        for part in re.split(r"{\w+}", template)
        if len(part.strip(" ()")) > 3 and part.strip(" ()") not in source
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("args", "period", "words"),
    [
        (["неделя"], "week", ""),
        (["Сегодня", "гавань"], "today", "гавань"),
        (["24ч"], "24h", ""),
        (["week", "harbour"], "week", "harbour"),
        (["гавань"], "24h", "гавань"),
        # As Russian says it: "/brief за неделю" was a brief of the last 24 hours on "за неделю".
        (["неделю"], "week", ""),
        (["за", "неделю", "гавань"], "week", "гавань"),
        (["За", "сегодня"], "today", ""),
        (["за", "сутки"], "24h", ""),
        (["за", "24", "часа", "гавань"], "24h", "гавань"),
        (["за", "гавань"], "24h", "за гавань"),
    ],
)
def test_brief_takes_period_words_in_the_chats_language_and_english(
    args: list[str], period: str, words: str
) -> None:
    parsed = parse_brief_args(args, Catalogs().get("ru"))
    assert (parsed.period, parsed.words) == (period, words)
    assert parse_brief_args(["неделя"], Translator.english()).words == "неделя"


@pytest.mark.parametrize("key", ["all", "off", "24h", "today", "week"])
def test_every_command_word_is_read_in_english_and_in_the_readers_language(key: str) -> None:
    russian, english = Catalogs().get("ru"), Translator.english()
    typed = word(key, russian)
    assert typed != key and not typed.isascii()  # translated, as a Russian reader types it
    assert keyword(typed.upper(), russian, key) == key == keyword(f" {key} ", russian, key)
    assert keyword(typed, english, key) is None  # Russian words only in a Russian chat
    assert keyword("elsewhere", russian, key) is None
