"""Scores the matcher on a labelled question set (tab-separated: question, accept, category)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from faq.matcher import Answer, Clarify, Decision, Matcher, Urgent

CATEGORIES = ("in", "oos", "lenient", "urgent", "control")


class EvalFileError(ValueError):
    """The labelled file is malformed; the message says where."""


@dataclass(frozen=True)
class Case:
    question: str
    accept: frozenset[str]
    category: str
    line: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    decision: Decision

    @property
    def answered_id(self) -> str | None:
        return self.decision.match.entry.id if isinstance(self.decision, Answer) else None

    @property
    def suggested_ids(self) -> tuple[str, ...]:
        if isinstance(self.decision, Clarify):
            return tuple(m.entry.id for m in self.decision.candidates)
        return ()

    @property
    def right(self) -> bool:
        accept = self.case.accept
        if isinstance(self.decision, Urgent):
            return "urgent" in accept
        if isinstance(self.decision, Answer):
            return self.answered_id in accept
        return "none" in accept  # clarify or none: the bot did not answer

    @property
    def suggested(self) -> bool:
        return bool(set(self.suggested_ids) & self.case.accept)

    @property
    def wrong_answer(self) -> bool:
        return isinstance(self.decision, Answer) and self.answered_id not in self.case.accept

    @property
    def false_urgent(self) -> bool:
        return isinstance(self.decision, Urgent) and "urgent" not in self.case.accept

    def describe(self) -> str:
        d = self.decision
        if isinstance(d, Answer):
            return f"answer {d.match.entry.id} ({d.match.score:.2f})"
        if isinstance(d, Clarify):
            return "clarify " + ", ".join(f"{m.entry.id} ({m.score:.2f})" for m in d.candidates)
        if isinstance(d, Urgent):
            return f"urgent ({d.rule})"
        if d.not_covered is not None:
            return f"none (not covered: {d.not_covered.id})"  # an abstention, honestly worded
        best = f" (nearest {d.nearest[0].entry.id} {d.nearest[0].score:.2f})" if d.nearest else ""
        return "none" + best


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    def _of(self, *categories: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.category in categories]

    @staticmethod
    def _pct(hits: int, total: int) -> float:
        return 100.0 * hits / total if total else 100.0

    @property
    def in_scope_right(self) -> float:
        cases = self._of("in")
        return self._pct(sum(o.right for o in cases), len(cases))

    @property
    def in_scope_right_or_suggested(self) -> float:
        cases = self._of("in")
        return self._pct(sum(o.right or o.suggested for o in cases), len(cases))

    @property
    def out_of_scope_abstained(self) -> float:
        cases = self._of("oos")
        return self._pct(sum(o.right for o in cases), len(cases))

    @property
    def wrong_confident(self) -> float:
        cases = [o for o in self.outcomes if o.case.category != "urgent"]
        return self._pct(sum(o.wrong_answer for o in cases), len(cases))

    @property
    def urgent_caught(self) -> float:
        cases = self._of("urgent")
        return self._pct(sum(isinstance(o.decision, Urgent) for o in cases), len(cases))

    @property
    def false_urgent(self) -> int:
        return sum(o.false_urgent for o in self.outcomes)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]

    def summary_lines(self) -> list[str]:
        counts = {c: len(self._of(c)) for c in CATEGORIES}
        sized = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
        non_urgent = len(self.outcomes) - counts["urgent"]
        return [
            f"questions: {len(self.outcomes)} ({sized})",
            f"in-scope answered right:      {self.in_scope_right:6.1f}%",
            f"in-scope right or suggested:  {self.in_scope_right_or_suggested:6.1f}%",
            f"out-of-scope abstained:       {self.out_of_scope_abstained:6.1f}%",
            f"wrong confident answers:      {self.wrong_confident:6.1f}%"
            f"  ({sum(o.wrong_answer for o in self.outcomes)} of {non_urgent} non-urgent)",
            f"urgent caught:                {self.urgent_caught:6.1f}%",
            f"false urgent:                 {self.false_urgent:6d}",
        ]


def read_cases(path: Path) -> list[Case]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}:1:1: cannot read: {exc}") from exc
    rows = csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    cases: list[Case] = []
    for line, row in enumerate(rows, start=1):
        if not row or (line == 1 and row[0].strip().lower() == "question"):
            continue
        if len(row) != 3:
            raise EvalFileError(
                f"{path}:{line}:1: expected 3 tab-separated columns, got {len(row)}"
            )
        question, accept, category = row
        if category not in CATEGORIES:
            raise EvalFileError(f"{path}:{line}:1: unknown category {category!r}")
        labels = frozenset(a.strip() for a in accept.split(",") if a.strip())
        if not labels:
            raise EvalFileError(f"{path}:{line}:1: the accept column is empty")
        cases.append(Case(question, labels, category, line))
    return cases


def unknown_ids(matcher: Matcher, cases: Iterable[Case]) -> set[str]:
    """Accepted ids that the FAQ does not have: a renamed entry breaks the labels."""
    known = {e.id for e in matcher.faq.entries} | {"none", "urgent"}
    return {label for case in cases for label in case.accept} - known


def evaluate(matcher: Matcher, cases: Iterable[Case]) -> Report:
    return Report(tuple(Outcome(case, matcher.decide(case.question)) for case in cases))
