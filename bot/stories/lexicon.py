"""Language tables for story features: stop words and the Snowball stemmer for each language code."""

from __future__ import annotations

# ISO 639-1 code -> Snowball algorithm; Malay uses the Indonesian stemmer, the languages share
# their affix system and most of their vocabulary.
SNOWBALL_BY_LANG: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ms": "indonesian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}

_ENGLISH = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves said says say new one two after over amid via per
mr mrs ms its it's year years week day today yesterday monday tuesday wednesday thursday friday
saturday sunday according told also may might must us
"""

_MALAY = """
ada adalah agar akan aku antara apa apabila atas atau bagi bahawa bahwa bagaimana banyak baru
beberapa begitu belum bersama beliau bila boleh bukan dalam dan dapat dari daripada dengan di dia
ia ialah ini itu jika juga kami kata kepada ke kerana karena kita lagi lain lebih masih mereka
mungkin namun oleh pada para pula saja sahaja sama sebagai sebelum sedang sejak selepas sementara
semua seperti serta setelah sudah supaya tanpa tapi telah tentang tersebut tetapi untuk yang encik
hari tahun kali satu dua turut iaitu yakni
"""

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_ENGLISH.split()),
    "ms": frozenset(_MALAY.split()),
    "id": frozenset(_MALAY.split()),
}

# Words that are capitalised only because of their position or convention, never a name.
NOT_ENTITIES: frozenset[str] = STOP_WORDS["en"] | STOP_WORDS["ms"]
