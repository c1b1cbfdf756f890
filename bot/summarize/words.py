"""Content terms of a sentence: tokenised, stop words dropped, lightly stemmed by script."""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of text as a set."""
    return frozenset(text.split())


_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

_STOP_EN = _wordset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever few for
    from further get got had has have having he her here hers herself him himself his how i if in
    into is it its itself just last like made make many may me more most much must my myself new no
    nor not now of off on once one only or other our ours ourselves out over own per said same say
    says she should since so some still such than that the their theirs them themselves then there
    these they this those through to too two under until up upon us very was we were what when
    where which while who whom whose why will with within without would year years yet you your
    yours yourself mr mrs ms told according"""
)
_STOP_RU = _wordset(
    """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже
    для до его ее её если есть еще ещё же за здесь и из или им их к как ко когда кто ли либо между
    меня мне может мы на над надо наш не него нее неё нет ни них но ну о об однако он она они оно от
    очень по под после при про раз с со так также такой там те тем то того тоже той только том ты у
    уже хотя чего чей чем что чтобы чье чья эта эти это этого этой этом этот я года год году
    сказал заявил"""
)
_STOP = _STOP_EN | _STOP_RU

_RU_ENDINGS = tuple(
    sorted(
        _wordset(
            """иями ями ами иях ях ах ого его ому ему ыми ими ая яя ое ее ие ые ой ей ий ый ом ем ам ям
        ую юю ов ев ия ья ье ию ью ость ости ться тся ть ла ло ли ет ют ит ят ешь ишь ем им ал ил
        ел у ю а я о е ы и ь й"""
        ),
        key=lambda e: (-len(e), e),
    )
)


def terms(sentence: str) -> list[str]:
    """Return the sentence's content terms: lower-cased, stemmed, without stop words."""
    out: list[str] = []
    for token in _WORD.findall(sentence.lower()):
        if token in _STOP or (token.isdigit() and len(token) < 3):
            continue
        if _CJK.search(token):
            out.extend(_cjk_bigrams(token))
        elif len(token) > 1:
            out.append(stem(token))
    return out


def stem(token: str) -> str:
    """Strip common English or Russian inflections so that forms of a word match."""
    if "а" <= token[0] <= "я" or token[0] == "ё":
        return _stem_ru(token.replace("ё", "е"))
    return _stem_en(token)


def _stem_en(word: str) -> str:
    """Strip plural, past, gerund and adverb endings (a small subset of Porter's steps)."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, keep in (("ing", 4), ("edly", 4), ("ed", 4), ("ly", 4), ("ment", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep - 1:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _stem_ru(word: str) -> str:
    """Strip the longest known Russian case or verb ending, keeping a stem of 3+ letters."""
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _cjk_bigrams(token: str) -> list[str]:
    """Return overlapping character pairs, the usual term unit for unsegmented CJK text."""
    if len(token) < 2:
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)]
