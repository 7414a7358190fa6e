"""Staff reports over the bot's stored data (misses, stats, links, review), and
`python -m faq`: the FAQ's own commands with these added."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from faq import cli as faq_cli
from faq.loader import load_faq, resolve_path
from faq.matcher import matcher_for
from faq.shipped import load_served_faq
from records.store import DEFAULT_DATA_DIR, Store, StoreError, database_path
from staff.links import BadUsernameError, check_username, deep_link, write_qr_codes
from staff.misses import MissGroup, WishlistItem, group_misses, split_not_covered
from staff.posters import write_posters
from staff.review_cli import run_review
from staff.stats import collect_stats, render_text, write_html_report

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
DEFAULT_SINCE_DAYS = 30

Handler = Callable[[argparse.Namespace], int]


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--since",
        metavar="DAYS",
        type=_days,
        default=DEFAULT_SINCE_DAYS,
        help=f"look at the last DAYS days (default: {DEFAULT_SINCE_DAYS})",
    )
    data.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help=f"the bot's data directory (default: $BOT_DATA_DIR, else ./{DEFAULT_DATA_DIR})",
    )

    misses = sub.add_parser(
        "misses", parents=[common, data], help="group the questions the bot could not answer"
    )
    misses.set_defaults(handler=_guarded(cmd_misses))

    stats = sub.add_parser(
        "stats", parents=[common, data], help="answers, feedback and misses per entry and per day"
    )
    stats.add_argument(
        "--html", metavar="FILE", type=Path, help="also write the report as a web page"
    )
    stats.set_defaults(handler=_guarded(cmd_stats))

    review = sub.add_parser(
        "review",
        parents=[common, data],
        help="go through missed questions and teach the bot, one choice at a time",
    )
    review.set_defaults(handler=_guarded(cmd_review))

    links = sub.add_parser(
        "links", parents=[common], help="t.me links (and QR codes) that open the bot on an answer"
    )
    links.add_argument(
        "--bot-username",
        metavar="NAME",
        required=True,
        help="the bot's Telegram username, e.g. BuddhiClinicBot",
    )
    links.add_argument(
        "--qr", metavar="DIR", type=Path, help="write one QR code PNG per entry into DIR"
    )
    links.add_argument(
        "--posters",
        metavar="DIR",
        type=Path,
        help="write one printable A5 poster (PNG, 300 dpi) per entry into DIR",
    )
    links.set_defaults(handler=_guarded(cmd_links))


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days (1 or more)")
    return days


def _guarded(handler: Handler) -> Handler:
    """One clear line instead of a traceback when the database or a file lets us down."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except BrokenPipeError:
            raise  # the caller's business: output piped into `head`
        except (StoreError, sqlite3.Error, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR

    return run


def _data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None) is not None:
        path: Path = args.data_dir
        return path
    return Path(os.environ.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR)


def _faq_path(args: argparse.Namespace) -> Path:
    """The FAQ the bot with this data folder serves (see faq.loader.resolve_path)."""
    return resolve_path(getattr(args, "faq", None), _data_dir(args))


def _open_store(args: argparse.Namespace) -> Store | None:
    """The existing database, or None (after saying so): reports never create one."""
    data_dir = _data_dir(args)
    if not database_path(data_dir).is_file():
        print(
            f"error: no bot database in {data_dir} yet ({database_path(data_dir)} is missing); "
            "the bot creates it when it first runs. Use --data-dir if its data is elsewhere.",
            file=sys.stderr,
        )
        return None
    return Store(data_dir)


# -- misses ------------------------------------------------------------------------------


