"""YAML syntax errors in the words of the mistake staff actually made.

PyYAML describes what its parser expected ("could not find expected ':'") and often where
it noticed, a line after the mistake. The layout of the lines around the error tells the
usual causes apart: a line indented too far, a missing ':' after a key, a list item
without its '- ', curly quotes from a word processor used as quotes, a ':' inside text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

CURLY_QUOTES = "\u201c\u201d\u2018\u201e"  # “ ” ‘ „  (’ is left out: it is an apostrophe)
_KEY_BEFORE_COLON = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*$")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][A-Za-z0-9_-]*):(\s|$)")
_FIRST_WORD = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass(frozen=True)
class SyntaxReport:
    line: int  # 1-based
    col: int  # 1-based
    message: str
    hint: str


def describe(text: str, exc: yaml.MarkedYAMLError, known_keys: frozenset[str]) -> SyntaxReport:
    """Where the mistake is and what it is, for a YAML syntax error in `text`."""
    lines = text.split("\n")
    problem = (exc.problem or "").lower()
    found = _recognised(lines, exc, problem, known_keys)
    if found is not None:
        return found
    mark = exc.problem_mark or exc.context_mark
    # "found unexpected end of stream" is found at the end of the file; where the unclosed
    # quote or bracket opened (the context) is what staff need.
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
    return SyntaxReport(line, col, f"YAML syntax error: {message}", _generic_hint(problem))


def _recognised(
    lines: list[str], exc: yaml.MarkedYAMLError, problem: str, known_keys: frozenset[str]
) -> SyntaxReport | None:
    pm, cm = exc.problem_mark, exc.context_mark
    if "mapping values are not allowed" in problem and pm is not None:
        return _colon_where_not_allowed(lines, pm.line, pm.column, known_keys)
    if "could not find expected ':'" in problem and cm is not None:
        return _line_without_colon(lines, cm.line, known_keys)
    if "expected <block end>" in problem and pm is not None and cm is not None:
        return _item_without_dash(lines, cm.line, cm.column, pm.line, pm.column)
    return None


def _colon_where_not_allowed(
    lines: list[str], row: int, col: int, known_keys: frozenset[str]
) -> SyntaxReport | None:
    text = lines[row] if row < len(lines) else ""
    quote = next((i for i, ch in enumerate(text) if ch in CURLY_QUOTES), None)
    if quote is not None:
        return SyntaxReport(
            row + 1,
            quote + 1,
            "YAML syntax error: curly quotes \u201c \u201d are not quotes to YAML, so the "
            "':' inside this text breaks the line",
            'retype the quotes as straight ones ("...") in a plain-text editor; curly '
            "quotes come from Word or a web page",
        )
    before = _KEY_BEFORE_COLON.match(text[:col])
    if before and before.group(2) in known_keys:
        above = _line_above(lines, row)
        if above is not None and _indent(lines[above]) < len(before.group(1)):
            key_above = _KEY_LINE.match(lines[above])
            target = f" with '{key_above.group(2)}:'" if key_above else ""
            return SyntaxReport(
                row + 1,
                len(before.group(1)) + 1,
                f"YAML syntax error: '{before.group(2)}:' is indented further than the line above",
                f"line it up{target} on line {above + 1}, with the same number of spaces",
            )
    return None  # a ':' inside text: the generic report says so


def _line_without_colon(
    lines: list[str], row: int, known_keys: frozenset[str]
) -> SyntaxReport | None:
    text = lines[row] if row < len(lines) else ""
    first = _FIRST_WORD.match(text)
    if first is None:
        return None
    indent = len(first.group(1))
    above = _line_above(lines, row)
    if (
        first.group(2) is None
        and above is not None
        and len(lines[above]) - len(lines[above].lstrip(" ")) == indent
        and lines[above].lstrip().startswith("- ")
    ):
        return SyntaxReport(
            row + 1,
            indent + 1,
            "YAML syntax error: this list item has no '- ' in front of it",
            "start the line with '- ' like the items above it",
        )
    word = first.group(3)
    if word in known_keys:
        return SyntaxReport(
            row + 1,
            indent + (len(first.group(2) or "")) + len(word) + 1,
            f"YAML syntax error: there is no ':' after {word!r}",
            f"write '{word}: ' and then the text",
        )
    return SyntaxReport(
        row + 1,
        indent + 1,
        "YAML syntax error: this line is not 'key: value' and not a '- ' list item",
        "add the missing ':' after the key, or '- ' before a list item; text that goes on "
        "from the line above must be indented further",
    )


def _item_without_dash(
    lines: list[str], list_row: int, list_col: int, row: int, col: int
) -> SyntaxReport | None:
    opening = lines[list_row] if list_row < len(lines) else ""
    text = lines[row] if row < len(lines) else ""
    if (
        col == list_col
        and opening[list_col : list_col + 1] == "-"
        and not text[col:].startswith("-")
    ):
        return SyntaxReport(
            row + 1,
            col + 1,
            "YAML syntax error: this line lines up with the '- ' items above but has no '- '",
            "to start a new item, put '- ' in front; otherwise indent it like the lines above",
        )
    return None


def _line_above(lines: list[str], row: int) -> int | None:
    """The nearest line above `row` with content (not blank, not only a comment)."""
    for above in range(min(row, len(lines)) - 1, -1, -1):
        stripped = lines[above].strip()
        if stripped and not stripped.startswith("#"):
            return above
    return None


def _indent(line: str) -> int:
    """Where a line's content starts; for a '- key:' line, where the key starts."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if stripped.startswith("- "):
        indent += 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" "))
    return indent


def _generic_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a ':' inside text needs the whole text in quotes"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one above"
    if "found character" in problem and "\\t" in problem:
        return "use spaces, not tabs"
    if "unclosed" in problem or "end of stream" in problem:
        return "a quote or bracket is not closed"
    return "compare this line with a correct entry above it"
