"""A model-written brief: its checked sentences, each citing the story's own articles."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Article
from bot.render import escape, link, safe_url

MAX_SENTENCES = 3
MAX_CHARS = 400  # what a reader sees, citation marks included
_ENDS = ".!?…。"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the answer and the numbers (1-based) of the articles it cites."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Brief:
    """The sentences that passed the check, and the articles they were written from, in order."""

    sentences: tuple[Sentence, ...]
    sources: tuple[Article, ...]  # article n of the prompt is sources[n - 1]
    lang: str

    def marks(self, linked: bool = False) -> dict[int, int]:
        """Return prompt number → shown number, numbered in order of first citation.

        `linked`: only the articles with a link to follow, the only marks a reader can use.
        """
        shown: dict[int, int] = {}
        for sentence in self.sentences:
            for n in sentence.cites:
                if not linked or safe_url(self.sources[n - 1].url) is not None:
                    shown.setdefault(n, len(shown) + 1)
        return shown

    def text(self) -> str:
        """Return the brief as plain text, marks as [1][2]."""
        marks = self.marks()
        return " ".join(
            f"{s.text} " + "".join(f"[{marks[n]}]" for n in s.cites) for s in self.sentences
        )

    def html(self) -> str:
        """Return the brief as Telegram HTML: text escaped, each mark a link to its article.

        An article without a link gets no mark: "[1]" as plain text would lead nowhere.
        """
        marks = self.marks(linked=True)
        parts = []
        for s in self.sentences:
            cites = "".join(
                link(self.sources[n - 1].url, f"[{marks[n]}]") for n in s.cites if n in marks
            )
            parts.append(f"{escape(s.text)} {cites}".rstrip())
        return " ".join(parts)


def fit(sentences: list[Sentence]) -> list[Sentence]:
    """Return the leading sentences that fit MAX_SENTENCES and MAX_CHARS, each ended properly."""
    out: list[Sentence] = []
    used = 0
    for sentence in _distinct(sentences)[:MAX_SENTENCES]:
        text = sentence.text if sentence.text[-1] in _ENDS else sentence.text + "."
        size = len(text) + 1 + 3 * len(sentence.cites) + (1 if out else 0)
        if used + size > MAX_CHARS:
            break
        out.append(Sentence(text, sentence.cites))
        used += size
    return out


def _distinct(sentences: list[Sentence]) -> list[Sentence]:
    """Return each sentence once, in order: a repeat (small models repeat) adds only its marks."""
    merged: dict[str, Sentence] = {}
    for sentence in sentences:
        key = " ".join(sentence.text.casefold().rstrip(_ENDS).split())
        first = merged.setdefault(key, sentence)
        if first is not sentence:
            merged[key] = Sentence(first.text, tuple(dict.fromkeys(first.cites + sentence.cites)))
    return list(merged.values())
