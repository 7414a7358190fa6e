"""The checker's self-test: each phrasing, held out in turn, must still find its own entry."""

from __future__ import annotations

from faq.matcher import Answer, Clarify, Matcher, NoMatch, Urgent
from faq.problems import Problem


def self_test(matcher: Matcher) -> list[Problem]:
    """Warnings for phrasings the matcher would send elsewhere if they were not in the FAQ."""
    faq = matcher.faq
    problems: list[Problem] = []
    for entry in faq.entries:
        for number, phrasing in enumerate(entry.phrasings):
            decision = matcher.decide(phrasing, held_out=(entry.id, number))
            message = None
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
                message = f"would not be recognised as entry {entry.id!r} on its own"
            if message:
                line, col = faq.phrasing_locations.get((entry.id, number), (1, 1))
                problems.append(
                    Problem(
                        str(faq.path),
                        line,
                        col,
                        f"phrasing {phrasing!r} {message}",
                        "add phrasings in the same words to the right entry, or reword this one",
                        severity="warning",
                    )
                )
    return problems


def self_test_summary(findings: list[Problem]) -> Problem:
    """One warning standing for every self-test finding, located at the first of them, so
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
