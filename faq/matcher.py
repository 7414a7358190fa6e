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
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from faq.indic import Language, detect_language
from faq.model import FAQ, Entry, NotCovered
from faq.semantic import Embedder, SemanticIndex, bundled_embedder
from faq.text import (
    HINGLISH_MARK,
    STOPWORDS,
    english_words,
    is_acknowledgement,
    is_english_word,
    is_everyday_hindi,
    is_everyday_word,
    is_hindi_like,
    screen_form,
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
LEXICAL_TOPIC_LEAD = 0.08

# The meaning model's second opinion (cosines of centred sentence vectors; set on the dev
# set, see README "Matching quality"):
# a confident lexical answer is vetoed when another target is this much closer in meaning,
SEM_VETO = 0.20
SEM_TOPIC_VETO = 0.05
# an answer both opinions agree on may have a lexical score and lead this much below the
# FAQ's answer threshold and margin,
AGREE_RELIEF = 0.07
AGREE_LEAD_RELIEF = 0.11
AGREE_SEMANTIC = 0.45
AGREE_SEMANTIC_MARGIN = 0.05
TWO_QUESTIONS_MARGIN = 0.08
VETO_LEAD_SHARE = 0.5
# a not-covered topic wins on meaning alone when it is this close and this clear,
SEM_TOPIC_MIN = 0.60
SEM_TOPIC_MARGIN = 0.06
# A topic the words prefer is doubted when an entry is this much closer in meaning.
SEM_TOPIC_DOUBT = 0.0
# ... and the words prefer the topic by less than this. Without the meaning model, a topic
# this close behind the best entry keeps that entry from being answered.
TOPIC_DOUBT_LEAD = 0.05
# and entries this close in meaning are suggested (within SEM_WIDEN of the closest).
SEM_SUGGEST = 0.50
SEM_SUGGEST_ALONE = 0.65
# and below the clarify threshold by at most this much when meaning alone suggests.
SUGGEST_RELIEF = 0.10
SEM_WIDEN = 0.08

MEDICINES_TOPIC = "medicines-and-doses"
# A negated question this short is mostly its verb, so the negation decides its meaning.
NEGATION_SHORT_WORDS = 7
# A follow-up is short; a longer message says enough on its own.
FOLLOW_UP_MAX_WORDS = 9
# Above this many characters a message is read from its question sentences.
LONG_MESSAGE_CHARS = 280
QUESTION_SENTENCES = 2


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
    # Set when the question is about a topic the FAQ knowingly does not cover.
    not_covered: NotCovered | None = None
    # written in a script the bot cannot read (Tamil, Bengali, Urdu, ...): the reply says
    # which languages it reads instead of the usual fallback
    unread_script: bool = False
    kind: ClassVar[str] = "none"


Decision = Urgent | Answer | Clarify | NoMatch


@dataclass(frozen=True)
class _Phrasing:
    entry_index: int  # the target: an entry, or a not-covered topic after the entries
    number: int  # position in Entry.phrasings
    terms: frozenset[str]
    weight: float
    negated: bool


@dataclass(frozen=True)
class _Opinion:
    """The lexical ranking split into entries and the best not-covered topic."""

    entries: list[tuple[float, int, int]]
    not_covered: tuple[float, int, int] | None

    @staticmethod
    def of(ranked: list[tuple[float, int, int]], entry_count: int) -> _Opinion:
        entries = [r for r in ranked if r[1] < entry_count][: MAX_SUGGESTIONS + 1]
        topic = next((r for r in ranked if r[1] >= entry_count), None)
        return _Opinion(entries, topic)


class Matcher:
    """Everything the matcher needs about one FAQ, computed once when the FAQ loads.

    "Targets" are the FAQ's entries followed by its not-covered topics: both are matched
    the same way, but only an entry can be answered.
    """

    def __init__(self, faq: FAQ, *, semantic: bool = True) -> None:
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
        self._entry_count = len(faq.entries)
        targets: list[tuple[str, tuple[str, ...]]] = [(e.id, e.phrasings) for e in faq.entries]
        targets += [(f"not-covered:{t.id}", t.phrasings) for t in faq.not_covered]

        entry_terms = [self._terms(p for p in entry.phrasings) for entry in faq.entries]
        all_terms = [self._terms(phrasings) for _, phrasings in targets]
        self._known_terms = frozenset().union(*all_terms) if all_terms else frozenset()
        self._entry_words = frozenset(
            {w for e in faq.entries for p in e.phrasings for w in words(p)}
            | {w for group in faq.synonyms for term in group for w in words(term)}
        )
        self._vocabulary = sorted(
            {w for _, phrasings in targets for p in phrasings for w in words(p)}
            | {w for group in faq.synonyms for term in group for w in words(term)}
        )
        self._known_words = frozenset(self._vocabulary)
        self._spell_targets_by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self._vocabulary:
            if len(w) >= 3:
                self._spell_targets_by_initial[w[0]].append(w)

        # Weights come from the entries alone: a not-covered topic must not make the words
        # it shares with an entry look common, nor its own words look known.
        n = len(faq.entries)
        df: dict[str, int] = defaultdict(int)
        for terms in entry_terms:
            for term in terms:
                df[term] += 1
        self._weights = {t: self._idf(n, d, t) for t, d in df.items()}
        self._unknown_weight = self._idf(n, 1, "") * UNKNOWN_WORD_SHARE
        # How many phrasings of each target use a term: lets the self-test hold one out.
        self._entry_term_counts: list[dict[str, int]] = [defaultdict(int) for _ in targets]
        self._phrasings: list[_Phrasing] = []
        self._phrasing_index: dict[tuple[str, int], int] = {}
        self._semantic_row: dict[tuple[str, int], int] = {}
        index: dict[str, list[int]] = defaultdict(list)
        semantic_rows: list[tuple[int, str]] = []
        for t_index, (target_id, phrasings) in enumerate(targets):
            for number, phrasing in enumerate(phrasings):
                self._semantic_row[(target_id, number)] = len(semantic_rows)
                semantic_rows.append((t_index, phrasing))
                terms = frozenset(self._phrase_terms(phrasing))
                if not terms:
                    continue
                p_index = len(self._phrasings)
                self._phrasings.append(
                    _Phrasing(
                        t_index,
                        number,
                        terms,
                        sum(self._weight(t) for t in terms),
                        _negated(words(phrasing)),
                    )
                )
                self._phrasing_index[(target_id, number)] = p_index
                for term in terms:
                    index[term].append(p_index)
                    self._entry_term_counts[t_index][term] += 1
        # The same postings as arrays: scoring every candidate phrasing at once in numpy
        # instead of one by one in Python keeps large FAQs and common words fast.
        self._postings = {t: np.array(ps, dtype=np.intp) for t, ps in index.items()}
        self._phrasing_target = np.array([p.entry_index for p in self._phrasings], dtype=np.intp)
        self._phrasing_weight = np.array([p.weight for p in self._phrasings], dtype=np.float64)
        targets_with: dict[str, list[int]] = defaultdict(list)
        for t_index, counts in enumerate(self._entry_term_counts):
            for term in counts:
                targets_with[term].append(t_index)
        self._target_postings = {t: np.array(ts, dtype=np.intp) for t, ts in targets_with.items()}
        self._semantic: SemanticIndex | None = None
        if semantic:
            self._semantic = SemanticIndex(self._embedder(), semantic_rows)
        self._medicine_topic = next((t for t in faq.not_covered if t.id == MEDICINES_TOPIC), None)

    @staticmethod
    def _embedder() -> Embedder:
        return bundled_embedder()

    # -- public ------------------------------------------------------------------------

    @property
    def semantic(self) -> bool:
        """Whether the meaning model gives its second opinion (False: lexical alone)."""
        return self._semantic is not None

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

    def decide(
        self,
        text: str,
        context: str | None = None,
        *,
        held_out: tuple[str, int] | None = None,
    ) -> Decision:
        """The decision for `text`. Never raises.

        `context` is the id of the entry answered just before, so that a short follow-up
        ("and how long will that take?") is read with it. `held_out` ignores one phrasing
        (entry id, number), for the checker's self-test.
        """
        urgent = self.urgent(text)
        if urgent is not None:
            return urgent
        if not text.isascii() and detect_language(text) == "other":
            return NoMatch(unread_script=True)
        if asks_about_medicines(text):
            # A guard, not a phrasing: no wording of a medicine question may reach an
            # answer, however close it looks to one.
            return NoMatch(not_covered=self._medicine_topic)
        if is_acknowledgement(text):
            return NoMatch()
        focus = question_sentences(text)
        decision = self._decide_text(focus, held_out)
        if focus != text and isinstance(decision, NoMatch) and decision.not_covered is None:
            # The question sentences were not enough; the whole message may still point
            # somewhere, but it is long and noisy, so it can only suggest.
            whole = self._decide_text(text, held_out)
            if isinstance(whole, Answer):
                whole = Clarify((whole.match, *whole.runners_up))
            if not isinstance(whole, NoMatch):
                decision = whole
        if context is not None and not isinstance(decision, Answer):
            decision = self._with_context(focus, decision, context, held_out)
        return decision

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
        scored = self._rank_targets(query, held_out, limit)
        entries = [r for r in scored if r[1] < self._entry_count]
        top = entries[:limit] if limit else entries
        return [Match(self.faq.entries[t], score) for score, t, _ in top]

    # -- deciding ----------------------------------------------------------------------

    def _decide_text(self, text: str, held_out: tuple[str, int] | None) -> Decision:
        terms, unknown_names = self._query(text)
        ranked = self._rank_targets(terms, held_out, MAX_SUGGESTIONS + 1)
        skip = self._semantic_row.get(held_out, -1) if held_out else -1
        sem = None
        # The meaning model knows English only: for a Hindi or Hinglish question its
        # opinion would be noise, so the lexical matcher (which reads both) decides alone.
        if self._semantic is not None and detect_language(text) not in ("hi", "hinglish"):
            # The model reads the spelling-corrected words ("wat is distonia").
            words_read = self._corrected(text, hinglish=False)
            sem = self._semantic.scores(" ".join(words_read), skip_row=skip)
        lexical = _Opinion.of(ranked, self._entry_count)
        foreign = any(t not in STOPWORDS for t in unknown_names)
        if sem is None:
            decision = self._lexical_decision(lexical, foreign)
        else:
            decision = self._hybrid_decision(lexical, sem, foreign)
        return self._check_negation(text, decision, lexical)

    def _lexical_decision(self, lexical: _Opinion, foreign: bool) -> Decision:
        t = self.faq.thresholds
        covered = lexical.not_covered
        best = lexical.entries[0] if lexical.entries else None
        # Without the meaning model (Hindi and Hinglish questions, or the ablation) a topic
        # must lead clearly: a shared everyday word ("aaram", relief) must not turn a
        # covered question into "not covered".
        if (
            covered is not None
            and covered[0] >= t.clarify
            and (best is None or covered[0] > best[0] + LEXICAL_TOPIC_LEAD)
        ):
            return NoMatch(self._matches(lexical.entries), self._topic(covered[1]))
        if best is None or best[0] < t.clarify:
            return NoMatch(self._matches(lexical.entries))
        second = lexical.entries[1][0] if len(lexical.entries) > 1 else 0.0
        confident = best[0] >= t.answer and best[0] - second >= t.margin
        # A not-covered topic close behind the best entry ("क्या सर्जरी से पूरी तरह ठीक हो
        # जाएगा" shares "surgery" with both the surgery topic and "treatment without
        # surgery"): neither is sure, so the entry is only suggested.
        if covered is not None and covered[0] >= max(t.clarify, best[0] - TOPIC_DOUBT_LEAD):
            confident = False
        # A question naming something the FAQ has never heard of ("how long does botox
        # take to work") may look like a covered one word for word; it only gets
        # suggestions, never a confident answer about something else.
        if confident and not foreign:
            matches = self._matches(lexical.entries)
            return Answer(matches[0], matches[1:])
        return Clarify(self._suggestions(lexical.entries))

    def _hybrid_decision(
        self, lexical: _Opinion, sem: npt.NDArray[np.float32], foreign: bool
    ) -> Decision:
        t = self.faq.thresholds
        n = self._entry_count
        order = np.argsort(-sem, kind="stable")
        sem_top = int(order[0])
        sem_top_score = float(sem[sem_top])
        sem_margin = sem_top_score - float(sem[order[1]]) if len(order) > 1 else sem_top_score
        best = lexical.entries[0] if lexical.entries else None
        covered = lexical.not_covered

        # A known unknown: the lexical matcher prefers a not-covered topic, or the meaning
        # model clearly does and the words do not contradict it.
        sem_entry = _best_entry(sem, n)
        sem_entry_score = float(sem[sem_entry]) if sem_entry >= 0 else -1.0
        words_prefer_topic = (
            covered is not None
            and covered[0] >= t.clarify
            and (best is None or covered[0] > best[0])
        )
        # When the meaning model clearly prefers an entry instead ("what kind of condition
        # is dystonia" shares "condition" with a genetics phrasing), neither is sure: the
        # entries are suggested, never answered.
        topic_doubted = (
            words_prefer_topic
            and covered is not None
            and covered[0] - (best[0] if best else 0.0) < TOPIC_DOUBT_LEAD
            and float(sem[covered[1]]) < sem_entry_score - SEM_TOPIC_DOUBT
        )
        lex_prefers_topic = words_prefer_topic and not topic_doubted
        sem_prefers_topic = (
            sem_top >= n
            and sem_top_score >= SEM_TOPIC_MIN
            and sem_margin >= SEM_TOPIC_MARGIN
            and (best is None or best[0] < t.answer or best[1] != _best_entry(sem, n))
        )
        if lex_prefers_topic or sem_prefers_topic:
            topic_index = covered[1] if lex_prefers_topic and covered else sem_top
            return NoMatch(self._matches(lexical.entries), self._topic(topic_index))

        second = lexical.entries[1][0] if best and len(lexical.entries) > 1 else 0.0
        if best is not None and not foreign and not topic_doubted:
            lead = best[0] - second
            confident = best[0] >= t.answer and lead >= t.margin
            # The veto: a confident lexical answer must not be clearly beaten in meaning
            # by another target (entry or not-covered topic).
            # A not-covered topic vetoes at a smaller gap: an answer next to a topic the
            # FAQ does not cover is the typical wrong answer ("what does surgery involve").
            # Between entries, a wide lexical lead takes a wider semantic gap to overturn.
            gap = (
                SEM_TOPIC_VETO
                if sem_top >= n
                else SEM_VETO + VETO_LEAD_SHARE * max(0.0, lead - t.margin)
            )
            vetoed = float(sem[best[1]]) < sem_top_score - gap
            agreed = (
                best[1] == sem_top
                and lead >= t.margin - AGREE_LEAD_RELIEF
                and best[0] >= t.answer - AGREE_RELIEF
                and sem_top_score >= AGREE_SEMANTIC
                and sem_margin >= AGREE_SEMANTIC_MARGIN
                # Both opinions naming the same close second entry: the message asks two
                # things ("how long does it take and what results"), so ask which.
                and not (
                    len(lexical.entries) > 1
                    and lexical.entries[1][1] == int(order[1])
                    and sem_margin < TWO_QUESTIONS_MARGIN
                )
            )
            if (confident and not vetoed) or agreed:
                matches = self._matches(lexical.entries)
                return Answer(matches[0], matches[1:])
        lexical_ok = best is not None and best[0] >= t.clarify
        # Meaning alone may suggest, when it is sure and the words are not far off.
        semantic_ok = (
            sem_entry >= 0
            and sem_entry_score >= SEM_SUGGEST_ALONE
            and best is not None
            and best[0] >= t.clarify - SUGGEST_RELIEF
        )
        if not lexical_ok and not semantic_ok:
            return NoMatch(self._matches(lexical.entries))
        picks = list(lexical.entries) if lexical_ok else []
        suggestions = list(self._suggestions(picks)) if picks else []
        # The meaning model's nearest entries widen the list; agreement goes first.
        for index in (int(i) for i in order[:MAX_SUGGESTIONS]):
            if index >= n or float(sem[index]) < max(SEM_SUGGEST, sem_top_score - SEM_WIDEN):
                continue
            if all(m.entry is not self.faq.entries[index] for m in suggestions):
                lex_score = next((s for s, i, _ in lexical.entries if i == index), 0.0)
                suggestions.append(Match(self.faq.entries[index], lex_score))
        if not suggestions:
            return NoMatch(self._matches(lexical.entries))
        return Clarify(tuple(suggestions[:MAX_SUGGESTIONS]))

    def _check_negation(self, text: str, decision: Decision, lexical: _Opinion) -> Decision:
        """ "i am not thankful at all" is not "thank you": a negated question is never
        answered with a phrasing that says the opposite."""
        if not isinstance(decision, Answer) or not lexical.entries:
            return decision
        query_words = words(text)
        if not _negated(query_words):
            return decision
        phrasing = self._phrasings[lexical.entries[0][2]] if lexical.entries[0][2] >= 0 else None
        if phrasing is None or phrasing.negated:
            return decision
        entry = decision.match.entry
        if entry.kind == "info":
            return NoMatch((decision.match,))
        if len(query_words) <= NEGATION_SHORT_WORDS:
            return Clarify((decision.match, *decision.runners_up))
        return decision

    def _with_context(
        self,
        text: str,
        decision: Decision,
        context: str,
        held_out: tuple[str, int] | None,
    ) -> Decision:
        """A short follow-up read together with the answer it follows."""
        previous = self.faq.entry(context)
        if previous is None or isinstance(decision, Urgent):
            return decision
        if isinstance(decision, NoMatch) and decision.not_covered is not None:
            return decision  # "does that work for children?": the topic is the answer
        asked = words(text)
        if len(asked) > FOLLOW_UP_MAX_WORDS or not _follows_up(asked):
            return decision
        joined = self._decide_text(f"{text} {previous.question}", held_out)
        if isinstance(joined, Answer | Clarify):
            return joined
        return decision

    # -- helpers -----------------------------------------------------------------------

    def _topic(self, target: int) -> NotCovered:
        return self.faq.not_covered[target - self._entry_count]

    def _matches(self, ranked: list[tuple[float, int, int]]) -> tuple[Match, ...]:
        return tuple(Match(self.faq.entries[r[1]], r[0]) for r in ranked[:MAX_SUGGESTIONS])

    def _suggestions(self, ranked: list[tuple[float, int, int]]) -> tuple[Match, ...]:
        """The close runners-up too, but not entries far below the best one."""
        if not ranked:
            return ()
        floor = max(self.faq.thresholds.clarify * 0.75, ranked[0][0] - 0.25)
        return tuple(
            Match(self.faq.entries[r[1]], r[0]) for r in ranked[:MAX_SUGGESTIONS] if r[0] >= floor
        )

    def _rank_targets(
        self, query: list[str], held_out: tuple[str, int] | None, limit: int | None = None
    ) -> list[tuple[float, int, int]]:
        """(score, target index, best phrasing index) for every target sharing a term."""
        if not query:
            return []
        skip = self._phrasing_index.get(held_out, -1) if held_out else -1
        weights = {t: self._weight(t) for t in query}
        total = sum(weights.values())
        content = [t for t in query if t not in STOPWORDS] or query
        # Candidates are the phrasings sharing a content term; a function word alone
        # ("is", "my") never makes one.
        is_candidate = np.zeros(len(self._phrasings), dtype=bool)
        for term in content:
            postings = self._postings.get(term)
            if postings is not None:
                is_candidate[postings] = True
        if skip >= 0:
            is_candidate[skip] = False
        candidates = np.flatnonzero(is_candidate)
        if not len(candidates):
            return []
        # Shared weight per phrasing, added in the query's term order (so the sums are
        # the same to the last bit whichever way they are computed).
        shared_all = np.zeros(len(self._phrasings), dtype=np.float64)
        for term, w in weights.items():
            postings = self._postings.get(term)
            if postings is not None:
                shared_all[postings] += w
        shared = shared_all[candidates]
        recall = shared / total
        precision = shared / self._phrasing_weight[candidates]
        scores = (1 + BETA**2) * recall * precision / (BETA**2 * precision + recall)
        # Each target's best phrasing (of equals, the first in the file): sort by target,
        # best first.
        targets = self._phrasing_target[candidates]
        order = np.lexsort((candidates, -scores, targets))
        firsts = order[np.flatnonzero(np.diff(targets[order], prepend=-1))]
        best_target, best_score = targets[firsts], scores[firsts]
        skipped = self._phrasings[skip] if skip >= 0 else None
        n = self._entry_count
        if limit is not None:
            # The coverage top-up lies between 0 and min(1, score + 0.3): an entry whose
            # best possible total is below the limit-th best certain total cannot be in
            # the top, so its coverage is never computed (most entries of a large FAQ).
            certain = (1 - COVERAGE_SHARE) * best_score[best_target < n]
            if len(certain) >= limit:
                floor = float(np.partition(certain, len(certain) - limit)[-limit]) - 1e-4
                bound = (1 - COVERAGE_SHARE) * best_score + COVERAGE_SHARE * np.minimum(
                    1.0, best_score + 0.3
                )
                firsts = firsts[(best_target >= n) | (bound >= floor)]
        if limit is not None and len(firsts) > limit + 1:
            held = skipped.entry_index if skipped else -1
            firsts = self._likely_top(firsts, targets, scores, weights, total, limit, held)
        scored = []
        for t_index, score, p_index in zip(
            targets[firsts].tolist(),
            scores[firsts].tolist(),
            candidates[firsts].tolist(),
            strict=True,
        ):
            counts = self._entry_term_counts[t_index]
            own = skipped.terms if skipped and skipped.entry_index == t_index else frozenset()
            coverage = sum(w for t, w in weights.items() if counts.get(t, 0) > (t in own)) / total
            combined = (1 - COVERAGE_SHARE) * score + COVERAGE_SHARE * min(coverage, score + 0.3)
            scored.append((-round(combined, 4), self._target_id(t_index), t_index, p_index))
        if limit is None:
            scored.sort()
            kept = scored
        else:
            # Only the top entries and the best not-covered topic are ever looked at;
            # selecting them instead of sorting everything matters for large FAQs.
            kept = heapq.nsmallest(limit, (s for s in scored if s[2] < n))
            topic = min((s for s in scored if s[2] >= n), default=None)
            if topic is not None:
                kept.append(topic)
                kept.sort()
        return [(-neg, t_index, p_index) for neg, _, t_index, p_index in kept]

    def _likely_top(
        self,
        firsts: npt.NDArray[np.intp],
        targets: npt.NDArray[np.intp],
        scores: npt.NDArray[np.float64],
        weights: dict[str, float],
        total: float,
        limit: int,
        held: int,
    ) -> npt.NDArray[np.intp]:
        """The best phrasings (`firsts`) of the targets that can be among the top `limit`
        entries or be the best topic, found with every target's total computed at once.
        Totals within 0.001 of the cut are kept, so the exact, rounded totals computed
        afterwards choose among them: this only saves work, it never changes a ranking.
        The target of a held-out phrasing (`held`) is always kept and never sets the cut:
        its own terms are not discounted here, so its total may read too high."""
        covered = np.zeros(len(self._entry_term_counts), dtype=np.float64)
        for term, w in weights.items():
            holders = self._target_postings.get(term)
            if holders is not None:
                covered[holders] += w
        t, score = targets[firsts], scores[firsts]
        combined = (1 - COVERAGE_SHARE) * score + COVERAGE_SHARE * np.minimum(
            covered[t] / total, score + 0.3
        )
        is_entry = t < self._entry_count
        is_held = t == held
        keep = is_held.copy()
        entries = combined[is_entry & ~is_held]
        if len(entries):
            kth = max(len(entries) - limit, 0)
            keep |= is_entry & (combined >= np.partition(entries, kth)[kth] - 1e-3)
        topics = combined[~is_entry & ~is_held]
        if len(topics):
            keep |= ~is_entry & (combined >= topics.max() - 1e-3)
        kept: npt.NDArray[np.intp] = firsts[keep]
        return kept

    def _target_id(self, t_index: int) -> str:
        if t_index < self._entry_count:
            return self.faq.entries[t_index].id
        return self.faq.not_covered[t_index - self._entry_count].id

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
        hinglish = detect_language(text) in ("hi", "hinglish")
        corrected = self._corrected(text, hinglish)
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
                and w not in self._entry_words
            }
        kept = set(stems)
        foreign = set(uncovered)
        for w in corrected:
            if len(w) < 4 or not w.isalpha() or w in self._entry_words or is_everyday_word(w):
                continue
            single = self._synonyms.apply([_stem_word(w)])[0]
            # a word inside a phrase of a synonym group ("jaan bujh") is not unknown
            if single in kept and self._nearest_known(single) not in self._weights:
                foreign.add(self._nearest_known(single))
        return terms, frozenset(foreign)

    def _corrected(self, text: str, hinglish: bool) -> list[str]:
        """The question's words, misspellings fixed.

        In a Hindi or Hinglish question an unknown short word is far more likely Hindi
        than an English typo: "neend" (sleep) is not "need". Nor is a Hindi word
        "corrected" into another Hindi word ("sambhav", possible, is not "samjhao",
        explain): Hindi spellings meet through their skeletons, and only close English
        loanwords are spelt the English way.
        """
        ws = words(text)[:MAX_QUERY_WORDS]
        if not hinglish:
            return [self._correct(w) for w in ws]
        return [self._correct_in_hinglish(w, i) for i, w in enumerate(ws)]

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
        if cached is None and (is_english_word(word) or is_everyday_hindi(word)):
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


