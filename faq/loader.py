"""Reads the FAQ YAML and validates every part of it, reporting problems as path:line:col.

Staff edit this file by hand, so the checker is strict but explains itself: every problem
carries the line and column where it is, and a hint when one helps. YAML is only *composed*
(parsed into nodes), never constructed into Python objects, so a tag such as
``!!python/object`` can never run code; values are read from the nodes directly.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import yaml
from rapidfuzz import process

from faq.limits import MESSAGE_LIMIT, answer_message_length
from faq.model import (
    CONTACT_PLACEHOLDER,
    FAQ,
    Clinic,
    Entry,
    EntryKind,
    NotCovered,
    Reference,
    Thresholds,
    Topic,
    UrgentRule,
)
from faq.problems import FAQError, Problem, Severity
from faq.text import words
from faq.urgent import compile_pattern

DEFAULT_FAQ_PATH = Path(__file__).parent / "data" / "faq.yaml"
MIN_ALTERNATES = 8
# Buttons carry "a:<id>" and similar in 64 bytes of callback data; ids stay well inside that.
MAX_ID_LENGTH = 48
MAX_TOPIC_TITLE = 40

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")
# Text damaged by a wrong character-set conversion: Thai letters standing in for quotes
# (the source post's "they\u0e42re"), UTF-8 read as Windows-1252 ("â€™", "Ã©"), or the
# replacement character left where a byte could not be decoded.
_MOJIBAKE = re.compile(r"[\u0e00-\u0e7f\ufffd]|â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_PLAIN_TAGS = frozenset(
    {
        _STR,
        _INT,
        _FLOAT,
        _NULL,
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:timestamp",
    }
)

T = TypeVar("T")

TOP_KEYS_REQUIRED = (
    "version",
    "clinic",
    "disclaimer",
    "urgent",
    "fallback",
    "topics",
    "references",
    "entries",
)
TOP_KEYS_OPTIONAL = ("matching", "synonyms", "not_covered")
ENTRY_KEYS_REQUIRED = ("id", "topic", "question", "alternates", "answer")
ENTRY_KEYS_OPTIONAL = ("kind", "references", "see_also")
CLINIC_KEYS = ("phone", "email", "address", "hours", "website")


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    """An explicit path wins, then the FAQ_PATH environment variable, then the shipped FAQ."""
    if path:
        return Path(path)
    from_env = os.environ.get("FAQ_PATH", "").strip()
    return Path(from_env) if from_env else DEFAULT_FAQ_PATH


def load_faq(path: str | os.PathLike[str] | None = None) -> FAQ:
    """The validated FAQ, or FAQError listing every error. Warnings are not raised."""
    faq, problems = check_faq(path)
    if faq is None:
        raise FAQError(problems)
    return faq


def check_faq(
    path: str | os.PathLike[str] | None = None, raw: bytes | None = None
) -> tuple[FAQ | None, list[Problem]]:
    """Every problem in the file (errors and warnings), and the FAQ if there were no errors.

    `raw` is the file's content when the caller has already read it, so that exactly the
    bytes it fingerprinted are the ones checked.
    """
    where = resolve_path(path)
    text, problems = _read_text(where, raw)
    if text is None:
        return None, problems
    parser = _Parser(str(where), text)
    faq = parser.parse()
    problems = sorted([*problems, *parser.problems])
    if any(p.severity == "error" for p in problems):
        return None, problems
    return faq, problems


def _read_text(path: Path, raw: bytes | None = None) -> tuple[str | None, list[Problem]]:
    name = str(path)

    def fail(
        message: str, line: int = 1, col: int = 1, hint: str = ""
    ) -> tuple[None, list[Problem]]:
        return None, [Problem(name, line, col, message, hint)]

    try:
        raw = path.read_bytes() if raw is None else raw
    except FileNotFoundError:
        return fail("file not found", hint="check the path, or set FAQ_PATH")
    except OSError as exc:
        return fail(f"cannot read the file: {exc.strerror or exc}")
    if not raw.strip():
        return fail("the file is empty", hint="restore the last good version from backup or git")
    if b"\x00" in raw:
        return fail(
            "this is a binary file, not YAML text",
            hint="save the FAQ as plain text (UTF-8), not as a word-processor document",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return fail(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} is invalid here)",
            line,
            col,
            hint="save the file with UTF-8 encoding",
        )
    # YAML treats these as line breaks, so one pasted into an answer cuts it short and
    # leads to a baffling syntax error further on; name the real culprit instead.
    breaks = [
        Problem(
            name,
            n,
            col + 1,
            f"invisible line-break character U+{ord(ch):04X}",
            "delete it; it usually comes from text copied out of Word or a web page",
        )
        for n, line in enumerate(text.split("\n"), start=1)
        for col, ch in enumerate(line)
        if ch in "\u2028\u2029\x85"
    ]
    if breaks:
        return None, breaks
    tabs = [
        Problem(name, n, line.index("\t") + 1, "tab character", "YAML needs spaces for indentation")
        # split("\n"), not splitlines(): YAML and editors count only line feeds as lines.
        for n, line in enumerate(text.split("\n"), start=1)
        if "\t" in line
    ]
    return (None, tabs) if tabs else (text, [])


class _Parser:
    """Walks the composed YAML nodes, collecting problems and building the FAQ."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self._seen_nodes: set[int] = set()

    # -- reporting -------------------------------------------------------------------

    def report(
        self, node: yaml.Node, message: str, hint: str = "", severity: Severity = "error"
    ) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.path, mark.line + 1, mark.column + 1, message, hint, severity)
        )

    def report_at(self, index: int, message: str, hint: str = "") -> None:
        line = self.text.count("\n", 0, index) + 1
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        self.problems.append(Problem(self.path, line, col, message, hint))

    # -- typed readers -----------------------------------------------------------------

    def _visit(self, node: yaml.Node) -> bool:
        if node.tag not in _PLAIN_TAGS:
            self.report(node, f"YAML tag {node.tag!r} is not allowed", "remove the '!' tag")
            return False
        if id(node) in self._seen_nodes:
            self.report(node, "YAML aliases (*name) are not supported", "write the value out")
            return False
        self._seen_nodes.add(id(node))
        return True

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, yaml.Node] | None:
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.report(node, f"{what} must be a mapping of 'key: value' lines")
            return None
        out: dict[str, yaml.Node] = {}
        allowed = (*required, *optional)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or not key:
                self.report(key_node, f"{what} has a key that is not a plain word")
                continue
            if key in out:
                self.report(key_node, f"duplicate key {key!r} in {what}", "keep only one")
                continue
            if allowed and key not in allowed:
                guess = process.extractOne(key, allowed, score_cutoff=70)
                hint = f"did you mean {guess[0]!r}?" if guess else "allowed: " + ", ".join(allowed)
                self.report(key_node, f"unknown key {key!r} in {what}", hint)
                continue
            out[key] = value_node
        for key in required:
            if key not in out and all(k.value != key for k, _ in node.value):
                self.report(node, f"{what} is missing the required key {key!r}")
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, f"{what} must be a list (lines starting with '- ')")
            return None
        return list(node.value)

    def string(self, node: yaml.Node, what: str, *, allow_empty: bool = False) -> str | None:
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, f"{what} must be text, not a list or mapping")
            return None
        value = "" if node.tag == _NULL else str(node.value)
        if not value.strip() and not allow_empty:
            self.report(node, f"{what} is empty")
            return None
        if bad := _MOJIBAKE.search(value):
            self._report_mojibake(node, bad.group())
            return None
        return value.strip()

    def number(self, node: yaml.Node, what: str, low: float, high: float) -> float | None:
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_INT, _FLOAT):
            self.report(node, f"{what} must be a number")
            return None
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.report(node, f"{what} must be a plain number such as 0.45, not {node.value!r}")
            return None
        if not low <= value <= high:
            self.report(node, f"{what} must be between {low:g} and {high:g}, not {value:g}")
            return None
        return value

    def string_list(self, fields: dict[str, yaml.Node], key: str) -> list[tuple[yaml.Node, str]]:
        """The items of an optional list of texts under `key`, with their nodes."""
        empty: list[tuple[yaml.Node, str]] = []
        return self.optional(fields, key, lambda n: list(self.strings(n, key)), empty)

    def strings(self, node: yaml.Node, what: str) -> Iterator[tuple[yaml.Node, str]]:
        for item in self.sequence(node, what) or ():
            value = self.string(item, f"each item of {what}")
            if value is not None:
                yield item, value

    def _report_mojibake(self, node: yaml.Node, bad: str) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        found = self.text.find(bad, start, max(end, start + 1))
        message = f"garbled characters {bad!r}: text damaged by a wrong character encoding"
        hint = "retype the quotes, apostrophes and dashes around it"
        if found >= 0:
            self.report_at(found, message, hint)
        else:
            self.report(node, message, hint)

    def optional(
        self,
        fields: dict[str, yaml.Node],
        key: str,
        read: Callable[[yaml.Node], T | None],
        default: T,
    ) -> T:
        node = fields.get(key)
        if node is None:
            return default
        value = read(node)
        return default if value is None else value

    # -- the document ------------------------------------------------------------------

    def parse(self) -> FAQ | None:
        try:
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            # "found unexpected end of stream" is found at the end of the file; where the
            # unclosed quote or bracket opened (the context) is what staff need.
            if "end of stream" in (exc.problem or "") and exc.context_mark is not None:
                mark = exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
            self.problems.append(
                Problem(self.path, line, col, f"YAML syntax error: {message}", _syntax_hint(exc))
            )
            return None
        except yaml.reader.ReaderError as exc:
            # A character YAML does not allow, such as a word processor's line break.
            self.report_at(
                exc.position,
                f"character {exc.character!r} is not allowed in YAML",
                "delete it, or retype the line in a plain-text editor",
            )
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.path, 1, 1, f"YAML error: {exc}"))
            return None
        except RecursionError:
            self.problems.append(
                Problem(self.path, 1, 1, "the file is nested far too deeply to be an FAQ")
            )
            return None
        if root is None:
            self.problems.append(Problem(self.path, 1, 1, "the file holds no YAML content"))
            return None
        top = self.mapping(root, "the top level", TOP_KEYS_REQUIRED, TOP_KEYS_OPTIONAL)
        if top is None:
            return None
        if "version" in top:
            version = self.number(top["version"], "version", 1, 1)
            del version  # only version 1 exists; the check above is the point
        clinic = self._clinic(top["clinic"]) if "clinic" in top else None
        disclaimer = self.string(top["disclaimer"], "disclaimer") if "disclaimer" in top else None
        urgent = self._urgent(top["urgent"]) if "urgent" in top else None
        fallback = self.string(top["fallback"], "fallback") if "fallback" in top else None
        for key, text in (("disclaimer", disclaimer), ("fallback", fallback)):
            if text is not None:
                self._check_placeholders(top[key], text, f"the {key}")
        topics = self._topics(top["topics"]) if "topics" in top else {}
        thresholds = self.optional(top, "matching", self._thresholds, Thresholds())
        no_synonyms: tuple[tuple[str, ...], ...] = ()
        synonyms = self.optional(top, "synonyms", self._synonyms, no_synonyms)
        references = self._references(top["references"]) if "references" in top else {}
        entries = self._entries(top["entries"], topics, references) if "entries" in top else []
        not_covered = self._not_covered(top["not_covered"]) if "not_covered" in top else ()
        if self.problems and any(p.severity == "error" for p in self.problems):
            return None
        assert clinic
        assert disclaimer
        assert urgent
        assert fallback is not None
        faq = FAQ(
            path=Path(self.path),
            clinic=clinic,
            disclaimer=disclaimer,
            urgent_message=urgent[0],
            urgent_rules=urgent[1],
            fallback=fallback,
            topics=tuple(topic for topic, _ in topics.values()),
            thresholds=thresholds,
            synonyms=synonyms,
            references=tuple(ref for ref, _ in references.values()),
            entries=tuple(entry for entry, _ in entries),
            not_covered=not_covered,
            phrasing_locations=MappingProxyType(_phrasing_locations(entries)),
        )
        self._check_whole(faq, entries, topics, references)
        if any(p.severity == "error" for p in self.problems):
            return None
        return faq

    def _check_placeholders(self, node: yaml.Node, text: str, what: str) -> None:
        for bad in _PLACEHOLDER.finditer(text):
            if bad.group() != CONTACT_PLACEHOLDER:
                self.report(
                    node,
                    f"unknown placeholder {bad.group()} in {what}",
                    f"the only placeholder is {CONTACT_PLACEHOLDER}",
                )

    def _clinic(self, node: yaml.Node) -> Clinic | None:
        fields = self.mapping(node, "clinic", ("name", "contact_missing"), CLINIC_KEYS)
        if fields is None:
            return None
        name = self.string(fields["name"], "clinic name") if "name" in fields else None
        missing = (
            self.string(fields["contact_missing"], "clinic contact_missing")
            if "contact_missing" in fields
            else None
        )
        details = {
            key: self.string(fields[key], f"clinic {key}", allow_empty=True) or ""
            for key in CLINIC_KEYS
            if key in fields
        }
        if name is None or missing is None:
            return None
        return Clinic(name=name, contact_missing=missing, **details)

    def _urgent(self, node: yaml.Node) -> tuple[str, tuple[UrgentRule, ...]] | None:
        fields = self.mapping(node, "urgent", ("message", "rules"))
        if fields is None:
            return None
        message = self.string(fields["message"], "urgent message") if "message" in fields else None
        if message is not None:
            self._check_placeholders(fields["message"], message, "the urgent message")
        rules: list[UrgentRule] = []
        rule_nodes = self.sequence(fields["rules"], "urgent rules") if "rules" in fields else None
        for rule_node in rule_nodes or ():
            rule = self._urgent_rule(rule_node)
            if rule:
                rules.append(rule)
        if "rules" in fields and not rules and not self.problems:
            self.report(fields["rules"], "the urgent screen needs at least one rule")
        if message is None or not rules:
            return None
        return message, tuple(rules)

    def _urgent_rule(self, node: yaml.Node) -> UrgentRule | None:
        fields = self.mapping(node, "an urgent rule", ("name", "any"), ("all_of",))
        if fields is None:
            return None
        name = self.string(fields["name"], "urgent rule name") if "name" in fields else None
        any_of = [self._pattern(n, p) for n, p in self.string_list(fields, "any")]
        all_of = [self._pattern(n, p) for n, p in self.string_list(fields, "all_of")]
        if "any" in fields and not any_of:
            self.report(fields["any"], "an urgent rule needs at least one pattern under 'any'")
        if name is None or not any_of or None in any_of or None in all_of:
            return None
        return UrgentRule(
            name=name,
            any=tuple(p for p in any_of if p),
            all_of=tuple(p for p in all_of if p),
        )

    def _pattern(self, node: yaml.Node, pattern: str) -> str | None:
        if any(mark in pattern for mark in "'’‘"):
            self.report(
                node,
                "an urgent pattern cannot contain an apostrophe: messages are screened "
                "with apostrophes removed, so it would never match",
                "write cant, dont, im instead of can't, don't, i'm",
            )
            return None
        try:
            compiled = compile_pattern(pattern)
        except re.error as exc:
            # Only plain and single-quoted one-line patterns map character for character
            # onto the file; elsewhere (escapes, folded lines) point at the pattern itself.
            style = getattr(node, "style", None)
            pos = (exc.pos or 0) + (1 if style == "'" else 0)
            if style in (None, "'") and node.start_mark.line == node.end_mark.line:
                self.report_at(node.start_mark.index + pos, f"invalid urgent pattern: {exc.msg}")
            else:
                self.report(node, f"invalid urgent pattern: {exc.msg}")
            return None
        if compiled.search("") is not None:
            self.report(
                node,
                "this urgent pattern matches empty text, so every message would be urgent",
                "make it require at least one word",
            )
            return None
        return pattern

    def _topics(self, node: yaml.Node) -> dict[str, tuple[Topic, yaml.Node]]:
        topics: dict[str, tuple[Topic, yaml.Node]] = {}
        for item in self.sequence(node, "topics") or ():
            fields = self.mapping(item, "a topic", ("id", "title"))
            if not fields or "id" not in fields or "title" not in fields:
                continue
            topic_id = self._id(fields["id"], "topic id")
            title = self.string(fields["title"], "topic title")
            if topic_id is None or title is None:
                continue
            if len(title) > MAX_TOPIC_TITLE:
                self.report(
                    fields["title"],
                    f"topic title is {len(title)} characters; buttons show {MAX_TOPIC_TITLE}",
                    "shorten it",
                )
            if topic_id in topics:
                first = topics[topic_id][1].start_mark.line + 1
                self.report(
                    fields["id"], f"duplicate topic id {topic_id!r} (first on line {first})"
                )
                continue
            topics[topic_id] = (Topic(topic_id, title), fields["id"])
        if not topics and not self.problems:
            self.report(node, "at least one topic is needed")
        return topics

    def _thresholds(self, node: yaml.Node) -> Thresholds | None:
        fields = self.mapping(
            node, "matching", (), ("answer_threshold", "clarify_threshold", "margin")
        )
        if fields is None:
            return None
        default = Thresholds()
        answer = self.optional(
            fields,
            "answer_threshold",
            lambda n: self.number(n, "answer_threshold", 0.05, 1.0),
            default.answer,
        )
        clarify = self.optional(
            fields,
            "clarify_threshold",
            lambda n: self.number(n, "clarify_threshold", 0.05, 1.0),
            default.clarify,
        )
        margin = self.optional(
            fields, "margin", lambda n: self.number(n, "margin", 0.0, 0.5), default.margin
        )
        if clarify > answer:
            self.report(
                fields.get("clarify_threshold", node),
                f"clarify_threshold ({clarify:g}) must not be above answer_threshold ({answer:g})",
            )
        return Thresholds(answer=answer, clarify=clarify, margin=margin)

    def _synonyms(self, node: yaml.Node) -> tuple[tuple[str, ...], ...]:
        groups: list[tuple[str, ...]] = []
        owner: dict[str, tuple[int, int]] = {}  # term -> (group number, line)
        for group_node in self.sequence(node, "synonyms") or ():
            group = [
                (n, " ".join(words(term)))
                for n, term in self.strings(group_node, "a synonym group")
            ]
            terms = tuple(dict.fromkeys(term for _, term in group if term))
            if len(terms) < 2:
                self.report(group_node, "a synonym group needs at least two different words")
                continue
            for term_node, term in group:
                group_no, line = owner.setdefault(
                    term, (len(groups), term_node.start_mark.line + 1)
                )
                if group_no != len(groups):
                    self.report(
                        term_node,
                        f"{term!r} is already in another synonym group (line {line})",
                        "merge the two groups",
                    )
            groups.append(terms)
        return tuple(groups)

    def _references(self, node: yaml.Node) -> dict[str, tuple[Reference, yaml.Node]]:
        out: dict[str, tuple[Reference, yaml.Node]] = {}
        fields = self.mapping(node, "references", ())
        for key, value in (fields or {}).items():
            ref = self.mapping(value, f"reference {key!r}", ("citation",), ("url",))
            if not ref or "citation" not in ref:
                continue
            citation = self.string(ref["citation"], f"citation of {key!r}")
            url = self.optional(ref, "url", lambda n: self.string(n, "url", allow_empty=True), "")
            if citation:
                text = f"{citation} {url}".strip() if url else citation
                key_node = next(k for k, v in node.value if k.value == key)
                out[key] = (Reference(key, text), key_node)
        return out

    def _not_covered(self, node: yaml.Node) -> tuple[NotCovered, ...]:
        """Topics the FAQ knowingly leaves to the clinic: id, topic, phrasings, reply."""
        out: list[NotCovered] = []
        for item in self.sequence(node, "not_covered") or ():
            fields = self.mapping(
                item, "a not_covered topic", ("id", "topic", "phrasings", "reply")
            )
            if fields is None or len(fields) < 4:
                continue
            topic_id = self._id(fields["id"], "not_covered id")
            topic = self.string(fields["topic"], "not_covered topic")
            reply = self.string(fields["reply"], "not_covered reply")
            phrasings = tuple(text for _, text in self.string_list(fields, "phrasings"))
            if reply is not None:
                self._check_placeholders(fields["reply"], reply, "a not_covered reply")
            if topic_id and topic and reply and phrasings:
                out.append(NotCovered(topic_id, topic, phrasings, reply))
        return tuple(out)

    def _id(self, node: yaml.Node, what: str) -> str | None:
        value = self.string(node, what)
        if value is None:
            return None
        if not _ID.match(value) or len(value) > MAX_ID_LENGTH:
            self.report(
                node,
                f"{what} {value!r} must be lowercase words joined by hyphens, at most "
                f"{MAX_ID_LENGTH} characters",
                "for example: sensory-trick",
            )
            return None
        return value

    def _entries(
        self,
        node: yaml.Node,
        topics: dict[str, tuple[Topic, yaml.Node]],
        references: dict[str, tuple[Reference, yaml.Node]],
    ) -> list[tuple[Entry, dict[str, yaml.Node]]]:
        entries: list[tuple[Entry, dict[str, yaml.Node]]] = []
        first_line: dict[str, int] = {}
        for item in self.sequence(node, "entries") or ():
            fields = self.mapping(item, "an entry", ENTRY_KEYS_REQUIRED, ENTRY_KEYS_OPTIONAL)
            if fields is None:
                continue
            entry = self._entry(fields, item, topics, references)
            if entry is None:
                continue
            if entry.id in first_line:
                self.report(
                    fields["id"],
                    f"duplicate entry id {entry.id!r} (first on line {first_line[entry.id]})",
                    "every entry needs its own id",
                )
                continue
            first_line[entry.id] = fields["id"].start_mark.line + 1
            entries.append((entry, fields))
        if not entries and not self.problems:
            self.report(node, "the FAQ has no entries")
        return entries

    def _entry(
        self,
        fields: dict[str, yaml.Node],
        node: yaml.Node,
        topics: dict[str, tuple[Topic, yaml.Node]],
        references: dict[str, tuple[Reference, yaml.Node]],
    ) -> Entry | None:
        entry_id = self._id(fields["id"], "entry id") if "id" in fields else None
        label = f"entry {entry_id!r}" if entry_id else "this entry"
        topic = self.string(fields["topic"], "topic") if "topic" in fields else None
        if topic is not None and topic not in topics:
            guess = process.extractOne(topic, list(topics), score_cutoff=60)
            self.report(
                fields["topic"],
                f"unknown topic {topic!r}",
                f"did you mean {guess[0]!r}?" if guess else "add it under 'topics' first",
            )
            topic = None
        kind_text = self.optional(fields, "kind", lambda n: self.string(n, "kind"), "medical")
        if kind_text not in ("medical", "info"):
            self.report(fields["kind"], f"kind must be 'medical' or 'info', not {kind_text!r}")
        kind: EntryKind = "info" if kind_text == "info" else "medical"
        question = self.string(fields["question"], "question") if "question" in fields else None
        alternates = [v for _, v in self.string_list(fields, "alternates")]
        if "alternates" in fields and len(alternates) < MIN_ALTERNATES:
            self.report(
                fields["alternates"],
                f"{label} has {len(alternates)} alternate phrasings",
                f"add at least {MIN_ALTERNATES}, written the way patients ask",
                severity="warning",
            )
        answer = (
            self.string(fields["answer"], f"the answer of {label}") if "answer" in fields else None
        )
        if answer is not None:
            self._check_placeholders(fields["answer"], answer, f"the answer of {label}")
        refs: list[Reference] = []
        unknown_refs = 0
        for ref_node, key in self.string_list(fields, "references"):
            if key in references:
                refs.append(references[key][0])
            else:
                unknown_refs += 1
                guess = process.extractOne(key, list(references), score_cutoff=60)
                self.report(
                    ref_node,
                    f"reference {key!r} is not in the references section",
                    f"did you mean {guess[0]!r}?" if guess else "add it under 'references'",
                )
        if kind == "medical" and not refs and not unknown_refs:
            self.report(
                fields.get("id", node),
                f"{label} is a medical answer without references",
                "add 'references: [key]', or 'kind: info' if it is not medical",
            )
        see_also = tuple(v for _, v in self.string_list(fields, "see_also"))
        if None in (entry_id, topic, question, answer):
            return None
        assert entry_id
        assert topic
        assert question
        assert answer
        return Entry(
            id=entry_id,
            topic=topic,
            kind=kind,
            question=question,
            alternates=tuple(alternates),
            answer=answer,
            references=tuple(refs),
            see_also=see_also,
        )

    # -- checks across the whole file --------------------------------------------------

    def _check_whole(
        self,
        faq: FAQ,
        entries: list[tuple[Entry, dict[str, yaml.Node]]],
        topics: dict[str, tuple[Topic, yaml.Node]],
        references: dict[str, tuple[Reference, yaml.Node]],
    ) -> None:
        seen_phrasing: dict[str, tuple[str, int]] = {}
        used_refs: set[str] = set()
        used_topics: set[str] = set()
        for entry, fields in entries:
            used_refs.update(r.key for r in entry.references)
            used_topics.add(entry.topic)
            for phrasing, p_node in zip(entry.phrasings, _phrasing_nodes(fields), strict=False):
                key = " ".join(words(phrasing))
                line = p_node.start_mark.line + 1
                if key in seen_phrasing:
                    other_id, other_line = seen_phrasing[key]
                    if other_id == entry.id:
                        self.report(
                            p_node,
                            f"{phrasing!r} appears twice in entry {entry.id!r} (line {other_line})",
                            "remove one",
                            severity="warning",
                        )
                    else:
                        self.report(
                            p_node,
                            f"{phrasing!r} is also a phrasing of entry {other_id!r} "
                            f"(line {other_line})",
                            "a phrasing may belong to one entry only",
                        )
                else:
                    seen_phrasing[key] = (entry.id, line)
            for target in entry.see_also:
                if faq.entry(target) is None or target == entry.id:
                    self.report(
                        fields["see_also"],
                        f"see_also {target!r} of entry {entry.id!r} is not another entry's id",
                    )
            length = answer_message_length(faq, entry)
            if length > MESSAGE_LIMIT:
                self.report(
                    fields["answer"],
                    f"the answer to {entry.id!r} would make a {length}-character message; "
                    f"Telegram allows {MESSAGE_LIMIT}",
                    "shorten the answer or split it into two entries",
                )
        for key, (_, key_node) in references.items():
            if key not in used_refs:
                self.report(
                    key_node, f"reference {key!r} is not used by any entry", severity="warning"
                )
        for topic_id, (_, id_node) in topics.items():
            if topic_id not in used_topics:
                self.report(id_node, f"topic {topic_id!r} has no entries", severity="warning")


def _phrasing_nodes(fields: dict[str, yaml.Node]) -> list[yaml.Node]:
    """The question's node, then each alternate's, in the order of Entry.phrasings."""
    nodes = [fields["question"]]
    alternates = fields.get("alternates")
    if isinstance(alternates, yaml.SequenceNode):
        nodes.extend(alternates.value)
    return nodes


def _phrasing_locations(
    entries: list[tuple[Entry, dict[str, yaml.Node]]],
) -> dict[tuple[str, int], tuple[int, int]]:
    return {
        (entry.id, i): (node.start_mark.line + 1, node.start_mark.column + 1)
        for entry, fields in entries
        for i, node in enumerate(_phrasing_nodes(fields))
    }


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").lower()
    if "mapping values are not allowed" in problem:
        return "a ':' inside text needs the whole text in quotes"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one above"
    if "found character" in problem and "\\t" in problem:
        return "use spaces, not tabs"
    if "unclosed" in problem or "end of stream" in problem:
        return "a quote or bracket is not closed"
    return "compare this line with a correct entry above it"
