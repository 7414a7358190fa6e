"""Two matchers a developer might reach for first, with the same `decide` shape as ours.

Both answer or abstain (they have no "did you mean" and no urgent screen), and return
faq.matcher decisions, so faq/evaluate.py's Report scores them exactly like our matcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from faq.evaluate import Case, Outcome, Report
from faq.matcher import Answer, Decision, Match, NoMatch
from faq.model import FAQ

# WRatio's scale has a cliff: partial matches are capped at 90 (0.9 x partial_ratio), so
# any cutoff above ~86 abstains on almost everything. 80 is the usual "good match" choice.
RAPIDFUZZ_CUTOFF = 80.0
# The BM25 threshold is calibrated on the hold-out questions (never the dev set it is
# scored on): the lowest threshold whose wrong-confident rate there stays under this.
BM25_MAX_WRONG_CONFIDENT = 5.0
BM25_THRESHOLD_STEP = 0.25

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class FuzzyBaseline:
    """rapidfuzz: the canonical question most similar to the text (WRatio), if >= cutoff."""

    def __init__(self, faq: FAQ, cutoff: float = RAPIDFUZZ_CUTOFF) -> None:
        self.entries = faq.entries
        self.questions = [e.question for e in faq.entries]
        self.cutoff = cutoff

    def decide(self, text: str) -> Decision:
        found = process.extractOne(
            text,
            self.questions,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=self.cutoff,
        )
        if found is None:
            return NoMatch()
        _, score, index = found
        return Answer(Match(self.entries[index], round(score / 100, 4)))


class BM25Baseline:
    """BM25 over every phrasing; the top phrasing's entry if its score beats the threshold."""

    def __init__(self, faq: FAQ, threshold: float = 0.0) -> None:
        self.owners = [e for e in faq.entries for _ in e.phrasings]
        self.index = BM25Okapi([tokens(p) for e in faq.entries for p in e.phrasings])
        self.threshold = threshold

    def best(self, text: str) -> Match | None:
        query = tokens(text)
        if not query:
            return None
        scores = self.index.get_scores(query)
        top = int(np.argmax(scores))
        return Match(self.owners[top], round(float(scores[top]), 4))

    def decide(self, text: str) -> Decision:
        match = self.best(text)
        if match is None or match.score <= self.threshold:
            return NoMatch()
        return Answer(match)

    def calibrate(self, cases: Sequence[Case]) -> float:
        """Set and return the lowest threshold keeping wrong-confident answers in bounds."""
        best = [(case, self.best(case.question)) for case in cases]
        threshold = 0.0
        while _wrong_confident(best, threshold) > BM25_MAX_WRONG_CONFIDENT:
            threshold += BM25_THRESHOLD_STEP
        self.threshold = threshold
        return threshold


def _wrong_confident(best: Sequence[tuple[Case, Match | None]], threshold: float) -> float:
    outcomes = tuple(
        Outcome(case, Answer(m) if m is not None and m.score > threshold else NoMatch())
        for case, m in best
    )
    return Report(outcomes).wrong_confident


@dataclass(frozen=True)
class Quality:
    in_scope_right: float
    wrong_confident: float
    out_of_scope_abstained: float

    def as_dict(self) -> dict[str, float]:
        return {
            "in_scope_right_pct": round(self.in_scope_right, 1),
            "wrong_confident_pct": round(self.wrong_confident, 1),
            "out_of_scope_abstained_pct": round(self.out_of_scope_abstained, 1),
        }


def quality(decide: Callable[[str], Decision], cases: Sequence[Case]) -> Quality:
    """The figures of faq/evaluate.py's Report for any `decide` function."""
    report = Report(tuple(Outcome(case, decide(case.question)) for case in cases))
    return Quality(report.in_scope_right, report.wrong_confident, report.out_of_scope_abstained)