_MEDICINE_WORDS = frozenset(
    """
    medicine medicines medication medications meds med drug drugs tablet tablets pill pills
    capsule capsules dose doses dosage dosages dosing mg milligram milligrams prescription
    prescriptions prescribed syrup overdose antidote painkiller painkillers
    dawa dawai dawaai dawaiyan dawaiyon dava davai davaai goli goliyan golia goliya khurak
    baclofen clonazepam trihexyphenidyl benzhexol pacitane artane levodopa syndopa
    tetrabenazine diazepam gabapentin pregabalin propranolol
    relaxant relaxants relaxer relaxers antidepressant antidepressants sedative sedatives
    antipsychotic antipsychotics anticholinergic anticholinergics benzodiazepine
    benzodiazepines benzo benzos steroid steroids antibiotic antibiotics paracetamol
    ibuprofen aspirin crocin dolo combiflam alprazolam lorazepam zolpidem amitriptyline
    sertraline fluoxetine escitalopram haloperidol domperidone metoclopramide
    दवा दवाई दवाइयां दवाइयाँ दवाओं दवाएं गोली गोलियां गोलियाँ खुराक डोज़ डोज
    """.split()
)


def asks_about_medicines(text: str) -> bool:
    """Whether the message mentions medicines, tablets or doses (English, Hinglish, Hindi).

    The FAQ's sources say nothing about medicines, so such a question must never receive
    an FAQ answer (which could read as advice about them).
    """
    # screen_form keeps Devanagari vowel signs inside their words ("दवा"), which the
    # matcher's word splitter does not (yet).
    ws = words(text) + screen_form(text).split()
    for i, w in enumerate(ws):
        if w == "dose" and _misspelt_does(ws[i + 1 : i + 2]):
            continue
        if w in _MEDICINE_WORDS:
            return True
    return False


