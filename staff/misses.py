"""Questions the bot missed, grouped so staff see each gap in the FAQ once.

Questions are compared in the form the matcher sees them (folded, spell-corrected,
stemmed, synonyms joined), minus the words that cannot tell two questions apart: function
words, and words most FAQ entries use ("dystonia"). Without that, "can I drive with
dystonia?" and "is dystonia contagious?" would look alike. Groups are formed greedily,
most frequent wording first: each question joins the group of the most similar question
already placed if that one is close enough, or starts a new group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from faq.indic import hinglish_skeleton
from faq.matcher import Matcher, NoMatch
from faq.text import STOPWORDS, stem, words
from records.store import MissRow

# token_set_ratio score (0-100) at which two questions count as the same question.
SIMILARITY_THRESHOLD = 70.0
MAX_EXAMPLES = 3
# A word more than this share of entries use is background, not a topic.
BACKGROUND_SHARE = 0.5


@dataclass(frozen=True)
class MissGroup:
    count: int  # questions in the group, repeats included
    people: int  # distinct users who asked them
    unanswered: int  # got the fallback
    clarified: int  # got a "did you mean"
    examples: tuple[str, ...]  # up to MAX_EXAMPLES different texts, most asked first
    nearest_id: str | None  # the FAQ entry these questions come closest to today
    nearest_score: float  # the group's mean score for that entry (0 when none)
    # Emergency words the urgent screen let through: for the engineers, not a phrasing.
    looks_urgent: bool = False


@dataclass(frozen=True)
class WishlistItem:
    """Questions on a topic the FAQ knowingly does not cover: the clinic's content wishlist."""

    topic_id: str
    topic: str
    count: int
    people: int
    examples: tuple[str, ...]


def split_not_covered(
    rows: Iterable[MissRow], matcher: Matcher
) -> tuple[list[WishlistItem], list[MissRow]]:
    """Questions on a not-covered topic, per topic (most asked first), and all the others.

    Each question is decided again against today's FAQ, like the nearest entries below:
    a topic staff have since covered with an entry no longer shows here.
    """
    by_topic: dict[str, list[MissRow]] = defaultdict(list)
    titles: dict[str, str] = {}
    rest: list[MissRow] = []
    for row in rows:
        decision = matcher.decide(row.text)
        if isinstance(decision, NoMatch) and decision.not_covered is not None:
            by_topic[decision.not_covered.id].append(row)
            titles[decision.not_covered.id] = decision.not_covered.topic
        else:
            rest.append(row)
    items = []
    for topic_id, topic_rows in by_topic.items():
        texts = Counter(" ".join(r.text.split()) for r in topic_rows)
        items.append(
            WishlistItem(
                topic_id=topic_id,
                topic=titles[topic_id],
                count=len(topic_rows),
                people=len({r.user for r in topic_rows}),
                examples=tuple(t for t, _ in texts.most_common(MAX_EXAMPLES)),
            )
        )
    items.sort(key=lambda i: (-i.count, -i.people, i.topic_id))
    return items, rest


def group_misses(
    rows: Iterable[MissRow],
    matcher: Matcher,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[MissGroup]:
    """Group similar missed questions; largest groups first."""
    rows = list(rows)
    if not rows:
        return []
    keys = _Keys(matcher)
    by_key: dict[str, list[MissRow]] = defaultdict(list)
    for row in rows:
        by_key[keys.of(row.text)].append(row)
    # Most asked first, then the most specific (most terms), so that a broad question
    # placed early cannot split a group its more specific variants would have joined.
    ordered = sorted(by_key, key=lambda k: (-len(by_key[k]), -len(k.split())))
    seen: list[str] = []  # every key placed so far ...
    group_of: list[int] = []  # ... and the group it went to
    members: list[list[MissRow]] = []
    for key in ordered:
        found = None
        if key and seen:
            found = process.extractOne(
                key, seen, scorer=fuzz.token_set_ratio, score_cutoff=threshold
            )
        if found is None:
            group_of.append(len(members))
            members.append(list(by_key[key]))
        else:
            group_of.append(group_of[found[2]])
            members[group_of[-1]].extend(by_key[key])
        seen.append(key)
    groups = [_group(group_rows, matcher) for group_rows in members]
    # Possible missed emergencies first, whatever their size: they are the engineers' to
    # check before anything else.
    groups.sort(key=lambda g: (not g.looks_urgent, -g.count, -g.people, g.examples))
    return groups


def _group(rows: list[MissRow], matcher: Matcher) -> MissGroup:
    texts = Counter(" ".join(row.text.split()) for row in rows)
    # Texts differing only in case or spacing are one example, shown as most often typed.
    examples: dict[str, str] = {}
    for text, _ in texts.most_common():
        examples.setdefault(text.casefold(), text)
    # Ranked against today's FAQ, not the score stored at the time: staff may have added
    # alternates since, and the report should show where the gap is now.
    totals: dict[str, float] = defaultdict(float)
    for text, n in texts.items():
        for match in matcher.rank(text):
            totals[match.entry.id] += match.score * n
    nearest_id = min(totals, key=lambda e: (-totals[e], e)) if totals else None
    nearest_score = round(totals[nearest_id] / len(rows), 2) if nearest_id else 0.0
    return MissGroup(
        count=len(rows),
        people=len({row.user for row in rows}),
        unanswered=sum(row.decision == "none" for row in rows),
        clarified=sum(row.decision == "clarify" for row in rows),
        examples=tuple(examples.values())[:MAX_EXAMPLES],
        nearest_id=nearest_id,
        nearest_score=nearest_score,
        looks_urgent=any(looks_urgent(text) for text in texts),
    )


# Words of emergencies, in English and in Hinglish (Devanagari is read in the same loose
# Latin letters). Deliberately broad: a match only flags a group for a person to read, it
# never changes a reply. English words are matched by prefix ("breath" finds "breathless").
_URGENT_ENGLISH = (
    "breath choke choking suffocat swallow suicid overdos unconscious unresponsive seizure "
    "convuls stroke bleed faint collaps dying kill chest throat blue poison"
).split()
_URGENT_HINGLISH = frozenset(
    hinglish_skeleton(w)
    for w in (
        "saans dam ghut nigal nigalna behosh daura dora jhatke marna mar khudkushi "
        "atmahatya aatmahatya khoon seena neela neele hoth zeher jahar ghabrahat marne "
        "maut jeene jeena behoshi"
    ).split()
)


def looks_urgent(text: str) -> bool:
    """Whether a question uses emergency words (any language the bot reads)."""
    for word in words(text):
        if any(word.startswith(stem) for stem in _URGENT_ENGLISH):
            return True
        if word.isalpha() and hinglish_skeleton(word) in _URGENT_HINGLISH:
            return True
    return False


class _Keys:
    """The comparable form of a question: its telling terms, in the matcher's spelling."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        entries = matcher.faq.entries
        used_by: Counter[str] = Counter()
        for entry in entries:
            used_by.update({t for p in entry.phrasings for t in matcher.query_terms(p)})
        background = {t for t, n in used_by.items() if n > BACKGROUND_SHARE * len(entries)}
        self._ignore = background | STOPWORDS | {stem(w) for w in STOPWORDS}

    def of(self, text: str) -> str:
        terms = self._matcher.query_terms(text)
        telling = [t for t in terms if t not in self._ignore]
        # "Who are you?" has no telling words; its own words still set it apart.
        return " ".join(telling or terms)
