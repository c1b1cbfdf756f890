"""Rule-based sentence splitting for news text: European languages, Russian, caseless scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.summarize.clean import to_blocks

# Words that end in a full stop without ending the sentence.  Titles always precede a name,
# so they never end a sentence; the others usually do not, unless a typical sentence opener follows.


def _wordset(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of text as a set."""
    return frozenset(text.split())


_TITLES = _wordset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt cpt cmdr adm maj gov sen rep rev hon "
    "pres supt insp det messrs mme mlle fr"
)
_ABBREVIATIONS = _wordset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun "
    "inc ltd corp co bros plc llc dept est approx vs etc al fig figs cf ca ave blvd rd ft "
    "mln bn mn pct "
    # Russian: т.е., т.д., г. (year/city), ул., руб., млн., тыс., им., etc.
    "т е д п к г гг в вв ул пр просп пл д кв им руб коп млн млрд тыс трлн стр ст рис см др "
    "проф акад доц чел обл р-н пос "
    # German, Portuguese, Spanish, French, Italian, Dutch: "z.B." and "bzw." are dotted or here.
    "bzw ca usw vgl ggf evtl inkl zzgl abs nr str tel sra srta dra av pág págs núm ex mme "
    "sig cit pag ecc ca blz"
)
# In these languages "3. Oktober" is an ordinal number (a date), not the end of a sentence.
_ORDINAL_DOT = frozenset({"de", "da", "no", "fi", "hu", "tr", "sv"})
# Before a number these are labels ("No. 5", "p. 12"), elsewhere ordinary words.
_NUMBER_LABELS = _wordset("no nos nr p pp vol art sec ch н")
_SENTENCE_OPENERS = _wordset(
    "the a an it he she they we i this that these those there but and in on at as if when "
    "its his her their our after before however meanwhile last yesterday today"
)

ELLIPSIS = "…"  # what marks text as cut
DANGLING = " ,;:-–—"  # punctuation left hanging where text is cut, taken off before ELLIPSIS
CUT_WORDS = 8  # a text stopping in a sentence this long without a stop was cut (`mark_cut`)
_TERMINATOR = re.compile(r"(?:[.!?…]+|[。！？]+|[؟۔])[\"'”’»)\]]*")
# A sentence end, then closing quotes or brackets: German and Japanese ones too.
_ENDED = re.compile(r"[.!?…。！？؟۔][\"'”’»)\]“›」]*$")
_WORD_BEFORE = re.compile(r"[\w.'-]*$")
_LOOKBACK = 40
_GLUED_START = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]")
_LOWER_WORD = re.compile(r"[a-zа-яё]{2,}")
_OPENING = "\"'“‘«([¿¡„"
_CJK_STOPS = "。！？"
# Longer "sentences" are cut at word boundaries so output stays bounded on run-on text.
MAX_SENTENCE_CHARS = 600


def split_sentences(text: str, lang: str | None = None, limit: int | None = None) -> list[str]:
    """Split text into plain-text sentences, in order, with markup and extra whitespace removed.

    The abbreviations of every language apply whatever `lang` is (news quotes across
    languages); `lang` adds its own rules, such as German's ordinal dot ("am 3. Oktober").
    Only the first `clean.MAX_CHARS` characters are read; with `limit`, only the first
    `limit` sentences are returned, and the text after them is not split.
    """
    ordinals = lang in _ORDINAL_DOT
    sentences: list[str] = []
    for block in to_blocks(text):
        for sentence in _split_block(block, ordinals):
            # Pieces without a letter or digit ("**", "---", "…") are markup debris.
            if any(ch.isalnum() for ch in sentence):
                sentences.extend(_wrap(sentence))
            if limit is not None and len(sentences) >= limit:
                return sentences[:limit]
    return sentences


def ends_sentence(text: str) -> bool:
    """Tell whether text ends as a sentence does (a stop, then any closing quotes)."""
    return _ENDED.search(text) is not None


