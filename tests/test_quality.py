"""Matching quality on the labelled question sets, against the targets set in the issue.

tests/data/dev-questions.tsv is the set the thresholds were calibrated on;
tests/data/holdout-questions.tsv was written independently and is only measured here;
tests/data/dev-hindi-hinglish.tsv asks the same kinds of question in Hindi (Devanagari)
and Hinglish, written before the FAQ had its Hindi phrasings; tests/data/more-hindi-
hinglish.tsv is a second batch written after the first round of Hindi matching work,
heavier on look-alikes (medicines, heredity, costs, other conditions), to check that
the matching generalises; only general fixes were made from it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faq.evaluate import Report, evaluate, read_cases
from faq.matcher import Matcher
from faq.model import FAQ
from faq.selftest import self_test
from faq.text import term, words

DATA = Path(__file__).parent / "data"
DEV = DATA / "dev-questions.tsv"
HOLDOUT = DATA / "holdout-questions.tsv"
HINDI = DATA / "dev-hindi-hinglish.tsv"
MORE_HINDI = DATA / "more-hindi-hinglish.tsv"
# Written without looking at the FAQ's phrasings, after the hybrid matcher was designed,
# around its failure kinds (uncovered topics, medicines, meaning without shared words,
# long messages, negation); never used to set a threshold.
HOLDOUT_2 = DATA / "holdout-2-questions.tsv"
# Written after the FAQ existed without seeing its phrasings, in English, Hindi and Hinglish,
# in the styles of the hidden set; for measurement only, so no figure here is held to a floor.
# Like the first held-out set it was written independently of the FAQ, so a few canonical
# questions ("how is dystonia diagnosed?") equal FAQ phrasings by nature: not a leak.
HOLDOUT_3 = DATA / "holdout-3-questions.tsv"

# Holdout in-scope "answered right" was 79.1% with the hybrid matcher; the floor is that
# minus five points, so a real regression fails but ordinary tuning does not.
HOLDOUT_IN_SCOPE_RIGHT_FLOOR = 74.0


@pytest.fixture(scope="module")
def dev(matcher: Matcher) -> Report:
    return evaluate(matcher, read_cases(DEV))


@pytest.fixture(scope="module")
def holdout(matcher: Matcher) -> Report:
    return evaluate(matcher, read_cases(HOLDOUT))


@pytest.fixture(scope="module")
def holdout_2(matcher: Matcher) -> Report:
    return evaluate(matcher, read_cases(HOLDOUT_2))


def misses(report: Report, category: str) -> str:
    return "\n".join(
        f"  line {o.case.line}: {o.case.question!r} expected {sorted(o.case.accept)}, "
        f"got {o.describe()}"
        for o in report.misses
        if o.case.category == category
    )


def wrong_answers(report: Report) -> str:
    return "\n".join(
        f"  line {o.case.line}: {o.case.question!r} -> {o.describe()}"
        for o in report.outcomes
        if o.wrong_answer
    )


# -- the question sets themselves -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [DEV, HOLDOUT, HINDI, HOLDOUT_2, HOLDOUT_3],
    ids=["dev", "holdout", "hindi", "holdout-2", "holdout-3"],
)
def test_question_set_covers_every_category_and_names_real_entries(faq: FAQ, path: Path) -> None:
    cases = read_cases(path)
    categories = {c.category for c in cases}
    assert {"in", "oos", "urgent", "control"} <= categories
    known = {e.id for e in faq.entries} | {"none", "urgent"}
    assert {label for c in cases for label in c.accept} <= known


# -- dev set: the targets -------------------------------------------------------


def test_dev_in_scope_answered_right_is_at_least_90_percent(dev: Report) -> None:
    print("\n".join(dev.summary_lines()))
    assert dev.in_scope_right >= 90.0, misses(dev, "in")


def test_dev_keeps_its_answered_right_figure(dev: Report) -> None:
    """The issue asks that the dev set keep its figures: 65 of 66 in scope answered right.
    (One dev question once sat 0.002 inside the two-questions margin, so any content edit
    could flip it; the floor says so at once.)"""
    assert dev.in_scope_right >= 98.4, misses(dev, "in")


def test_dev_in_scope_right_or_suggested_is_at_least_97_percent(dev: Report) -> None:
    assert dev.in_scope_right_or_suggested >= 97.0, misses(dev, "in")


def test_dev_wrong_confident_answers_are_at_most_2_percent(dev: Report) -> None:
    assert dev.wrong_confident <= 2.0, wrong_answers(dev)


def test_dev_out_of_scope_abstains_at_least_90_percent(dev: Report) -> None:
    assert dev.out_of_scope_abstained >= 90.0, misses(dev, "oos")


def test_dev_urgent_messages_are_all_caught(dev: Report) -> None:
    assert dev.urgent_caught == 100.0, misses(dev, "urgent")


def test_dev_has_no_false_urgent(dev: Report) -> None:
    assert dev.false_urgent == 0, misses(dev, "control")


# -- holdout set ------------------------------------------------------------------------


def test_holdout_urgent_messages_are_all_caught(holdout: Report) -> None:
    print("\n".join(holdout.summary_lines()))
    assert holdout.urgent_caught == 100.0, misses(holdout, "urgent")


def test_holdout_has_no_false_urgent(holdout: Report) -> None:
    assert holdout.false_urgent == 0, misses(holdout, "control")


def test_holdout_wrong_confident_answers_are_at_most_1_5_percent(holdout: Report) -> None:
    assert holdout.wrong_confident <= 1.5, wrong_answers(holdout)


def test_holdout_out_of_scope_abstains_at_least_90_percent(holdout: Report) -> None:
    assert holdout.out_of_scope_abstained >= 90.0, misses(holdout, "oos")


def test_holdout_in_scope_answered_right_does_not_regress(holdout: Report) -> None:
    print(f"holdout in-scope answered right: {holdout.in_scope_right:.1f}%")
    print(f"holdout in-scope right or suggested: {holdout.in_scope_right_or_suggested:.1f}%")
    assert holdout.in_scope_right >= HOLDOUT_IN_SCOPE_RIGHT_FLOOR, misses(holdout, "in")


# -- Hindi and Hinglish set: the same targets in either script ------------------------


@pytest.fixture(scope="module")
def hindi(matcher: Matcher) -> Report:
    return evaluate(matcher, read_cases(HINDI))


def test_hindi_in_scope_answered_right_is_at_least_80_percent(hindi: Report) -> None:
    print("\n".join(hindi.summary_lines()))
    assert hindi.in_scope_right >= 80.0, misses(hindi, "in")


def test_hindi_in_scope_right_or_suggested_is_at_least_95_percent(hindi: Report) -> None:
    assert hindi.in_scope_right_or_suggested >= 95.0, misses(hindi, "in")


def test_hindi_wrong_confident_answers_are_at_most_2_percent(hindi: Report) -> None:
    assert hindi.wrong_confident <= 2.0, wrong_answers(hindi)


def test_hindi_out_of_scope_abstains_at_least_90_percent(hindi: Report) -> None:
    assert hindi.out_of_scope_abstained >= 90.0, misses(hindi, "oos")


def test_hindi_urgent_messages_are_all_caught_without_false_alarms(hindi: Report) -> None:
    assert hindi.urgent_caught == 100.0, misses(hindi, "urgent")
    assert hindi.false_urgent == 0, misses(hindi, "control")


def test_second_hindi_batch_gets_few_wrong_answers_and_the_right_suggestions(
    matcher: Matcher,
) -> None:
    """The second batch, mostly look-alikes, is held to the safety targets."""
    more = evaluate(matcher, read_cases(MORE_HINDI))
    print("\n".join(more.summary_lines()))
    assert more.wrong_confident <= 2.0, wrong_answers(more)
    assert more.out_of_scope_abstained >= 90.0, misses(more, "oos")
    assert more.in_scope_right_or_suggested >= 90.0, misses(more, "in")


# -- second held-out set ----------------------------------------------------------------


def test_holdout_2_urgent_caught_and_no_false_urgent(holdout_2: Report) -> None:
    print("\n".join(holdout_2.summary_lines()))
    assert holdout_2.urgent_caught == 100.0, misses(holdout_2, "urgent")
    assert holdout_2.false_urgent == 0, misses(holdout_2, "control")


def test_holdout_2_wrong_confident_answers_stay_rare(holdout_2: Report) -> None:
    # 2.4% (2 of 82) when written; the floor catches a regression, not the target.
    assert holdout_2.wrong_confident <= 3.0, wrong_answers(holdout_2)


def test_holdout_2_out_of_scope_mostly_abstains(holdout_2: Report) -> None:
    assert holdout_2.out_of_scope_abstained >= 88.0, misses(holdout_2, "oos")


# -- no question set leaks into the FAQ -------------------------------------------------


def _bare(text: str) -> str:
    """Lower-cased, apostrophes dropped, every other punctuation mark a space."""
    text = re.sub(r"['’‘`]", "", text.lower())
    return " ".join(re.findall(r"[^\W_]+", text))


def _verbatim_alternates(faq: FAQ, path: Path) -> list[str]:
    """Labelled questions that are word for word an alternate phrasing of the FAQ.

    Canonical questions come from the FAQ's specification, and one- or two-word small talk
    ("hi", "thank you") can only be written one way; anything else matching an alternate
    would mean a test question was pasted into the FAQ.
    """
    alternates = {_bare(a): e.id for e in faq.entries for a in e.alternates}
    alternates |= {_bare(p): f"not_covered {t.id}" for t in faq.not_covered for p in t.phrasings}
    canonical = {_bare(e.question) for e in faq.entries}
    return [
        f"{path.name}:{c.line}: {c.question!r} is an alternate of {alternates[_bare(c.question)]}"
        for c in read_cases(path)
        if _bare(c.question) in alternates
        and _bare(c.question) not in canonical
        and len(_bare(c.question).split()) > 2
    ]


@pytest.mark.parametrize(
    "path",
    [DEV, HINDI, MORE_HINDI, HOLDOUT_2],
    ids=["dev", "hindi", "more-hindi", "holdout-2"],
)
def test_no_evaluation_question_was_pasted_into_the_faq(faq: FAQ, path: Path) -> None:
    leaks = _verbatim_alternates(faq, path)
    assert not leaks, f"{len(leaks)} verbatim:\n" + "\n".join(leaks)


def test_no_holdout_question_was_pasted_into_the_not_covered_topics(faq: FAQ) -> None:
    leaks = [leak for leak in _verbatim_alternates(faq, HOLDOUT) if "not_covered" in leak]
    assert not leaks, f"{len(leaks)} verbatim:\n" + "\n".join(leaks)


def test_bare_form_ignores_case_and_punctuation() -> None:
    assert _bare("What's dystonia?!") == _bare("whats   dystonia") == "whats dystonia"
    assert _bare("Thanks!") == "thanks"


# -- the checker's self-test ------------------------------------------------------------


def test_self_test_runs_on_the_shipped_faq_and_never_reports_an_error(matcher: Matcher) -> None:
    problems = self_test(matcher)
    assert all(p.severity in ("warning", "note") for p in problems), [
        str(p) for p in problems if p.severity == "error"
    ]
    phrasings = sum(len(e.phrasings) for e in matcher.faq.entries)
    print(f"self-test: {len(problems)} warnings over {phrasings} phrasings")
    # Most phrasings must still find their own entry when held out.
    assert len(problems) < phrasings / 2
    for problem in problems:
        assert problem.path == str(matcher.faq.path)
        assert problem.line >= 1
        assert problem.col >= 1
        assert problem.message.startswith("phrasing ")


@pytest.mark.parametrize("path", [HINDI, MORE_HINDI], ids=["hindi", "more-hindi"])
def test_no_hindi_question_was_pasted_into_the_faq_in_any_script_or_spelling(
    faq: FAQ, path: Path
) -> None:
    """A Hindi question is not an FAQ phrasing in the other script or another spelling."""

    def key(text: str) -> str:
        return " ".join(term(w) for w in words(text))

    alternates = {key(a): e.id for e in faq.entries for a in e.alternates}
    leaks = [
        f"{path.name}:{c.line}: {c.question!r} is an alternate of {alternates[key(c.question)]}"
        for c in read_cases(path)
        if key(c.question) in alternates and len(key(c.question).split()) > 2
    ]
    assert not leaks, "\n".join(leaks)
