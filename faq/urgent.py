"""The urgent screen: runs before any matching so an emergency is never answered with an FAQ.

A rule fires in one of two ways:

- English: any of its `any` regular expressions is found in the screen form of the
  message (folded, apostrophes removed, punctuation as spaces), and every `all_of` one too,
  and none of its `unless` ones.
- Hindi and Hinglish: any of its `hinglish` phrases is found in the message's spelling
  skeleton (faq/indic.py), and one of its `hinglish_with` phrases too if it has any, and
  none of its `hinglish_unless` phrases. Phrases are plain Hinglish words that go through
  the same skeleton when the FAQ loads, so one phrase matches every spelling in both
  scripts: "saans nahi" matches "sans nhi", "saas nai" and "साँस नहीं".

Phrase syntax (kept small so staff can read it):
  word        one word, in any spelling ("dikkat" = "dikat" = "diqqat" = "दिक्कत")
  a/b/c       any one of these words
  word*       any word that starts like this ("nigal*": nigal, nigalna, nigalne ...)
  ...         up to four other words in between
  <number>    a number of two or more digits ("<number> goliyan kha li")
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from faq.indic import hinglish_skeleton
from faq.model import UrgentRule
from faq.text import drop_invisible, screen_form

# Telegram caps a message at 4096 characters; anything longer is not a real chat message
# and screening only its start keeps a hostile input from costing unbounded regex time.
_MAX_SCREENED_CHARS = 20_000
GAP_WORDS = 4
_GAP = "..."
_NUMBER = "<number>"
_MIN_PREFIX = 3


def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def compile_either(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """One pattern that finds what any of `patterns` finds: every message passes through
    ~130 of them, and one search per rule costs a quarter of one per pattern. Patterns
    that cannot be joined (a back-reference or a conditional group would point at
    another pattern's group, a global flag must come first) stay apart."""
    if len(patterns) < 2 or any(_BACKREFERENCE.search(p) for p in patterns):
        return tuple(map(compile_pattern, patterns))
    try:
        return (compile_pattern("|".join(f"(?:{p})" for p in patterns)),)
    except re.error:
        return tuple(map(compile_pattern, patterns))


class PhraseError(ValueError):
    """A Hinglish phrase staff wrote cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class _Token:
    words: frozenset[str] = frozenset()  # skeletons; one may hold a space ("ho r")
    prefixes: tuple[str, ...] = ()
    number: bool = False

    def regex(self) -> str:
        options = [re.escape(w) for w in sorted(self.words, key=len, reverse=True)]
        options += [re.escape(p) + r"\S*" for p in self.prefixes]
        if self.number:
            options.append(r"\d{2,}")
        return "(?:" + "|".join(options) + ")"


@dataclass(frozen=True)
class Phrase:
    """One compiled Hinglish phrase: its first word (to find where it may start) and a
    regular expression over the skeleton text (words joined by single spaces)."""

    source: str
    first: _Token
    pattern: re.Pattern[str]


def _token(text: str, *, alone: bool = False) -> _Token:
    words: set[str] = set()
    prefixes: list[str] = []
    number = False
    for option in text.split("/"):
        if option == _NUMBER:
            number = True
            continue
        if not option:
            raise PhraseError(f"'{text}' has an empty choice: write words between the '/'")
        if option.endswith("*"):
            stem = hinglish_skeleton(option[:-1])
            if len(option[:-1]) < _MIN_PREFIX or not stem or "*" in option[:-1]:
                raise PhraseError(
                    f"'{option}' is too short before the '*': it would match too many "
                    "words (write at least three letters)"
                )
            if alone and len(stem) < _MIN_PREFIX:
                # alone, a word start that folds to two letters ("hanf*" -> "hf") also
                # matches unrelated words ("hafte"); next to other words it is specific
                raise PhraseError(
                    f"'{option}' folds to only '{stem}*', which on its own would match "
                    "unrelated words (write the whole words instead)"
                )
            prefixes.append(stem)
            continue
        folded = hinglish_skeleton(option)
        if not folded:
            raise PhraseError(f"'{option}' has no letters or digits")
        words.add(folded)
    return _Token(frozenset(words), tuple(prefixes), number)


def compile_phrase(phrase: str) -> Phrase:
    """The phrase as a matcher over skeleton text. Raises PhraseError if it is unusable."""
    parts = phrase.lower().split()
    if not parts:
        raise PhraseError("the phrase is empty")
    if parts[0] == _GAP or parts[-1] == _GAP:
        raise PhraseError("a phrase cannot start or end with '...'")
    regex = " "
    first: _Token | None = None
    previous_gap = False
    for part in parts:
        if part == _GAP:
            if previous_gap:
                raise PhraseError("write '...' once between two words")
            regex += rf"(?:\S+ ){{0,{GAP_WORDS}}}"
            previous_gap = True
            continue
        token = _token(part, alone=len(parts) == 1)
        first = first or token
        regex += token.regex() + " "
        previous_gap = False
    assert first is not None
    return Phrase(phrase, first, re.compile(regex))


# Everyday Hindi words, with the spellings that mean them. A phrase word of another
# meaning that folds to the same skeleton ("khaya" and "kya", "khake" and "ke") would
# match these everywhere, so the checker warns about it.
_EVERYDAY_WORDS = {
    "ka": "ka kaa",
    "ke": "ke kay",
    "ki": "ki kee",
    "ko": "ko",
    "se": "se say",
    "me": "me mein main mai mei men mey",
    "hai": "hai he h hain hei hay hein",
    "kya": "kya kyaa kia",
    "kar": "kar kr",
    "raha": "raha rha rhaa",
    "ho": "ho",
    "to": "to toh",
    "ye": "ye yeh yah",
    "aur": "aur or aor",
    "par": "par pr",
    "bhi": "bhi bi",
    "jo": "jo",
    "saath": "saath sath",
}


# Everyday English words: Hinglish messages mix them in freely ("feels like", "so").
_ENGLISH_WORDS = frozenset(
    """
    the to and of a in is it you that he was for on are as with his they at be this have
    from or one had by but not what all were we when your can said there use an each which
    she do how their if will up other about out many then them these so some her would make
    like him into time has look two more go see no way could people my than first been call
    who now find long down day did get come made may part boss ok
    """.split()
)


def phrase_warnings(phrase: str) -> list[str]:
    """Choices of a one-word phrase that read like an everyday word once spelling is
    folded (inside a longer phrase the other words keep such a match specific)."""
    parts = phrase.lower().split()
    if len(parts) != 1:
        return []
    common = {hinglish_skeleton(w): (w, set(v.split())) for w, v in _EVERYDAY_WORDS.items()}
    out: list[str] = []
    for part in parts:
        for option in part.split("/"):
            if option in (_GAP, _NUMBER) or option.endswith("*"):
                continue
            folded = hinglish_skeleton(option)
            found = common.get(folded)
            if found and option not in found[1]:
                out.append(
                    f"'{option}' reads the same as the everyday word '{found[0]}' once "
                    "spellings are folded, so it also matches that word"
                )
            english = english_skeletons().get(folded)
            if english and option != english and option not in _ENGLISH_WORDS:
                out.append(
                    f"'{option}' reads the same as the English word '{english}' once "
                    "spellings are folded, so it also matches that word"
                )
    return out


@lru_cache(maxsize=1)
def english_skeletons() -> dict[str, str]:
    return {hinglish_skeleton(w): w for w in sorted(_ENGLISH_WORDS)}


def phrase_problem(phrase: str) -> str | None:
    """Why `phrase` cannot be used, in words for staff; None if it is fine."""
    try:
        compile_phrase(phrase)
    except PhraseError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class _CompiledRule:
    name: str
    any: tuple[re.Pattern[str], ...]
    all_of: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    hinglish: frozenset[int]
    hinglish_with: frozenset[int]
    hinglish_unless: frozenset[int]

    def fires_in_english(self, text: str) -> bool:
        return (
            any(p.search(text) for p in self.any)
            and all(p.search(text) for p in self.all_of)
            and not any(p.search(text) for p in self.unless)
        )

    def fires_in_hinglish(self, found: set[int]) -> bool:
        return (
            not self.hinglish.isdisjoint(found)
            and (not self.hinglish_with or not self.hinglish_with.isdisjoint(found))
            and self.hinglish_unless.isdisjoint(found)
        )


class _PhraseIndex:
    """Every rule's phrases, looked up by the word they start with, so a message is
    compared only with the few phrases that could start at each of its words."""

    def __init__(self) -> None:
        self.phrases: list[Phrase] = []
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_prefix: dict[str, list[int]] = defaultdict(list)
        self._by_number: list[int] = []
        self._ids: dict[str, int] = {}

    def add(self, source: str) -> int:
        if source in self._ids:
            return self._ids[source]
        phrase = compile_phrase(source)
        pid = self._ids[source] = len(self.phrases)
        self.phrases.append(phrase)
        for word in phrase.first.words:
            self._by_word[word.split()[0]].append(pid)
        for prefix in phrase.first.prefixes:
            self._by_prefix[prefix].append(pid)
        if phrase.first.number:
            self._by_number.append(pid)
        return pid

    def found(self, words: list[str]) -> set[int]:
        """Ids of the phrases present in the skeleton `words`."""
        if not self.phrases:
            return set()
        text = " " + " ".join(words) + " "
        found: set[int] = set()
        at = 0
        for word in words:
            candidates = list(self._by_word.get(word, ()))
            for end in range(1, len(word) + 1):
                candidates += self._by_prefix.get(word[:end], ())
            if word.isdigit():
                candidates += self._by_number
            for pid in candidates:
                if pid not in found and self.phrases[pid].pattern.match(text, at):
                    found.add(pid)
            at += len(word) + 1
        return found


class UrgentScreen:
    def __init__(self, rules: tuple[UrgentRule, ...]) -> None:
        self._index = _PhraseIndex()
        self._rules = tuple(
            _CompiledRule(
                r.name,
                compile_either(r.any),
                tuple(map(compile_pattern, r.all_of)),
                compile_either(r.unless),
                frozenset(map(self._index.add, r.hinglish)),
                frozenset(map(self._index.add, r.hinglish_with)),
                frozenset(map(self._index.add, r.hinglish_unless)),
            )
            for r in rules
        )

    def check(self, text: str) -> str | None:
        """The name of the first rule the text trips, or None."""
        hit = self.screen(text)
        return hit.rule if hit else None

    def screen(self, text: str) -> Hit | None:
        """The first rule the text trips and whether its Hindi/Hinglish phrases did it."""
        text = text[:_MAX_SCREENED_CHARS]
        # An invisible character may break a word ("i\u200bcant\u200bbreathe") or sit
        # inside one ("kill my\u200bself", "saa\u200bns"): both readings are screened.
        forms = dict.fromkeys((screen_form(text), screen_form(drop_invisible(text))))
        for form in forms:
            found = self._index.found(skeleton_words(form))
            for rule in self._rules:
                if rule.fires_in_english(form):
                    return Hit(rule.name, by_hinglish=False)
                if rule.fires_in_hinglish(found):
                    return Hit(rule.name, by_hinglish=True)
        return None


@dataclass(frozen=True)
class Hit:
    rule: str
    by_hinglish: bool


def skeleton_words(form: str) -> list[str]:
    """The screen form's words as skeletons (an alias such as "hora" gives two)."""
    out: list[str] = []
    for word in form.split():
        folded = hinglish_skeleton(word)
        if folded:
            out.extend(folded.split())
    return out