def mark_cut(sentences: list[str], whole: bool) -> list[str]:
    """Return sentences, the last ending in ELLIPSIS when the text stops in the middle of it.

    `whole`: they are all the text's sentences. A feed's description or an archive's snippet
    is often cut mid-sentence ("… could halt, or at least"); shown bare, the fragment reads as
    what was said. Only a sentence of CUT_WORDS words or more, ending in a word or a dangling
    mark: a credit line such as "(Editing by …)" ends in a bracket, a bare headline or caption
    ("Fire at the port") is short.
    """
    last = sentences[-1] if whole and sentences else ""
    if len(last.split()) < CUT_WORDS or ends_sentence(last):
        return sentences
    if not (last[-1].isalnum() or last[-1] in DANGLING):
        return sentences
    return [*sentences[:-1], last.rstrip(DANGLING) + ELLIPSIS]


def _split_block(block: str, ordinals: bool = False) -> Iterator[str]:
    """Split one whitespace-normalised block at its sentence boundaries, first to last."""
    start = 0
    for match in _TERMINATOR.finditer(block):
        end = match.end()
        if end >= len(block) or not _is_boundary(block, match.start(), end, ordinals):
            continue
        piece = block[start:end].strip()
        if piece:
            yield piece
        start = end
    tail = block[start:].strip()
    if tail:
        yield tail


def _is_boundary(block: str, term_start: int, end: int, ordinals: bool) -> bool:
    """Decide whether the terminator at block[term_start:end] ends a sentence."""
    term = block[term_start:end]
    if term[0] in _CJK_STOPS:
        return True
    if block[end] != " ":
        return _glued_boundary(block, term_start, end)
    nxt = block[end + 1 : end + 2]
    if not nxt or not _starts_sentence(nxt):
        return False
    if term[0] == "." and term.rstrip("\"'”’»)]") == ".":
        return _period_ends_sentence(block, term_start, end, ordinals)
    return True


def _starts_sentence(ch: str) -> bool:
    """Return whether a sentence may start with ch: upper case, digit, quote or caseless letter."""
    if ch.isupper() or ch.isdigit() or ch in _OPENING:
        return True
    # Scripts without case (CJK, Arabic, Hebrew, Thai...) give no capital-letter signal.
    return ch.isalpha() and not ch.islower()


def _period_ends_sentence(block: str, term_start: int, end: int, ordinals: bool) -> bool:
    """Return whether a single full stop followed by a capital ends the sentence."""
    token = _word_before(block, term_start).lstrip("'-.")
    low = token.lower()
    next_word = block[end + 1 : end + 1 + _LOOKBACK].split(" ", 1)[0].strip(_OPENING).lower()
    if low in _TITLES:
        return False
    if low in _NUMBER_LABELS and next_word[:1].isdigit():
        return False
    if ordinals and token.isdigit() and len(token) <= 2:
        return False
    is_initial = len(token) == 1 and token.isalpha()
    is_dotted = "." in token and not token.replace(".", "").isdigit()  # U.S., e.g., т.е.
    if is_initial:
        return False
    if low in _ABBREVIATIONS or is_dotted:
        return next_word in _SENTENCE_OPENERS
    return True


def _glued_boundary(block: str, term_start: int, end: int) -> bool:
    """Split "word.Next" glued by lost whitespace, but not decimals, domains or acronyms."""
    if block[term_start] not in ".!?" or not _GLUED_START.match(block, end):
        return False
    token = _word_before(block, term_start)
    closed = block[end - 1] in "\"'”’»)]"
    return closed or _LOWER_WORD.fullmatch(token) is not None


def _word_before(block: str, pos: int) -> str:
    """Return the word (with inner dots, as in "U.S") that ends at pos."""
    # A bounded window keeps this O(1): an anchored search over the whole block is quadratic.
    window = block[max(0, pos - _LOOKBACK) : pos]
    found = _WORD_BEFORE.search(window)
    return found.group(0) if found else ""


def _wrap(sentence: str) -> list[str]:
    """Cut an over-long sentence into pieces of at most MAX_SENTENCE_CHARS at spaces."""
    pieces: list[str] = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS + 1)
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        pieces.append(sentence)
    return pieces
