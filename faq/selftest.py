"""The checker's self-test: each phrasing, held out in turn, must still find its own entry."""

from __future__ import annotations

from faq.matcher import Answer, Clarify, Matcher, NoMatch, Urgent
from faq.problems import Problem, Severity

_HINTS: dict[str, str] = {
    "warning": "add phrasings in the same words to the right entry, or reword this one",
    "note": "nothing to fix; more phrasings in other words make the entry easier to find",
}


def self_test(matcher: Matcher) -> list[Problem]:
    """What each phrasing would get if it were not in the FAQ.

    A phrasing sent to another entry (or to the urgent reply) is a confusion, and a warning:
    the file teaches the bot two things at once. A phrasing that would get no answer at all
    is only a note: it is the one phrasing with its words ("good evening"), which is why it
    is worth having, and a patient who writes like it gets an honest fallback, not someone
    else's answer.
    """
    faq = matcher.faq
    problems: list[Problem] = []
    for entry in faq.entries:
        for number, phrasing in enumerate(entry.phrasings):
            decision = matcher.decide(phrasing, held_out=(entry.id, number))
            message = None
            severity: Severity = "warning"
            if isinstance(decision, Urgent):
                message = f"triggers the urgent rule {decision.rule!r}"
            elif isinstance(decision, Answer) and decision.match.entry.id != entry.id:
                own = next(
                    (
                        m.score
                        for m in matcher.rank(phrasing, held_out=(entry.id, number))
                        if m.entry is entry
                    ),
                    0.0,
                )
                message = (
                    f"leads to entry {decision.match.entry.id!r} ({decision.match.score:.2f}) "
                    f"instead of its own entry {entry.id!r} ({own:.2f})"
                )
            elif isinstance(decision, Clarify) and all(
                m.entry is not entry for m in decision.candidates
            ):
                others = ", ".join(f"{m.entry.id!r} ({m.score:.2f})" for m in decision.candidates)
                message = f"is confused with {others}, not its own entry {entry.id!r}"
            elif isinstance(decision, NoMatch):
                message = (
                    f"is the only phrasing of entry {entry.id!r} in its words: without it "
                    "such questions get no answer"
                )
                severity = "note"
            if message:
                line, col = faq.phrasing_locations.get((entry.id, number), (1, 1))
                problems.append(
                    Problem(
                        str(faq.path),
                        line,
                        col,
                        f"phrasing {phrasing!r} {message}",
                        _HINTS[severity],
                        severity=severity,
                    )
                )
    return problems


def self_test_summary(findings: list[Problem]) -> Problem:
    """One warning standing for every self-test confusion, located at the first of them, so
    the file's real problems are not drowned in the list."""
    first = min(findings)
    count = len(findings)
    return Problem(
        first.path,
        first.line,
        first.col,
        f"the self-test found {count} phrasing{'s' * (count != 1)} the bot could mistake "
        "for another entry (the first is here)",
        "run python -m faq check --verbose to list them; they do not stop the bot",
        severity="warning",
    )


def self_test_verdict(findings: list[Problem], notes: list[Problem], *, verbose: bool) -> str:
    """The self-test in one plain sentence for staff, whatever it found."""
    confusions = len(findings)
    if confusions:
        verdict = f"self-test: {confusions} phrasing{'s' * (confusions != 1)} could be mistaken"
        verdict += " for another entry"
    else:
        verdict = "self-test: every phrasing leads to its own entry or to none"
    if notes:
        count = len(notes)
        verdict += (
            f"; {count} phrasings are the only ones in their words"
            if count != 1
            else "; 1 phrasing is the only one in its words"
        )
        if not verbose:
            verdict += " (--verbose lists them)"
    return verdict