def cmd_misses(args: argparse.Namespace) -> int:
    faq = load_served_faq(_faq_path(args))
    store = _open_store(args)
    if store is None:
        return EXIT_ERROR
    with store:
        rows = store.misses(args.since)
    if not rows:
        print(f"No missed questions in the last {args.since} days.")
        return EXIT_OK
    wishlist, rest = split_not_covered(rows, matcher_for(faq))
    groups = group_misses(rest, matcher_for(faq))
    unanswered = sum(r.decision == "none" for r in rows)
    clarified = sum(r.decision == "clarify" for r in rows)
    print(
        f"Questions the bot did not answer in the last {args.since} days: {len(rows)} "
        f'({unanswered} unanswered, {clarified} "did you mean"), '
        f"{sum(i.count for i in wishlist)} of them on topics the FAQ does not cover; "
        f"the others in {len(groups)} group{'s' * (len(groups) != 1)}, largest first."
    )
    if wishlist:
        print()
        print(_wishlist_text(wishlist))
    for number, group in enumerate(groups, 1):
        print()
        print(_group_text(number, group))
    print()
    print(
        "To teach the bot a group: if the nearest entry answers those questions, add them\n"
        f"under that entry's `alternates:` in {faq.path}; otherwise write a new entry.\n"
        'Then run `python -m faq check`, and `python -m faq ask "<question>"` to see\n'
        "what the bot would now do."
    )
    return EXIT_OK


def _wishlist_text(items: list[WishlistItem]) -> str:
    lines = [
        "Asked about topics this FAQ does not cover (its `not_covered:` list); the bot said so\n"
        "and pointed to the clinic. A wishlist for new entries, most asked first:"
    ]
    for item in items:
        people = f"{item.people} {'person' if item.people == 1 else 'people'}"
        lines.append(f"- {item.topic} ({item.topic_id}): {item.count} from {people}")
        lines += [f'   "{text}"' for text in item.examples]
    return "\n".join(lines)


def _group_text(number: int, group: MissGroup) -> str:
    asked = f"{group.count} question{'s' * (group.count != 1)}"
    people = f"{group.people} {'person' if group.people == 1 else 'people'}"
    lines = [f"{number}. {asked} from {people}"]
    if group.looks_urgent:
        lines.append(
            "   ⚠ FOR THE ENGINEERS: emergency words the urgent screen did not catch. "
            "Check these first; do not add them as alternates."
        )
    lines += [f'   "{text}"' for text in group.examples]
    if group.nearest_id is None:
        lines.append("   nearest: none (no entry shares a word with these)")
    else:
        lines.append(f"   nearest: {group.nearest_id} ({group.nearest_score:.2f})")
    return "\n".join(lines)


# -- review ------------------------------------------------------------------------------


def cmd_review(args: argparse.Namespace) -> int:
    return run_review(_faq_path(args), _data_dir(args), args.since, sys.stdin, sys.stdout)


# -- stats -------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    faq = load_served_faq(_faq_path(args))
    store = _open_store(args)
    if store is None:
        return EXIT_ERROR
    with store:
        stats = collect_stats(store, faq, args.since)
    print(render_text(stats))
    if args.html is not None:
        write_html_report(stats, args.html)
        print(f"\nReport written to {args.html}; open it in a web browser.")
    return EXIT_OK


# -- links -------------------------------------------------------------------------------


def cmd_links(args: argparse.Namespace) -> int:
    try:
        username = check_username(args.bot_username)
    except BadUsernameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    faq = load_faq(_faq_path(args))
    for entry in faq.entries:
        print(f"{entry.id}\t{deep_link(username, entry.id)}")
    if args.qr is not None:
        paths = write_qr_codes(faq, username, args.qr)
        print(
            f"Wrote {len(paths)} QR codes to {args.qr} (one <entry-id>.png per entry).",
            file=sys.stderr,
        )
    if args.posters is not None:
        paths = write_posters(faq, username, args.posters)
        print(
            f"Wrote {len(paths)} A5 posters to {args.posters} "
            "(one <entry-id>-poster.png per entry, 300 dpi).",
            file=sys.stderr,
        )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return faq_cli.main(argv, add_commands)
