"""Turning free text into comparable words. Shared by the matcher and the urgent screen."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from spellchecker import SpellChecker

# Patients rarely type apostrophes, so contractions are expanded from their bare form
# (after apostrophes are dropped): "can't", "cant" and "cannot" all become "can not".
_CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"),
    "couldnt": ("could", "not"),
    "mustnt": ("must", "not"),
    "aint": ("is", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "ill": ("i", "will"),
    "id": ("i", "would"),
    "youre": ("you", "are"),
    "youve": ("you", "have"),
    "theyre": ("they", "are"),
    "whats": ("what", "is"),
    "whos": ("who", "is"),
    "hows": ("how", "is"),
    "wheres": ("where", "is"),
    "thats": ("that", "is"),
    "theres": ("there", "is"),
    "its": ("it",),
    "u": ("you",),
    "ur": ("your",),
    "r": ("are",),
    "pls": ("please",),
    "plz": ("please",),
    "thx": ("thanks",),
    "ty": ("thank", "you"),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
}

# Function words carry little meaning on their own; they are down-weighted, never dropped,
# because some questions ("who are you?") consist of nothing else.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also really please ok okay yes yeah get got go going lot lots
    thing things something anything way much many even still ever always actually maybe
    tell know want like bit good great nice fine well
    """.split()
    # Hinglish function words ("dystonia kya hai", "stress se badhta hai kya")
    + """
    kya hai hain ho hota hoti hote ka ki ke ko se me mein aur bhi ye yeh wo woh mera meri
    mere mujhe kaise kyun kyu kab kitna kitne kitni koi
    """.split()
)

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Compatibility-normalise, lower-case, strip Latin accents and control characters.

    Accents are dropped only from Latin letters ("é" -> "e"): in scripts such as
    Devanagari the combining signs are part of the word and must stay.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(ch)
        if category[0] == "C":
            out.append(" " if ch in "\n\r\t" else "")
        elif category == "Mn" and out and out[-1].isascii():
            continue
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


# Invisible characters that are word breaks when they sit between words: zero-width space,
# word joiner, soft hyphen, byte-order mark, direction marks, Mongolian vowel separator.
_INVISIBLE_BREAKS = dict.fromkeys(map(ord, "\u200b\u2060\u00ad\ufeff\u200e\u200f\u180e"), " ")
# ZWNJ and ZWJ choose glyph shapes inside Indian-script (and Arabic-script) words, where
# they are part of the spelling; between Latin letters they only hide a word break.
_JOINERS = re.compile(r"[\u200c\u200d]+")
_JOINING_SCRIPTS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0900-\u0dff]")


def break_invisible(text: str) -> str:
    """Invisible separators as spaces, so "i\u200bcant\u200bbreathe" reads as three words,
    while ZWJ/ZWNJ inside a Devanagari (or other Indian-script) word are simply dropped."""
    if text.isascii():
        return text

    def joiner(m: re.Match[str]) -> str:
        before = text[m.start() - 1 : m.start()]
        after = text[m.end() : m.end() + 1]
        return "" if _JOINING_SCRIPTS.match(before) or _JOINING_SCRIPTS.match(after) else " "

    return _JOINERS.sub(joiner, text).translate(_INVISIBLE_BREAKS)


def screen_form(text: str) -> str:
    """The form the urgent screen reads: folded, apostrophes removed, and every run of
    punctuation, emoji, invisible separators and spaces made one space, so "I can't...
    breathe", "cant, breathe", "can't 😭 breathe" and "i\u200bcant\u200bbreathe" all read
    "i cant breathe"."""
    folded = fold(break_invisible(text)).translate(_APOSTROPHES)
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in folded)
    return _SPACE.sub(" ", kept).strip()


def words(text: str) -> list[str]:
    """Folded words with contractions expanded. Digits are kept; punctuation is not."""
    out: list[str] = []
    for word in _WORD.findall(fold(text).translate(_APOSTROPHES)):
        out.extend(_CONTRACTIONS.get(word, (word,)))
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    # Snowball folds British and American spellings differently ("generalised" keeps
    # its "s"); mapping -is-/-ys- endings onto -iz-/-yz- first makes them meet.
    if word.endswith(("ise", "ised", "ises", "ising", "isation", "yse", "ysed")):
        word = re.sub(r"(?<=[iy])s(?=(e|ed|es|ing|ation)$)", "z", word)
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Real English words (pyspellchecker's frequency list), never typos to "correct".

    Only alphabetic words of four letters or more are kept: the matcher never corrects
    shorter ones, and the smaller set saves memory. Loaded once per process.
    """
    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(w for w in counts if len(w) >= 4 and w.isalpha())


def is_english_word(word: str) -> bool:
    return word in english_words()
