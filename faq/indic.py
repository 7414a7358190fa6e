"""Hindi in either script, and Hinglish in any spelling, folded to one comparable form.

Patients write Hindi in Devanagari ("साँस नहीं आ रही"), in Latin letters spelt freely
("saans nahi aa rahi", "sans nhi a rhi", "saas nai aa rahi"), or mix either with English.
Rather than listing every spelling in every rule, text is normalised in three steps:

1. `script_of` / `script_counts` tell which writing systems a text uses, from the Unicode
   block of each letter (exact, no guessing: Devanagari is U+0900-U+097F).
2. `to_latin` spells Devanagari words in a loose romanisation close to how people type
   Hinglish ("साँस" -> "saans", "तकलीफ़" -> "takleef", "धड़कन" -> "dhadkan"). The letters
   come from the `indic-transliteration` package (ITRANS scheme); this module only deletes
   the inherent "a" that Hindi does not pronounce and simplifies ITRANS's capitals.
3. `hinglish_skeleton` folds one Latin word to a spelling-free skeleton: aspiration,
   vowel length, doubled letters, nasal "n" and the short "a" that Hinglish writers drop
   or add at will are all removed ("saans", "sans", "saas", "साँस" -> "s";
   "nahi", "nhi", "nahin", "nai", "नहीं" -> "nhi"). Staff never see skeletons: rules are
   written in plain Hinglish and folded by this same function when the FAQ loads.

`detect_language` then says whether a text is English, Hindi, Hinglish or another
script, so a reply can be given in a language the reader knows.

Everything here is pure and cached per word, so it is cheap on every message.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from typing import Literal

Language = Literal["en", "hi", "hinglish", "other", "unknown"]

__all__ = [
    "Language",
    "Script",
    "detect_language",
    "hinglish_skeleton",
    "script_counts",
    "script_of",
    "skeleton",
    "to_latin",
]


class Script(StrEnum):
    LATIN = "latin"
    DEVANAGARI = "devanagari"
    OTHER_INDIC = "other-indic"  # Bengali, Gurmukhi, Gujarati, Odia, Tamil, ... Sinhala
    ARABIC = "arabic"  # Urdu, Kashmiri, Sindhi, Arabic, Persian
    OTHER = "other"  # any other letters (Cyrillic, CJK, ...)
    NONE = "none"  # no letters at all: digits, emoji, punctuation


def _script_of_char(ch: str) -> Script | None:
    cp = ord(ch)
    if cp < 0x80:
        return Script.LATIN if ch.isalpha() else None
    if not unicodedata.category(ch).startswith(("L", "M")):
        return None
    if 0x0900 <= cp <= 0x097F:
        return Script.DEVANAGARI
    if 0x0980 <= cp <= 0x0DFF:
        return Script.OTHER_INDIC
    if (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    ):
        return Script.ARABIC
    if cp <= 0x024F or 0x1E00 <= cp <= 0x1EFF:
        return Script.LATIN
    return Script.OTHER


def script_counts(text: str) -> Counter[Script]:
    """How many letters (and combining signs) of each script `text` has."""
    counts: Counter[Script] = Counter()
    if text.isascii():  # the common case, without a per-character Unicode lookup
        letters = sum(ch.isalpha() for ch in text)
        if letters:
            counts[Script.LATIN] = letters
        return counts
    for ch in text:
        script = _script_of_char(ch)
        if script is not None:
            counts[script] += 1
    return counts


def script_of(text: str) -> Script:
    """The script most of the letters of `text` are written in (`Script.NONE` without any).

    A tie goes to Devanagari, then Latin: those are the scripts the bot reads.
    """
    counts = script_counts(text)
    if not counts:
        return Script.NONE
    order = list(Script)
    return max(counts, key=lambda s: (counts[s], -order.index(s)))


# -- Devanagari -> loose Latin --------------------------------------------------------------

_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"


def _is_consonant(ch: str) -> bool:
    if len(ch) != 1:
        return False
    cp = ord(ch)
    return 0x0915 <= cp <= 0x0939 or 0x0958 <= cp <= 0x095F or 0x0979 <= cp <= 0x097F


def _is_matra(ch: str) -> bool:
    if len(ch) != 1:
        return False
    cp = ord(ch)
    return 0x093E <= cp <= 0x094C or cp in (0x094E, 0x094F, 0x0962, 0x0963)


def _is_vowel_letter(ch: str) -> bool:
    cp = ord(ch)
    return 0x0904 <= cp <= 0x0914 or cp in (0x0960, 0x0961) or 0x0972 <= cp <= 0x0977


# Letters ITRANS has no Hindi spelling for, mapped onto their everyday equivalent first:
# the "o" of English loanwords (डॉक्टर), the candra "e" (बॅट), and rare Dravidian letters.
_DEVANAGARI_PREMAP = str.maketrans(
    {
        "\u0949": "\u094b",  # ॉ -> ो
        "\u0911": "\u0913",  # ऑ -> ओ
        "\u0945": "\u0947",  # ॅ -> े
        "\u090d": "\u090f",  # ऍ -> ए
        "\u0946": "\u0947",  # ॆ -> े
        "\u090e": "\u090f",  # ऎ -> ए
        "\u094a": "\u094b",  # ॊ -> ो
        "\u0912": "\u0913",  # ऒ -> ओ
        "\u0972": "\u0905",  # ॲ -> अ
        "\u0904": "\u0905",  # ऄ -> अ
        "\u0929": "\u0928",  # ऩ -> न
        "\u0931": "\u0930",  # ऱ -> र
        "\u0934": "\u0933",  # ऴ -> ळ
        "\u095d": "\u0922",  # ढ़ -> ढ (ITRANS has no sign for it; people type "dh")
        "\u200c": None,  # ZWNJ and ZWJ only choose a glyph shape inside a word
        "\u200d": None,
        "\u0951": None,  # Vedic stress marks
        "\u0952": None,
    }
)


def _delete_schwas(word: str) -> str:
    """Mark with a virama each inherent "a" that Hindi does not pronounce.

    Hindi drops the inherent vowel at the end of a word (कमल is "kamal") and inside a word
    between a vowel-consonant and a consonant-vowel (धड़कन is "dhadkan", तकलीफ "takleef"),
    deciding from right to left (the common rule described by Ohala). A consonant inside
    a cluster or next to a nasal sign keeps its vowel (अस्पताल "aspataal", ज़िंदगी
    "zindagi"): dropping it would make an unpronounceable cluster.
    """
    chars = list(word)
    n = len(chars)

    def end_of(pos: int) -> int:
        return pos + 2 if pos + 1 < n and chars[pos + 1] == _NUKTA else pos + 1

    consonants = [i for i, ch in enumerate(chars) if _is_consonant(ch)]
    syllables = sum(
        1 for i in consonants if end_of(i) >= n or chars[end_of(i)] != _VIRAMA
    ) + sum(1 for ch in chars if _is_vowel_letter(ch))
    if syllables < 2:
        return word
    deleted: set[int] = set()
    for pos in reversed(consonants):
        e = end_of(pos)
        following = chars[e] if e < n else ""
        if following == _VIRAMA or _is_matra(following):
            continue  # no inherent vowel
        if e >= n:
            deleted.add(pos)  # word-final
            continue
        if not _is_consonant(following) or pos == 0:
            continue
        before = chars[pos - 1]
        if before == _CHANDRABINDU and pos >= 2:
            before = chars[pos - 2]
        if before in (_VIRAMA, _ANUSVARA, _VISARGA, _CHANDRABINDU):
            continue  # in a cluster, or after a nasal consonant
        after_next = chars[end_of(e)] if end_of(e) < n else ""
        if after_next == _VIRAMA or e in deleted:
            continue  # the next consonant has no vowel of its own
        deleted.add(pos)
    if not deleted:
        return word
    marks = {end_of(pos) - 1 for pos in deleted}
    return "".join(ch + _VIRAMA if i in marks else ch for i, ch in enumerate(chars))


# ITRANS -> the loose spelling people type. Longest tokens first.
_ITRANS_TOKENS = re.compile(
    r"RRi|RRI|LLi|LLI|j~n|~N|~n|\.Dh|\.D|\.N|\.a|\.c|Ch|Th|Dh|Sh|[AIUKGTDNMHRLYx]|\\'|\\_"
)
_ITRANS_LOOSE = {
    "RRi": "ri",
    "RRI": "ri",
    "LLi": "li",
    "LLI": "li",
    "j~n": "gy",
    "~N": "n",
    "~n": "n",
    ".Dh": "dh",
    ".D": "d",
    ".N": "n",
    ".a": "",
    ".c": "e",
    "Ch": "chh",
    "Th": "th",
    "Dh": "dh",
    "Sh": "sh",
    "A": "aa",
    "I": "ee",
    "U": "oo",
    "K": "kh",
    "G": "gh",
    "T": "t",
    "D": "d",
    "N": "n",
    "M": "n",
    "H": "h",
    "R": "r",
    "L": "l",
    "Y": "y",
    "x": "ksh",
    "\\'": "",
    "\\_": "",
}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def _loose(itrans: str) -> str:
    def sub(m: re.Match[str]) -> str:
        piece = m.group(0)
        rest = itrans[m.end() :]
        if piece == "M" and rest[:1] in ("p", "b", "m"):
            return "m"
        at_end = rest == "" or rest in ("M", ".N")
        if at_end and piece in ("A", "I", "U"):
            # word-final long vowels are typed short: "raha", "nahi", "hindu"
            return piece.lower() if piece != "A" or rest == "" else "aa"
        return _ITRANS_LOOSE[piece]

    return _ITRANS_TOKENS.sub(sub, itrans)


@lru_cache(maxsize=1)
def _itrans() -> Callable[[str], str]:
    # Imported on the first Devanagari word only: the package loads every script's tables
    # (about 10 MB), which an English-only deployment never needs.
    from indic_transliteration import sanscript

    def transliterate(text: str) -> str:
        return str(sanscript.transliterate(text, sanscript.DEVANAGARI, sanscript.ITRANS))

    return transliterate


@lru_cache(maxsize=65536)
def _devanagari_word(word: str) -> str:
    prepared = _delete_schwas(unicodedata.normalize("NFC", word).translate(_DEVANAGARI_PREMAP))
    loose = _loose(_itrans()(prepared)).translate(_DEVANAGARI_DIGITS)
    # anything ITRANS could not spell (rare signs) is dropped rather than left half-Indic
    return "".join(ch for ch in loose if not 0x0900 <= ord(ch) <= 0x097F)


_DEVANAGARI_RUN = re.compile(r"[\u0900-\u097F\u200c\u200d]+")


def to_latin(text: str) -> str:
    """`text` with every Devanagari word spelt in loose Latin letters; the rest unchanged.

    >>> to_latin("मुझे साँस लेने में तकलीफ़ है")
    'mujhe saans lene mein takleef hai'
    """
    if not any(0x0900 <= ord(ch) <= 0x097F for ch in text):
        return text
    return _DEVANAGARI_RUN.sub(lambda m: _devanagari_word(m.group(0)), text)


# -- Hinglish spelling skeleton ---------------------------------------------------------

# Whole-word spellings that no letter rule can fold: negations people shorten, and
# verb forms typed as one word ("hora" for "ho raha").
_WORD_ALIASES = {
    "nai": "nahi",
    "ni": "nahi",
    "nhi": "nahi",
    "nhin": "nahi",
    "nahee": "nahi",
    "nahii": "nahi",
    "nahi": "nahi",
    "nahin": "nahi",
    "na": "na",
    "h": "hai",
    "m": "mein",
    "hy": "hai",
    "hora": "ho raha",
    "hori": "ho rahi",
    "hore": "ho rahe",
    "horha": "ho raha",
    "horhi": "ho rahi",
    "horhe": "ho rahe",
    "horaha": "ho raha",
    "horahi": "ho rahi",
    "horahe": "ho rahe",
    "mujhse": "mujhse",
    "mjhe": "mujhe",
    "mujhy": "mujhe",
    "muje": "mujhe",
    "mje": "mujhe",
    "bht": "bahut",
    "bhut": "bahut",
    "bohot": "bahut",
    "bahot": "bahut",
    "bhot": "bahut",
    "bohat": "bahut",
    "rha": "raha",
    "rhi": "rahi",
    "rhe": "rahe",
    "rhaa": "raha",
    "kr": "kar",
    "pr": "par",
}
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyz")
_LETTER_MAPS = (
    ("ph", "f"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("x", "ks"),
    ("ck", "k"),
)
_VOWEL_MAPS = (
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("uu", "u"),
    ("ey", "e"),
    ("ai", "e"),
    ("ei", "e"),
    ("au", "o"),
    ("ou", "o"),
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def hinglish_skeleton(word: str) -> str:
    """The spelling-free skeleton of one Latin (or Devanagari) word, for rule matching.

    Aspiration ("kh" -> "k", "ph" -> "f"), w/v, z/j, q/k, vowel length ("ee" -> "i",
    "oo" -> "u"), "ai"/"ei" -> "e", a nasal "n" before a consonant or at the end of a
    word, every "a" after the first letter, a final "h" and doubled letters are folded,
    so "saans", "sans", "saas" and "साँस" all give "s", and "dikkat", "dikat", "diqqat"
    give "dikt". An alias (see `_WORD_ALIASES`) may give two words: "hora" -> "ho r".
    Digits are kept; anything that is not a Latin letter or digit is dropped.
    """
    latin = to_latin(word).lower() if not word.isascii() else word.lower()
    ascii_only = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    latin = _NON_WORD.sub("", ascii_only)
    if not latin:
        return ""
    latin = re.sub(r"(.)\1{2,}", r"\1\1", latin)  # stretched for emphasis: "khooon", "nahiii"
    alias = _WORD_ALIASES.get(latin)
    if alias is not None and alias != latin:
        return " ".join(hinglish_skeleton(part) for part in alias.split())
    if latin.isdigit():
        return latin
    s = latin
    for old, new in _LETTER_MAPS:
        s = s.replace(old, new)
    # "h" after a consonant only marks aspiration, kept or dropped at will ("jhaag"/"jaag")
    s = re.sub(r"(?<=[bcdfgjklmnpqrstvxy])h+", "", s)
    for old, new in _VOWEL_MAPS:
        s = s.replace(old, new)
    s = re.sub(r"(.)\1+", r"\1", s)  # "sunn"/"sun", "dikkat"/"dikat"
    first, rest = s[0], s[1:]
    # a nasal "n" before a consonant (saans/saas) or ending a word after i, e, u, o
    # (nahin/nahi, mein/me, hoon/hu) is often not typed at all
    rest = re.sub(r"n(?=[bcdfghjklmpqrstvxyz])", "", rest)
    rest = re.sub(r"(?<=[ieuo])n$", "", rest)
    # the short "a" is added or dropped freely ("raha"/"rha", "sakta"/"skta") and Devanagari
    # writes it where Hindi does not say it; a long "aa" is one, so both go
    s = first + rest.replace("a", "")
    if len(s) > 1 and s.endswith("h"):
        s = s[:-1]  # a final "h" after a vowel is silent ("muh", "yeh")
    return re.sub(r"(.)\1+", r"\1", s)


def skeleton(text: str) -> str:
    """Every word of `text` (split on spaces) as its skeleton, joined by single spaces."""
    out = [hinglish_skeleton(w) for w in to_latin(text).split()]
    return " ".join(w for w in out if w)


# -- language guess ---------------------------------------------------------------------

# Words that are everyday Hindi and almost never English (so "me", "to", "hi", "main",
# "do" and "the" are not here). Measured on the team's English question sets and the
# Hinglish test messages: see tests/test_indic.py.
_HINGLISH_CUES = frozenset(
    """
    hai hain hei hein hu hun hoon hoo hota hoti hote hona hone ho hua hui hue
    kya kyaa kyu kyun kyon kaise kaisa kaisi kab kaha kahan kitna kitni kitne kaun koi kuch
    kuchh nahi nahin nhi nai nahee mujhe mujhko mujhse muje mjhe mera meri mere
    hum hame hamein humein hamara hamari tum tumhe aap aapko apna apni apne unko unhe unka
    unki uska uski usko isko iska iski inko
    ka ki ke ko se mein mai pe par aur ya bhi bahut bohot bht bhut sab sabhi
    raha rahi rahe rha rhi rhe gaya gayi gaye gya gyi gye tha thi laga lagi lagta lagti
    lagte sakta sakti sakte skta skti karta karti karte kar karo karna karne kiya kiye
    wala wali wale abhi ab kal aaj yaha yahan waha wahan agar toh phir fir
    dard dawai dawa bimari pareshan pareshani dikkat takleef taklif ilaj ilaaj
    chahta chahti chahiye chaiye batao bataiye bataye samajh pata
    ne maine usne unhone humne tumne liya liye diya diye saath sath jaldi
    """.split()
)


def detect_language(text: str) -> Language:
    """"hi" for Devanagari, "other" for another Indian or Arabic script, "hinglish" for
    Latin letters with everyday Hindi words, "en" otherwise, "unknown" without letters.

    Mixed text goes by its letters: Devanagari wins over Latin (a Hindi reader is
    there), another script wins when it has more letters than Latin and Devanagari.
    """
    counts = script_counts(text)
    if not counts:
        return "unknown"
    latin = counts[Script.LATIN]
    devanagari = counts[Script.DEVANAGARI]
    other = counts[Script.OTHER_INDIC] + counts[Script.ARABIC] + counts[Script.OTHER]
    if devanagari and devanagari >= other:
        return "hi"
    if other > latin + devanagari:
        return "other"
    tokens = _NON_WORD.split(text.lower())
    if any(t in _HINGLISH_CUES for t in tokens):
        return "hinglish"
    return "en"
