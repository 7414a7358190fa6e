"""From a patient's own words to a decision: urgent, answer, clarify, or none.

How a question is scored against the FAQ (all precomputed once per FAQ load):

1. Words are folded (case, accents, apostrophes), contractions expanded, and a misspelt
   word is corrected to the nearest word the FAQ itself uses ("distonia" -> "dystonia");
   real English words are never "corrected" ("dose" stays "dose", not "does").
2. Words are stemmed and the FAQ's synonym groups map to one term ("scan" ~ "mri").
3. Each term is weighted by how few entries use it: "dystonia" says little, "geste" a lot.
   A word the FAQ never uses ("botox", "genetic") weighs as much as a rare one, so a
   question about something the FAQ does not cover cannot look like a good match.
4. The question is compared with every phrasing of every entry by weighted overlap in
   both directions; an entry scores its best phrasing, topped up by how much of the
   question its phrasings cover together.
5. A confident, clear winner is answered; a near-tie or a middling score asks "did you
   mean" with the top candidates; anything lower abstains.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from faq.indic import Language, detect_language
from faq.model import FAQ, Entry
from faq.text import (
    HINGLISH_MARK,
    STOPWORDS,
    english_words,
    is_english_word,
    is_everyday_word,
    is_hindi_like,
    words,
)
from faq.text import term as word_term
from faq.urgent import UrgentScreen

# A chat question longer than this is a paste, not a question; its start decides.
MAX_QUERY_WORDS = 120
STOPWORD_WEIGHT = 0.2
# A word the FAQ never uses weighs this share of a word only one entry uses.
UNKNOWN_WORD_SHARE = 1.0
# Balance of the two overlap directions: below 1 favours phrasings fully present in the
# question over questions fully present in a phrasing (patients add context words).
BETA = 1.0
# How much of the entry-wide coverage tops up an entry's best single phrasing.
COVERAGE_SHARE = 0.35
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Urgent:
    rule: str
    # the message's language, so the urgent reply can lead with Hindi for a Hindi reader
    language: Language = "en"
    kind: ClassVar[str] = "urgent"


@dataclass(frozen=True)
class Answer:
    match: Match
    runners_up: tuple[Match, ...] = ()
    kind: ClassVar[str] = "answer"


@dataclass(frozen=True)
class Clarify:
    candidates: tuple[Match, ...]
    kind: ClassVar[str] = "clarify"


@dataclass(frozen=True)
class NoMatch:
    nearest: tuple[Match, ...] = ()
    # written in a script the bot cannot read (Tamil, Bengali, Urdu, ...): the reply says
    # which languages it reads instead of the usual fallback
    unread_script: bool = False
    kind: ClassVar[str] = "none"


Decision = Urgent | Answer | Clarify | NoMatch


@dataclass(frozen=True)
class _Phrasing:
    entry_index: int
    number: int  # position in Entry.phrasings
    terms: frozenset[str]
    weight: float


class Matcher:
    """Everything the matcher needs about one FAQ, computed once when the FAQ loads."""

    def __init__(self, faq: FAQ) -> None:
        self.faq = faq
        self._urgent = UrgentScreen(faq.urgent_rules)
        self._synonyms = _SynonymMap(faq.synonyms)
        self._corrections: dict[str, str] = {}
        english_words()  # loaded now, not on the first patient's unusual word
        self._prefix_cache: dict[str, str] = {}

        # English loanwords written in Devanagari ("अपॉइंटमेंट") join their English word,
        # in phrasings and questions alike, when the spelling is that close.
        self._english_by_initial: dict[str, list[str]] = defaultdict(list)
        for w in sorted(
            {w for e in faq.entries for p in e.phrasings for w in words(p)}
            | {w for group in faq.synonyms for term in group for w in words(term)}
        ):
            if len(w) >= 4 and w.isalpha() and not is_hindi_like(w):
                self._english_by_initial[w[0]].append(w)
        self._loanwords: dict[str, str] = {}
        entry_terms = [self._terms(p for p in entry.phrasings) for entry in faq.entries]
        self._known_terms = frozenset().union(*entry_terms) if entry_terms else frozenset()
        self._vocabulary = sorted(
            {w for e in faq.entries for p in e.phrasings for w in words(p)}
            | {w for group in faq.synonyms for term in group for w in words(term)}
        )
        self._known_words = frozenset(self._vocabulary)
        self._spell_targets_by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self._vocabulary:
            if len(w) >= 3:
                self._spell_targets_by_initial[w[0]].append(w)

        n = len(faq.entries)
        df: dict[str, int] = defaultdict(int)
        for terms in entry_terms:
            for term in terms:
                df[term] += 1
        self._weights = {t: self._idf(n, d, t) for t, d in df.items()}
        self._unknown_weight = self._idf(n, 1, "") * UNKNOWN_WORD_SHARE
        # How many phrasings of each entry use a term: lets the self-test hold one out.
        self._entry_term_counts: list[dict[str, int]] = [defaultdict(int) for _ in entry_terms]
        self._phrasings: list[_Phrasing] = []
        self._phrasing_index: dict[tuple[str, int], int] = {}
        self._index: dict[str, list[int]] = defaultdict(list)
        for e_index, entry in enumerate(faq.entries):
            for number, phrasing in enumerate(entry.phrasings):
                terms = frozenset(self._phrase_terms(phrasing))
                if not terms:
                    continue
                p_index = len(self._phrasings)
                self._phrasings.append(
                    _Phrasing(e_index, number, terms, sum(self._weights[t] for t in terms))
                )
                self._phrasing_index[(entry.id, number)] = p_index
                for term in terms:
                    self._index[term].append(p_index)
                    self._entry_term_counts[e_index][term] += 1

    # -- public ------------------------------------------------------------------------

    def urgent_rule(self, text: str) -> str | None:
        """The urgent rule `text` trips, if any (the first step of every decision)."""
        return self._urgent.check(text)

    def urgent(self, text: str) -> Urgent | None:
        """The urgent decision for `text`, with the language its reply should lead with."""
        hit = self._urgent.screen(text)
        if hit is None:
            return None
        language = detect_language(text)
        if language == "en" and hit.by_hinglish and _has_non_english_word(text):
            language = "hinglish"  # Hindi words tripped it, so Hindi leads the reply
        return Urgent(hit.rule, language)

    def decide(self, text: str, *, held_out: tuple[str, int] | None = None) -> Decision:
        """The decision for `text`. `held_out` ignores one phrasing (entry id, number)."""
        urgent = self.urgent(text)
        if urgent is not None:
            return urgent
        if not text.isascii() and detect_language(text) == "other":
            return NoMatch(unread_script=True)
        terms, unknown_names = self._query(text)
        ranked = self._rank(terms, held_out, MAX_SUGGESTIONS + 1)
        t = self.faq.thresholds
        if not ranked or ranked[0].score < t.clarify:
            return NoMatch(tuple(ranked[:MAX_SUGGESTIONS]))
        best = ranked[0]
        second = ranked[1].score if len(ranked) > 1 else 0.0
        confident = best.score >= t.answer and best.score - second >= t.margin
        # A question naming something the FAQ has never heard of ("how long does botox
        # take to work") may look like a covered one word for word; it only gets
        # suggestions, never a confident answer about something else.
        if confident and not any(t not in STOPWORDS for t in unknown_names):
            return Answer(best, tuple(ranked[1:MAX_SUGGESTIONS]))
        # Offer the close runners-up too, but not entries far below the best one.
        floor = max(t.clarify * 0.75, best.score - 0.25)
        candidates = tuple(m for m in ranked[:MAX_SUGGESTIONS] if m.score >= floor)
        return Clarify(candidates)

    def rank(
        self, text: str, *, held_out: tuple[str, int] | None = None, limit: int | None = None
    ) -> list[Match]:
        """Entries sharing a meaningful term with the question, best first (`limit` of them).

        Candidates come from the question's content words only: an entry that shares
        nothing but "is" or "my" cannot win, and skipping it keeps large FAQs fast. A
        question made only of function words ("who are you?") uses those instead.
        """
        return self._rank(self._query(text)[0], held_out, limit)

    def _rank(
        self, query: list[str], held_out: tuple[str, int] | None, limit: int | None
    ) -> list[Match]:
        if not query:
            return []
        skip = self._phrasing_index.get(held_out, -1) if held_out else -1
        weights = {t: self._weight(t) for t in query}
        total = sum(weights.values())
        content = [t for t in query if t not in STOPWORDS] or query
        candidates = {p for term in content for p in self._index.get(term, ())}
        candidates.discard(skip)
        best: dict[int, float] = {}
        for p_index in candidates:
            phrasing = self._phrasings[p_index]
            shared = sum(w for t, w in weights.items() if t in phrasing.terms)
            recall = shared / total
            precision = shared / phrasing.weight
            score = (1 + BETA**2) * recall * precision / (BETA**2 * precision + recall)
            if score > best.get(phrasing.entry_index, 0.0):
                best[phrasing.entry_index] = score
        skipped = self._phrasings[skip] if skip >= 0 else None
        scored = []
        for e_index, score in best.items():
            counts = self._entry_term_counts[e_index]
            own = skipped.terms if skipped and skipped.entry_index == e_index else frozenset()
            coverage = sum(w for t, w in weights.items() if counts.get(t, 0) > (t in own)) / total
            combined = (1 - COVERAGE_SHARE) * score + COVERAGE_SHARE * min(coverage, score + 0.3)
            scored.append((-round(combined, 4), self.faq.entries[e_index].id, e_index))
        top = heapq.nsmallest(limit, scored) if limit else sorted(scored)
        return [Match(self.faq.entries[e], -neg) for neg, _, e in top]

    def query_terms(self, text: str) -> list[str]:
        """The terms the matcher sees in `text` (for the CLI's explanations and tests)."""
        return self._query_terms(text)

    # -- internals ---------------------------------------------------------------------

    @staticmethod
    def _idf(n: int, df: int, term: str) -> float:
        weight = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return max(weight, 0.05) * (STOPWORD_WEIGHT if term in STOPWORDS else 1.0)

    def _weight(self, term: str) -> float:
        weight = self._weights.get(term)
        if weight is not None:
            return weight
        return self._unknown_weight * (STOPWORD_WEIGHT if term in STOPWORDS else 1.0)

    def _terms(self, phrasings: Iterable[str]) -> frozenset[str]:
        return frozenset(t for p in phrasings for t in self._phrase_terms(p))

    def _phrase_terms(self, text: str) -> list[str]:
        return self._synonyms.apply([_stem_word(self._loanword(w)) for w in words(text)])

    def _loanword(self, word: str) -> str:
        """The English word a romanised loanword spells ("riport" -> "report"), if any.

        Only long words, and within one edit (two from nine letters): a looser match
        turns Hindi words into English ones ("chehra" is not "cheers").
        """
        if len(word) < 6 or not is_hindi_like(word):
            return word
        found = self._loanwords.get(word)
        if found is None:
            max_edits = 1 if len(word) < 9 else 2
            targets = self._english_by_initial.get(word[0], ())
            best = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=max_edits)
            found = best[0] if best else word
            if len(self._loanwords) < 50_000:
                self._loanwords[word] = found
        return found

    def _query_terms(self, text: str) -> list[str]:
        return self._query(text)[0]

    def _query(self, text: str) -> tuple[list[str], frozenset[str]]:
        """The question's terms, and the unknown ones among them that are not English.

        An unknown word that is not English ("botox", "clonazepam") is most likely a drug,
        a procedure or a name the FAQ does not cover, unlike an unknown everyday word
        ("husband", "meetings") that only adds context.
        """
        # In a Hindi or Hinglish question an unknown short word is far more likely Hindi
        # than an English typo: "neend" (sleep) is not "need".
        # Nor is a Hindi word "corrected" into another Hindi word ("sambhav", possible,
        # is not "samjhao", explain): Hindi spellings meet through their skeletons, and
        # only close English loanwords are spelt the English way.
        hinglish = detect_language(text) in ("hi", "hinglish")
        corrected = [
            self._correct(w) if not hinglish else self._correct_in_hinglish(w, i)
            for i, w in enumerate(words(text)[:MAX_QUERY_WORDS])
        ]
        stems = self._synonyms.apply([_stem_word(w) for w in corrected])
        terms = list(dict.fromkeys(self._nearest_known(t) for t in stems))
        # A synonym group no entry uses names a topic the FAQ does not cover ("kitne ka",
        # what it costs); so, in a Hindi or Hinglish question, does an unknown short
        # word without a vowel: an abbreviation ("bp", "dbs"), not a Hindi word.
        uncovered = {t for t in stems if t in self._synonyms.canonicals} - self._weights.keys()
        if hinglish:
            uncovered |= {
                w
                for w in corrected
                if 2 <= len(w) <= 4
                and w.isascii()
                and w.isalpha()
                and not set(w) & set("aeiou")
                and w not in STOPWORDS
                and w not in self._known_words
            }
        kept = set(stems)
        foreign = set(uncovered)
        for w in corrected:
            if len(w) < 4 or not w.isalpha() or w in self._known_words or is_everyday_word(w):
                continue
            single = self._synonyms.apply([_stem_word(w)])[0]
            # a word inside a phrase of a synonym group ("jaan bujh") is not unknown
            if single in kept and self._nearest_known(single) not in self._weights:
                foreign.add(self._nearest_known(single))
        return terms, frozenset(foreign)

    def _correct_in_hinglish(self, word: str, position: int) -> str:
        if word == "hi" and position > 0:
            return "hee"  # in a Hindi sentence "hi" is the particle ही ("ek hi"), not hello
        return self._loanword(word)

    def _correct(self, word: str) -> str:
        """Fix a misspelling against the FAQ's own words; leave known and short words alone."""
        if (
            word in self._known_words
            or len(word) < 4
            or not word.isalpha()
            or self._synonyms.apply([_stem_word(word)])[0] in self._known_terms
        ):
            return word
        cached = self._corrections.get(word)
        if cached is None and is_english_word(word):
            cached = word
        if cached is None:
            max_edits = 1 if len(word) <= 6 else 2
            # Typos rarely hit the first letter; requiring it keeps real words the FAQ
            # does not use ("kill", "botox") from being "corrected" into ones it does.
            targets = self._spell_targets_by_initial.get(word[0], ())
            found = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=max_edits)
            cached = found[0] if found else word
            if len(self._corrections) < 50_000:
                self._corrections[word] = cached
        return cached

    def _nearest_known(self, term: str) -> str:
        """Join stems of one word family the stemmer leaves apart ("treatabl" -> "treat")."""
        # Hinglish skeletons are too short to join by prefix: "chhoot" (contagion) is
        # not "chhutkara" (relief); their spellings meet through the skeleton itself.
        if (
            term in self._known_terms
            or len(term) < 5
            or term in STOPWORDS
            or term.startswith(HINGLISH_MARK)
        ):
            return term
        cached = self._prefix_cache.get(term)
        if cached is None:
            candidates = [
                k
                for k in self._known_terms
                # never into a phrase's term: "kitna" (how much) is not "kitna_time"
                if len(k) >= 5
                and "_" not in k
                and not k.startswith(HINGLISH_MARK)
                and (term.startswith(k) or k.startswith(term))
            ]
            cached = min(candidates, key=lambda k: (abs(len(k) - len(term)), k), default=term)
            if len(self._prefix_cache) < 50_000:
                self._prefix_cache[term] = cached
        return cached