# The intent classifier's decision thresholds are set on the dev set: the lowest
# probability, and the lowest lead over the runner-up, keeping wrong-confident answers
# there at or under this.
CLASSIFIER_MAX_WRONG_CONFIDENT = 2.0
CLASSIFIER_PROBABILITIES = tuple(round(0.05 * i, 2) for i in range(1, 20))
CLASSIFIER_LEADS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)


class IntentClassifierBaseline:
    """A trained intent classifier: TF-IDF word and character n-grams, logistic regression.

    Trained on the FAQ's phrasings (one class per entry); answers the most probable entry
    when its probability and its lead over the runner-up clear thresholds set on the dev
    set, and abstains otherwise (no "did you mean", no urgent screen).
    """

    def __init__(self, faq: FAQ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        texts = [p for e in faq.entries for p in e.phrasings]
        labels = [i for i, e in enumerate(faq.entries) for _ in e.phrasings]
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
            ]
        )
        self.model = make_pipeline(features, LogisticRegression(C=10.0, max_iter=2000))
        self.model.fit(texts, labels)
        self.entries = faq.entries
        self.probability = 0.5
        self.lead = 0.1

    def _top(self, text: str) -> tuple[int, float, float]:
        probs = self.model.predict_proba([text])[0]
        order = np.argsort(-probs)
        second = float(probs[order[1]]) if len(order) > 1 else 0.0
        return int(order[0]), float(probs[order[0]]), float(probs[order[0]]) - second

    def decide(self, text: str) -> Decision:
        index, probability, lead = self._top(text)
        if probability < self.probability or lead < self.lead:
            return NoMatch()
        return Answer(Match(self.entries[index], round(probability, 4)))

    def calibrate(self, cases: Sequence[Case]) -> tuple[float, float]:
        """Set the thresholds on `cases`: most in-scope right within the wrong-answer bound."""
        tops = [(case, self._top(case.question)) for case in cases]
        best: tuple[float, float, float] | None = None
        for probability in CLASSIFIER_PROBABILITIES:
            for lead in CLASSIFIER_LEADS:
                outcomes = tuple(
                    Outcome(
                        case,
                        Answer(Match(self.entries[i], p))
                        if p >= probability and d >= lead
                        else NoMatch(),
                    )
                    for case, (i, p, d) in tops
                )
                report = Report(outcomes)
                if report.wrong_confident > CLASSIFIER_MAX_WRONG_CONFIDENT:
                    continue
                if best is None or report.in_scope_right > best[0]:
                    best = (report.in_scope_right, probability, lead)
        if best is not None:
            self.probability, self.lead = best[1], best[2]
        return self.probability, self.lead


@dataclass(frozen=True)
class FullQuality:
    """Every figure `python -m faq eval` prints, for the ablation tables."""

    in_scope_right: float
    in_scope_right_or_suggested: float
    out_of_scope_abstained: float
    wrong_confident: float
    wrong_count: int
    urgent_caught: float
    false_urgent: int

    def as_dict(self) -> dict[str, float]:
        return {
            "in_scope_right_pct": round(self.in_scope_right, 1),
            "in_scope_right_or_suggested_pct": round(self.in_scope_right_or_suggested, 1),
            "out_of_scope_abstained_pct": round(self.out_of_scope_abstained, 1),
            "wrong_confident_pct": round(self.wrong_confident, 1),
            "wrong_confident_count": self.wrong_count,
            "urgent_caught_pct": round(self.urgent_caught, 1),
            "false_urgent": self.false_urgent,
        }


def full_quality(decide: Callable[[str], Decision], cases: Sequence[Case]) -> FullQuality:
    report = Report(tuple(Outcome(case, decide(case.question)) for case in cases))
    return FullQuality(
        report.in_scope_right,
        report.in_scope_right_or_suggested,
        report.out_of_scope_abstained,
        report.wrong_confident,
        sum(o.wrong_answer for o in report.outcomes),
        report.urgent_caught,
        report.false_urgent,
    )