# "why dose touching my chin help": "dose" is often "does" mistyped; as a verb it comes
# before its subject, as a noun it does not ("what dose should i take", "dose of").
_SUBJECTS = frozenset("it this that my your his her their the a an stress dystonia".split())


def _misspelt_does(following: list[str]) -> bool:
    return bool(following) and (following[0] in _SUBJECTS or following[0].endswith("ing"))


_SENTENCE_END = re.compile(r"(?<=[.?!\n।])\s*")
_QUESTION_START = frozenset(
    """
    what why how when where which who whom whose will would can could should shall is are
    am was were do does did has have had may might must kya kyun kyu kaise kab kitna kitne
    kitni kaun kaunsi kahan क्या क्यों कैसे कब कितना कौन
    """.split()
)


def question_sentences(text: str) -> str:
    """What a long message asks: its last question sentences (or its last sentences).

    A caregiver's long message tells a story and ends with what they want to know; read
    whole, the story's words drown the question. Short messages are read whole.
    """
    if len(text) <= LONG_MESSAGE_CHARS:
        return text
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    asking = [
        s for s in sentences if s.endswith("?") or (words(s)[:1] and words(s)[0] in _QUESTION_START)
    ]
    chosen = (asking or sentences)[-QUESTION_SENTENCES:]
    return " ".join(chosen) or text


_NEGATORS = frozenset("not no never nahi nahin nai mat नहीं नही मत ना".split())


def _negated(ws: list[str]) -> bool:
    # "is it progressive or not" and "hota hai ya nahi" ask, they do not negate.
    return any(
        w in _NEGATORS and not (i and ws[i - 1] in ("or", "ya", "या")) for i, w in enumerate(ws)
    )


_FOLLOW_UP_WORDS = frozenset("that it this those these them they there also too".split())
_FOLLOW_UP_OPENERS = (("and",), ("what", "about"), ("how", "about"), ("but",), ("also",))


def _follows_up(ws: list[str]) -> bool:
    """A message that leans on what came before: "and ...", "what about ...", "that"."""
    return any(tuple(ws[: len(o)]) == o for o in _FOLLOW_UP_OPENERS) or any(
        w in _FOLLOW_UP_WORDS for w in ws
    )


def _best_entry(sem: npt.NDArray[np.float32], entry_count: int) -> int:
    if entry_count == 0:
        return -1
    return int(np.argmax(sem[:entry_count]))


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