def _stem_word(word: str) -> str:
    return word_term(word)


class _SynonymMap:
    """Maps every word or phrase of a synonym group onto the group's single term."""

    def __init__(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.canonicals: set[str] = set()
        for group in groups:
            stems = [tuple(_stem_word(w) for w in words(term)) for term in group]
            stems = [s for s in stems if s]
            if not stems:
                continue
            canonical = "_".join(stems[0])
            self.canonicals.add(canonical)
            for phrase in stems:
                self._phrases[phrase[0]].append((phrase, canonical))
        for options in self._phrases.values():
            options.sort(key=lambda item: -len(item[0]))

    def apply(self, stems: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(stems):
            for phrase, canonical in self._phrases.get(stems[i], ()):
                if tuple(stems[i : i + len(phrase)]) == phrase:
                    out.append(canonical)
                    i += len(phrase)
                    break
            else:
                out.append(stems[i])
                i += 1
        return out


_MATCHERS: weakref.WeakKeyDictionary[FAQ, Matcher] = weakref.WeakKeyDictionary()


def matcher_for(faq: FAQ) -> Matcher:
    """The precomputed matcher of this FAQ, built on first use."""
    found = _MATCHERS.get(faq)
    if found is None:
        found = _MATCHERS[faq] = Matcher(faq)
    return found


def _has_non_english_word(text: str) -> bool:
    return any(len(w) >= 4 and w.isalpha() and not is_english_word(w) for w in words(text))


def decide(faq: FAQ, text: str) -> Decision:
    """The decision for `text` under `faq`: urgent, answer, clarify or none. Never raises."""
    return matcher_for(faq).decide(text)
