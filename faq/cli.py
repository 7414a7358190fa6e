"""The staff command line: python -m faq {check,ask,eval,dump,...}.

Output formats here are a contract other tools rely on; keep names and fields stable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeAlias

from dotenv import load_dotenv

from faq.content_checks import content_warnings
from faq.evaluate import CATEGORIES, EvalFileError, evaluate, read_cases, unknown_ids
from faq.loader import check_faq, resolve_path
from faq.matcher import Answer, Clarify, Decision, Match, NoMatch, Urgent, matcher_for
from faq.model import FAQ
from faq.problems import FAQError
from faq.reader import FaqLimits
from faq.selftest import self_test, self_test_summary, self_test_verdict
from faq.shipped import load_served_faq, missing_shipped_entries, with_shipped_urgent_rules
from faq.translation_check import add_translation_problems
from faq.translations import Translation, with_translations

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


# A string: argparse's subparsers type cannot be subscripted at run time on Python 3.11.
AddCommands: TypeAlias = (
    "Callable[[argparse._SubParsersAction[argparse.ArgumentParser], argparse.ArgumentParser],"
    " None]"
)


def main(argv: Sequence[str] | None = None, more: AddCommands | None = None) -> int:
    """The FAQ's own commands (check, ask, eval, dump); `more` adds other packages' ones
    (the staff tools add theirs: `python -m faq` offers both)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    # The same .env the bot reads (FAQ_PATH, BOT_DATA_DIR), so staff commands look at the
    # files the running bot uses; real environment variables still win.
    load_dotenv(Path.cwd() / ".env", override=False)
    args = _parser(more).parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except FAQError as exc:
        print(exc, file=sys.stderr)
        print("The FAQ has errors; run `python -m faq check` for details.", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK


def _parser(more: AddCommands | None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own --faq must not reset one given before the subcommand.
    common.add_argument(
        "--faq",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="FAQ file (default: $FAQ_PATH, else the bot's own copy, $BOT_DATA_DIR/faq.yaml)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m faq",
        description="Check, try out and measure the dystonia FAQ.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", parents=[common], help="validate the FAQ file")
    check.add_argument("path", nargs="?", help="FAQ file to check")
    check.add_argument(
        "--no-self-test", action="store_true", help="skip the held-out phrasing self-test"
    )
    check.add_argument("-v", "--verbose", action="store_true", help="list every self-test finding")
    check.set_defaults(handler=cmd_check)

    ask = sub.add_parser("ask", parents=[common], help="show what the bot would decide")
    ask.add_argument("question", nargs="*", help="the question; '-' reads one per line from stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.set_defaults(handler=cmd_ask)

    ev = sub.add_parser("eval", parents=[common], help="score the matcher on a labelled TSV")
    ev.add_argument("file", type=Path, help="TSV with columns question, accept, category")
    ev.add_argument("--misses", action="store_true", help="list every question not handled right")
    ev.set_defaults(handler=cmd_eval)

    dump = sub.add_parser("dump", parents=[common], help="print the loaded FAQ")
    dump.add_argument("--json", action="store_true", help="JSON output (the only format)")
    dump.set_defaults(handler=cmd_dump)

    if more is not None:
        more(sub, common)
    return parser


def _faq(args: argparse.Namespace) -> FAQ:
    """The FAQ as the bot would serve it, the shipped urgent rules it lacks included."""
    return load_served_faq(getattr(args, "faq", None))


# -- check -------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    path = resolve_path(args.path or getattr(args, "faq", None))
    try:
        limits = FaqLimits.from_env()
    except ValueError as exc:
        print(f"invalid setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    faq, problems = check_faq(path, limits=limits)
    problems = [*problems, *content_warnings(faq), *missing_shipped_entries(faq)]
    faq, problems = add_translation_problems(faq, problems, verbose=args.verbose)
    # The self-test and the counts describe what the bot would serve.
    faq = None if faq is None else with_shipped_urgent_rules(faq)
    tested = [] if faq is None or args.no_self_test else self_test(matcher_for(faq))
    findings = [p for p in tested if p.severity == "warning"]
    notes = [p for p in tested if p.severity == "note"]
    if args.verbose:
        shown = sorted([*problems, *tested])
    else:
        shown = sorted([*problems, *([self_test_summary(findings)] if findings else [])])
    for problem in shown:
        print(problem)
    if faq is None:
        errors = sum(p.severity == "error" for p in problems)
        print(f"{path}: {errors} error{'s' * (errors != 1)}; the bot keeps using the last good FAQ")
        return EXIT_INVALID
    warnings = sum(p.severity != "note" for p in problems) + len(findings)
    phrasings = sum(len(e.phrasings) for e in faq.entries)
    applied = len(faq.urgent_from_shipped)
    from_shipped = f" ({applied} applied from the shipped FAQ)" if applied else ""
    print(
        f"{path}: OK: {len(faq.entries)} entries, {phrasings} phrasings, "
        f"{len(faq.topics)} topics, {len(faq.urgent_rules)} urgent rules{from_shipped}, "
        f"{len(faq.references)} references; {warnings} warning{'s' * (warnings != 1)}"
    )
    if not args.no_self_test:
        print(self_test_verdict(findings, notes, verbose=args.verbose))
    return EXIT_OK


# -- ask ---------------------------------------------------------------------------------


def decision_json(query: str, decision: Decision) -> dict[str, Any]:
    def pair(m: Match) -> dict[str, Any]:
        return {"id": m.entry.id, "score": m.score}

    if isinstance(decision, Urgent):
        return {"query": query, "decision": "urgent", "id": None, "score": 1.0, "suggestions": []}
    if isinstance(decision, Answer):
        m = decision.match
        return {
            "query": query,
            "decision": "answer",
            "id": m.entry.id,
            "score": m.score,
            "suggestions": [],
        }
    if isinstance(decision, Clarify):
        return {
            "query": query,
            "decision": "clarify",
            "id": None,
            "score": decision.candidates[0].score,
            "suggestions": [pair(m) for m in decision.candidates],
        }
    best = decision.nearest[0].score if decision.nearest else 0.0
    out: dict[str, Any] = {
        "query": query,
        "decision": "none",
        "id": None,
        "score": best,
        "suggestions": [],
    }
    if decision.not_covered is not None:
        out["not_covered"] = decision.not_covered.id
    return out


def decision_text(query: str, decision: Decision) -> str:
    lines = [f"? {query}"]
    if isinstance(decision, Urgent):
        lines.append(f"  urgent: rule {decision.rule!r} fired; the urgent-care reply is sent")
    elif isinstance(decision, Answer):
        m = decision.match
        lines.append(f'  answer: {m.entry.id} (score {m.score:.2f}) "{m.entry.question}"')
        if decision.runners_up:
            lines.append("  runners-up: " + _matches(decision.runners_up))
    elif isinstance(decision, Clarify):
        lines.append("  clarify: did you mean " + _matches(decision.candidates))
    else:
        assert isinstance(decision, NoMatch)
        nearest = f"; nearest: {_matches(decision.nearest)}" if decision.nearest else ""
        if decision.not_covered is not None:
            topic = decision.not_covered
            lines.append(f"  none: not covered, {topic.id!r} ({topic.topic}); its reply is sent")
        else:
            lines.append(f"  none: the fallback is sent{nearest}")
    return "\n".join(lines)


def _matches(matches: Iterable[Match]) -> str:
    return ", ".join(f"{m.entry.id} ({m.score:.2f})" for m in matches)


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterable[str]:
    if args.question == ["-"] or (not args.question and not stdin.isatty()):
        for line in stdin:
            yield line.rstrip("\r\n")
    elif args.question:
        yield " ".join(args.question)
    else:
        print("Type a question (an empty line or Ctrl-D ends).", file=sys.stderr)
        while True:
            try:
                line = input("> ")
            except EOFError:
                return
            if not line.strip():
                return
            yield line


def cmd_ask(args: argparse.Namespace) -> int:
    matcher = matcher_for(_faq(args))
    for question in _questions(args, sys.stdin):
        decision = matcher.decide(question)
        if args.json:
            print(json.dumps(decision_json(question, decision), ensure_ascii=False), flush=True)
        else:
            print(decision_text(question, decision), flush=True)
    return EXIT_OK


# -- eval --------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    matcher = matcher_for(_faq(args))
    try:
        cases = read_cases(args.file)
    except EvalFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    unknown = unknown_ids(matcher, cases)
    if unknown:
        print(
            f"warning: labels name ids the FAQ lacks: {', '.join(sorted(unknown))}", file=sys.stderr
        )
    report = evaluate(matcher, cases)
    if args.misses:
        for category in CATEGORIES:
            misses = [o for o in report.misses if o.case.category == category]
            for o in misses:
                expected = ",".join(sorted(o.case.accept))
                print(
                    f"{args.file}:{o.case.line}: [{category}] {o.case.question!r}\n"
                    f"    expected {expected}; got {o.describe()}"
                )
        print()
    for line in report.summary_lines():
        print(line)
    return EXIT_OK


# -- dump --------------------------------------------------------------------------------


def faq_json(faq: FAQ) -> dict[str, Any]:
    return {
        "path": str(faq.path),
        "clinic": {"name": faq.clinic.name, "contact": faq.clinic.contact_text},
        "disclaimer": faq.disclaimer,
        "urgent": {
            "message": faq.fill(faq.urgent_message),
            "rules": [
                {
                    "name": r.name,
                    "any": list(r.any),
                    "all_of": list(r.all_of),
                    "unless": list(r.unless),
                }
                for r in faq.urgent_rules
            ],
            # rules the file lacks, screened for from the shipped FAQ (faq/shipped.py)
            "applied_from_shipped": list(faq.urgent_from_shipped),
        },
        "fallback": faq.fill(faq.fallback),
        "topics": [{"id": t.id, "title": t.title} for t in faq.topics],
        "matching": {
            "answer_threshold": faq.thresholds.answer,
            "clarify_threshold": faq.thresholds.clarify,
            "margin": faq.thresholds.margin,
        },
        "synonyms": [list(g) for g in faq.synonyms],
        "entries": [
            {
                "id": e.id,
                "topic": e.topic,
                "kind": e.kind,
                "question": e.question,
                "alternates": list(e.alternates),
                "answer": faq.fill(e.answer),
                "references": [r.citation for r in e.references],
                "see_also": list(e.see_also),
            }
            for e in faq.entries
        ],
        "translations": {language: translation_json(t) for language, t in faq.translations.items()},
    }


def translation_json(translation: Translation) -> dict[str, Any]:
    """One language's wording as written (placeholders such as {contact} left in)."""
    return {
        "path": str(translation.path),
        "texts": {
            k: {"text": v.text, "reviewed": v.reviewed} for k, v in translation.texts.items()
        },
        "topics": {
            k: {"title": v.text, "reviewed": v.reviewed} for k, v in translation.topics.items()
        },
        "entries": {
            k: {"question": v.question, "answer": v.answer, "reviewed": v.reviewed}
            for k, v in translation.entries.items()
        },
        "not_covered": {
            k: {"reply": v.text, "reviewed": v.reviewed} for k, v in translation.not_covered.items()
        },
    }


def cmd_dump(args: argparse.Namespace) -> int:
    faq, problems = with_translations(_faq(args))
    if any(p.severity == "error" for p in problems):
        raise FAQError(problems)
    print(json.dumps(faq_json(faq), ensure_ascii=False, indent=2))
    return EXIT_OK
