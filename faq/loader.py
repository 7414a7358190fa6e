"""Reads the FAQ YAML and validates every part of it, reporting problems as path:line:col.

Staff edit this file by hand, so the checker is strict but explains itself: every problem
carries the line and column where it is, and a hint when one helps. YAML is only *composed*
(parsed into nodes), never constructed into Python objects, so a tag such as
``!!python/object`` can never run code; values are read from the nodes directly.

Which keys each section has, which are required and what type each value is come from the
declared schema (faq/schema.py); this module adds the locations, the plain-words messages
and the checks across the file (ids, references, phrasings, lengths).

PyYAML's compose step is used rather than ruamel.yaml: it already gives every node its
start and end marks (line, column, index), its safe loader refuses to construct objects,
and it is the dependency the project already has; ruamel's round-trip preservation of
comments is not needed, since the checker never writes the file.
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
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from rapidfuzz import process

from faq import schema
from faq.limits import LAYOUT_ALLOWANCE, MESSAGE_LIMIT, answer_message_length
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
from faq.personal import has_personal
from faq.problems import FAQError, Problem, Severity
from faq.reader import FaqLimits, FaqReadError, check_size, decode_text, read_file
from faq.schema import (
    ALL_KEYS,
    MAX_ID_LENGTH,
    MAX_TOPIC_TITLE,
    MIN_ALTERNATES,
    MIN_NOT_COVERED_PHRASINGS,
    ClinicSpec,
    EntrySpec,
    FaqFileSpec,
    MatchingSpec,
    NotCoveredSpec,
    ReferenceSpec,
    TopicSpec,
    UrgentRuleSpec,
    UrgentSpec,
    ValueKind,
    bounds_of,
    choices_of,
    keys_of,
    value_kind,
)
from faq.syntax import CURLY_QUOTES, describe
from faq.text import words
from faq.urgent import compile_pattern, phrase_problem, phrase_warnings

DEFAULT_FAQ_PATH = Path(__file__).parent / "data" / "faq.yaml"

_ID = re.compile(schema.ID_PATTERN)
PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")
# Text damaged by a wrong character-set conversion: Thai letters standing in for quotes
# (the source post's "they\u0e42re"), UTF-8 read as Windows-1252 ("â€™", "Ã©"), or the
# replacement character left where a byte could not be decoded.
MOJIBAKE = re.compile(r"[\u0e00-\u0e7f\ufffd]|â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]")
_CURLY_PAIRS = {"\u201c": "\u201d", "\u2018": "\u2019", "\u201e": "\u201c"}

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


# The shipped files a clinic's own copy starts from; the schema keeps the editor's
# `$schema=./faq.schema.json` line working beside the copy.
SHIPPED_FILES = ("faq.yaml", "faq.hi.yaml", "faq.schema.json")


def resolve_path(
    path: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """The FAQ file to use: an explicit path, else FAQ_PATH, else the clinic's own copy in
    the data folder (`data_dir`, else BOT_DATA_DIR, else ./data).

    Staff (and the bot's review taps) edit that copy, so it must not be a file shipped
    with the code: an upgrade would overwrite or conflict with their edits. It is made
    from the shipped files the first time and never overwritten afterwards.
    """
    if path:
        return Path(path)
    from_env = os.environ.get("FAQ_PATH", "").strip()
    if from_env:
        return Path(from_env)
    folder = Path(data_dir or os.environ.get("BOT_DATA_DIR", "").strip() or "data")
    live = folder / DEFAULT_FAQ_PATH.name
    if not live.exists():
        _copy_shipped(folder)
    return live


def _copy_shipped(folder: Path) -> None:
    """Each shipped file the folder lacks, copied in; an existing file is never replaced,
    even by a second process starting at the same moment (os.link refuses to)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in SHIPPED_FILES:
            target = folder / name
            if target.exists():
                continue
            temporary = folder / f".{name}.{os.getpid()}.new"
            temporary.write_bytes((DEFAULT_FAQ_PATH.parent / name).read_bytes())
            try:
                os.link(temporary, target)
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
    except OSError:
        return  # reading the missing copy then reports where it was expected, in one line


def load_faq(path: str | os.PathLike[str] | None = None, *, limits: FaqLimits | None = None) -> FAQ:
    """The validated FAQ, or FAQError listing every error. Warnings are not raised."""
    faq, problems = check_faq(path, limits=limits)
    if faq is None:
        raise FAQError(problems)
    return faq


def check_faq(
    path: str | os.PathLike[str] | None = None,
    raw: bytes | None = None,
    *,
    limits: FaqLimits | None = None,
) -> tuple[FAQ | None, list[Problem]]:
    """Every problem in the file (errors and warnings), and the FAQ if there were no errors.

    `raw` is the file's content when the caller has already read it, so that exactly the
    bytes it fingerprinted are the ones checked. `limits` caps the file's size and its
    number of entries (default: FaqLimits()).
    """
    where = resolve_path(path)
    caps = limits or FaqLimits()
    try:
        if raw is None:
            raw, _ = read_file(where, caps)
        else:
            check_size(where, len(raw), caps)
    except FaqReadError as exc:
        return None, [exc.problem]
    text, problems = decode_text(where, raw)
    if text is None:
        return None, problems
    parser = _Parser(str(where), text, caps)
    faq = parser.parse()
    problems = sorted([*problems, *parser.problems])
    if any(p.severity == "error" for p in problems):
        return None, problems
    return faq, problems


class _Parser:
    """Walks the composed YAML nodes, collecting problems and building the FAQ."""

    def __init__(self, path: str, text: str, limits: FaqLimits) -> None:
        self.path = path
        self.text = text
        self.limits = limits
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

    # -- typed readers, driven by the schema ----------------------------------------------

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
        self, node: yaml.Node, what: str, spec: type[BaseModel] | None
    ) -> dict[str, yaml.Node] | None:
        """The section's keys and value nodes; `spec` names its keys (None: any keys)."""
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.report(node, f"{what} must be a mapping of 'key: value' lines")
            return None
        required, optional = keys_of(spec) if spec else ((), ())
        allowed = (*required, *optional)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or not key:
                self.report(key_node, f"{what} has a key that is not a plain word")
                continue
            if key in out:
                # Two ids in one entry is what a new entry without its '- ' looks like.
                hint = (
                    "to start a new item here, put '- ' in front of 'id:'"
                    if key == "id"
                    else "keep only one"
                )
                self.report(key_node, f"duplicate key {key!r} in {what}", hint)
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
            # "- email: what is your address" is a valid one-line pair, so YAML reports
            # nothing; the ': ' inside the text is the real mistake.
            one_line_pair = (
                isinstance(node, yaml.MappingNode)
                and len(node.value) == 1
                and node.value[0][1].end_mark.line == node.start_mark.line
            )
            hint = "a ':' inside text needs the whole text in quotes" if one_line_pair else ""
            self.report(node, f"{what} must be text, not a list or mapping", hint)
            return None
        value = "" if node.tag == _NULL else str(node.value)
        if not value.strip() and not allow_empty:
            self.report(node, f"{what} is empty")
            return None
        if bad := MOJIBAKE.search(value):
            self._report_mojibake(node, bad.group())
            return None
        value = value.strip()
        if (
            node.style is None
            and len(value) > 1
            and value[:1] in CURLY_QUOTES
            and value[-1:] == _CURLY_PAIRS.get(value[0])
        ):
            self.report(
                node,
                f"{what} is wrapped in curly quotes {value[0]} {value[-1]}, which YAML "
                "keeps as part of the text, so patients would see them",
                'delete them, or retype them as straight quotes ("...")',
                severity="warning",
            )
        return value

    def number(self, node: yaml.Node, what: str, spec: type[BaseModel], key: str) -> float | None:
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
        low, high = bounds_of(spec, key)
        if not low <= value <= high:
            self.report(node, f"{what} must be between {low:g} and {high:g}, not {value:g}")
            return None
        return value

    def text_field(
        self, fields: dict[str, yaml.Node], spec: type[BaseModel], key: str, what: str
    ) -> str | None:
        """A text value; optional text falls back to its declared default ("" may be typed)."""
        field = _declared(spec, key, "text")
        default = None if field.is_required() else field.get_default(call_default_factory=True)
        node = fields.get(key)
        if node is None:
            return default if isinstance(default, str) else None
        return self.string(node, what, allow_empty=default == "")

    def number_field(
        self, fields: dict[str, yaml.Node], spec: type[BaseModel], key: str, what: str
    ) -> float:
        """A number within its declared bounds; its declared default when absent or wrong."""
        field = _declared(spec, key, "number")
        node = fields.get(key)
        value = self.number(node, what, spec, key) if node is not None else None
        return float(field.get_default(call_default_factory=True)) if value is None else value

    def string_list(
        self, fields: dict[str, yaml.Node], spec: type[BaseModel], key: str
    ) -> list[tuple[yaml.Node, str]]:
        """The items of a list of texts under `key`, with their nodes (none if absent)."""
        _declared(spec, key, "texts")
        empty: list[tuple[yaml.Node, str]] = []
        return self.optional(fields, key, lambda n: list(self.strings(n, key)), empty)

    def strings(self, node: yaml.Node, what: str) -> Iterator[tuple[yaml.Node, str]]:
        for item in self.sequence(node, what) or ():
            value = self.string(item, f"each item of {what}")
            if value is not None and not self._joined_item(item):
                yield item, value

    def _joined_item(self, item: yaml.Node) -> bool:
        """True (and reported) if a '- ' item indented too far was joined to the one above.

        YAML reads "- one" followed by a deeper "- two" as the single text "one - two",
        with no error; the second dash, on a line of its own, is the mistake.
        """
        if getattr(item, "style", None) is not None or item.start_mark.line == item.end_mark.line:
            return False
        span = self.text[item.start_mark.index : item.end_mark.index]
        joined = re.search(r"\n[ ]*(- )", span)
        if joined is None:
            return False
        self.report_at(
            item.start_mark.index + joined.start(1),
            "this '- ' item is indented further than the items above, so YAML joined it "
            "to the item before",
            "line its '- ' up with the '- ' of the other items",
        )
        return True

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

    def capped(self, node: yaml.Node, what: str, noun: str) -> list[yaml.Node] | None:
        """A list section's items, refused whole when it holds more than the entry cap."""
        items = self.sequence(node, what)
        cap = self.limits.max_entries
        if items is not None and len(items) > cap:
            self.report(
                items[cap],
                f"there are {len(items):,} {noun}; the bot accepts at most {cap:,}",
                "check that this is the FAQ file; FAQ_MAX_ENTRIES sets the limit",
            )
            return None
        return items

    # -- the document ------------------------------------------------------------------

    def compose(self) -> yaml.Node | None:
        try:
            return yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            found = describe(self.text, exc, ALL_KEYS)
            self.problems.append(
                Problem(self.path, found.line, found.col, found.message, found.hint)
            )
        except yaml.reader.ReaderError as exc:
            # A character YAML does not allow, such as a word processor's line break.
            self.report_at(
                exc.position,
                f"character {exc.character!r} is not allowed in YAML",
                "delete it, or retype the line in a plain-text editor",
            )
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.path, 1, 1, f"YAML error: {exc}"))
        except RecursionError:
            self.problems.append(
                Problem(self.path, 1, 1, "the file is nested far too deeply to be an FAQ")
            )
        return None

    def parse(self) -> FAQ | None:
        root = self.compose()
        if root is None:
            if not self.problems:
                self.problems.append(Problem(self.path, 1, 1, "the file holds no YAML content"))
            return None
        top = self.mapping(root, "the top level", FaqFileSpec)
        if top is None:
            return None
        if "version" in top:
            self.number(top["version"], "version", FaqFileSpec, "version")
        clinic = self._clinic(top["clinic"]) if "clinic" in top else None
        disclaimer = self.text_field(top, FaqFileSpec, "disclaimer", "disclaimer")
        urgent = self._urgent(top["urgent"]) if "urgent" in top else None
        fallback = self.text_field(top, FaqFileSpec, "fallback", "fallback")
        for key, text in (("disclaimer", disclaimer), ("fallback", fallback)):
            if text is not None:
                self._check_placeholders(top[key], text, f"the {key}")
        topics = self._topics(top["topics"]) if "topics" in top else {}
        thresholds = self.optional(top, "matching", self._thresholds, Thresholds())
        no_synonyms: tuple[tuple[str, ...], ...] = ()
        synonyms = self.optional(top, "synonyms", self._synonyms, no_synonyms)
        references = self._references(top["references"]) if "references" in top else {}
        entries = self._entries(top["entries"], topics, references) if "entries" in top else []
        not_covered = self._not_covered_section(top)
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
            not_covered=tuple(item for item, _ in not_covered),
            phrasing_locations=MappingProxyType(_phrasing_locations(entries)),
        )
        self._check_whole(faq, entries, not_covered, topics, references)
        if any(p.severity == "error" for p in self.problems):
            return None
        return faq

    def _check_placeholders(self, node: yaml.Node, text: str, what: str) -> None:
        for bad in PLACEHOLDER.finditer(text):
            if bad.group() != CONTACT_PLACEHOLDER:
                self.report(
                    node,
                    f"unknown placeholder {bad.group()} in {what}",
                    f"the only placeholder is {CONTACT_PLACEHOLDER}",
                )

    def _clinic(self, node: yaml.Node) -> Clinic | None:
        fields = self.mapping(node, "clinic", ClinicSpec)
        if fields is None:
            return None
        values = {
            key: self.text_field(fields, ClinicSpec, key, f"clinic {key}")
            for key in ClinicSpec.model_fields
            if key in fields or not ClinicSpec.model_fields[key].is_required()
        }
        if values.get("name") is None or values.get("contact_missing") is None:
            return None
        return Clinic(**{key: value or "" for key, value in values.items()})

    def _urgent(self, node: yaml.Node) -> tuple[str, tuple[UrgentRule, ...]] | None:
        fields = self.mapping(node, "urgent", UrgentSpec)
        if fields is None:
            return None
        message = self.text_field(fields, UrgentSpec, "message", "urgent message")
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
        """A rule has English regular expressions (`any`, `all_of`, `unless`), Hinglish
        phrases (`hinglish`, `hinglish_with`, `hinglish_unless`), or both."""
        keys = ("any", "all_of", "unless", "hinglish", "hinglish_with", "hinglish_unless")
        fields = self.mapping(node, "an urgent rule", UrgentRuleSpec)
        if fields is None:
            return None
        name = self.text_field(fields, UrgentRuleSpec, "name", "urgent rule name")
        found: dict[str, list[str | None]] = {
            key: [
                (self._phrase if key.startswith("hinglish") else self._pattern)(n, p)
                for n, p in self.string_list(fields, UrgentRuleSpec, key)
            ]
            for key in keys
        }
        for key in ("any", "hinglish"):
            if key in fields and not found[key]:
                self.report(fields[key], f"an urgent rule needs at least one item under '{key}'")
        if not found["any"] and not found["hinglish"]:
            if "any" not in fields and "hinglish" not in fields:
                self.report(
                    node,
                    "an urgent rule needs patterns under 'any' or phrases under 'hinglish'",
                    "copy the layout of the rule above it",
                )
            return None
        if name is None or any(None in items for items in found.values()):
            return None
        kept = {key: tuple(p for p in items if p) for key, items in found.items()}
        return UrgentRule(
            name=name,
            any=kept["any"],
            all_of=kept["all_of"],
            unless=kept["unless"],
            hinglish=kept["hinglish"],
            hinglish_with=kept["hinglish_with"],
            hinglish_unless=kept["hinglish_unless"],
        )

    def _phrase(self, node: yaml.Node, phrase: str) -> str | None:
        problem = phrase_problem(phrase)
        if problem is not None:
            self.report(node, f"unusable Hinglish phrase: {problem}")
            return None
        for warning in phrase_warnings(phrase):
            self.report(
                node,
                warning,
                "leave it out, or use it inside a longer phrase",
                severity="warning",
            )
        return phrase

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
        for item in self.capped(node, "topics", "topics") or ():
            fields = self.mapping(item, "a topic", TopicSpec)
            if not fields or "id" not in fields or "title" not in fields:
                continue
            topic_id = self._id(fields["id"], "topic id")
            title = self.text_field(fields, TopicSpec, "title", "topic title")
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
        fields = self.mapping(node, "matching", MatchingSpec)
        if fields is None:
            return None
        answer, clarify, margin = (
            self.number_field(fields, MatchingSpec, key, key) for key in MatchingSpec.model_fields
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
        fields = self.mapping(node, "references", None)
        for key, value in (fields or {}).items():
            ref = self.mapping(value, f"reference {key!r}", ReferenceSpec)
            if not ref or "citation" not in ref:
                continue
            citation = self.text_field(ref, ReferenceSpec, "citation", f"citation of {key!r}")
            url = self.text_field(ref, ReferenceSpec, "url", "url") or ""
            listed_by = self.text_field(ref, ReferenceSpec, "listed_by", "listed_by") or ""
            if citation:
                text = f"{citation} {url}".strip() if url else citation
                key_node = next(k for k, v in node.value if k.value == key)
                out[key] = (Reference(key, text, listed_by), key_node)
        return out

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
        items = self.capped(node, "entries", "entries")
        for item in items or ():
            fields = self.mapping(item, "an entry", EntrySpec)
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
        topic = self.text_field(fields, EntrySpec, "topic", "topic")
        if topic is not None and topic not in topics:
            guess = process.extractOne(topic, list(topics), score_cutoff=60)
            self.report(
                fields["topic"],
                f"unknown topic {topic!r}",
                f"did you mean {guess[0]!r}?" if guess else "add it under 'topics' first",
            )
            topic = None
        kinds = choices_of(EntrySpec, "kind")
        kind_text = self.text_field(fields, EntrySpec, "kind", "kind")
        if kind_text is not None and kind_text not in kinds:
            self.report(
                fields["kind"],
                "kind must be " + " or ".join(repr(k) for k in kinds) + f", not {kind_text!r}",
            )
        kind: EntryKind = "info" if kind_text == "info" else "medical"
        question = self.text_field(fields, EntrySpec, "question", "question")
        alternates = [v for _, v in self.string_list(fields, EntrySpec, "alternates")]
        if "alternates" in fields and len(alternates) < MIN_ALTERNATES:
            self.report(
                fields["alternates"],
                f"{label} has {len(alternates)} alternate phrasings",
                f"add at least {MIN_ALTERNATES}, written the way patients ask",
                severity="warning",
            )
        answer = self.text_field(fields, EntrySpec, "answer", f"the answer of {label}")
        if answer is not None:
            self._check_placeholders(fields["answer"], answer, f"the answer of {label}")
        refs: list[Reference] = []
        unknown_refs = 0
        for ref_node, key in self.string_list(fields, EntrySpec, "references"):
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
        see_also = tuple(v for _, v in self.string_list(fields, EntrySpec, "see_also"))
        if entry_id is None or topic is None or question is None or answer is None:
            return None
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

    def _not_covered_section(
        self, top: dict[str, yaml.Node]
    ) -> list[tuple[NotCovered, dict[str, yaml.Node]]]:
        out: list[tuple[NotCovered, dict[str, yaml.Node]]] = []
        if "not_covered" not in top:
            return out
        for item in self.capped(top["not_covered"], "not_covered", "not_covered items") or ():
            fields = self.mapping(item, "a not_covered item", NotCoveredSpec)
            if fields is None:
                continue
            item_id = self._id(fields["id"], "not_covered id") if "id" in fields else None
            label = f"not_covered {item_id!r}" if item_id else "this not_covered item"
            topic = self.text_field(fields, NotCoveredSpec, "topic", f"the topic of {label}")
            phrasings = [v for _, v in self.string_list(fields, NotCoveredSpec, "phrasings")]
            if "phrasings" in fields and len(phrasings) < MIN_NOT_COVERED_PHRASINGS:
                self.report(
                    fields["phrasings"],
                    f"{label} has {len(phrasings)} phrasings",
                    f"add at least {MIN_NOT_COVERED_PHRASINGS}, written the way patients ask",
                )
            reply = self.text_field(fields, NotCoveredSpec, "reply", f"the reply of {label}")
            if reply is not None:
                self._check_placeholders(fields["reply"], reply, f"the reply of {label}")
            if item_id is None or topic is None or reply is None:
                continue
            out.append((NotCovered(item_id, topic, tuple(phrasings), reply), fields))
        return out

    # -- checks across the whole file --------------------------------------------------

    def _check_whole(
        self,
        faq: FAQ,
        entries: list[tuple[Entry, dict[str, yaml.Node]]],
        not_covered: list[tuple[NotCovered, dict[str, yaml.Node]]],
        topics: dict[str, tuple[Topic, yaml.Node]],
        references: dict[str, tuple[Reference, yaml.Node]],
    ) -> None:
        seen_phrasing: dict[str, tuple[str, int]] = {}
        used_refs: set[str] = set()
        used_topics: set[str] = set()
        for entry, fields in entries:
            used_refs.update(r.key for r in entry.references)
            used_topics.add(entry.topic)
            nodes = _phrasing_nodes(fields, "question", "alternates")
            self._check_phrasings(f"entry {entry.id!r}", entry.phrasings, nodes, seen_phrasing)
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
        entry_lines = {entry.id: fields["id"].start_mark.line + 1 for entry, fields in entries}
        for item, fields in not_covered:
            first = entry_lines.setdefault(item.id, fields["id"].start_mark.line + 1)
            if first != fields["id"].start_mark.line + 1:
                self.report(
                    fields["id"],
                    f"not_covered id {item.id!r} is already used on line {first}",
                    "every entry and not_covered item needs its own id",
                )
            label = f"not_covered {item.id!r}"
            nodes = _phrasing_nodes(fields, None, "phrasings")
            self._check_phrasings(label, item.phrasings, nodes, seen_phrasing, "error")
            length = len(faq.fill(item.reply)) + len(faq.disclaimer) + LAYOUT_ALLOWANCE
            if length > MESSAGE_LIMIT:
                self.report(
                    fields["reply"],
                    f"the reply of {label} would make a {length}-character message; "
                    f"Telegram allows {MESSAGE_LIMIT}",
                    "shorten the reply",
                )
        for key, (ref, key_node) in references.items():
            if key not in used_refs and not ref.listed_by:
                self.report(
                    key_node, f"reference {key!r} is not used by any entry", severity="warning"
                )
        for topic_id, (_, id_node) in topics.items():
            if topic_id not in used_topics:
                self.report(id_node, f"topic {topic_id!r} has no entries", severity="warning")

    def _check_phrasings(
        self,
        label: str,
        phrasings: tuple[str, ...],
        nodes: list[yaml.Node],
        seen: dict[str, tuple[str, int]],
        repeat: Severity = "warning",
    ) -> None:
        """No phrasing twice in the file: `seen` maps each one's words to (owner, line).

        The same phrasing twice under one owner is `repeat` (harmless for an entry with
        many alternates; a not_covered item needs its minimum of different ones).
        """
        for phrasing, p_node in zip(phrasings, nodes, strict=False):
            if has_personal(phrasing):
                self.report(
                    p_node,
                    f"{phrasing!r} contains what looks like a phone number, e-mail address, "
                    "@username or long number",
                    "a phrasing must never carry a patient's details: remove them",
                )
            key = " ".join(words(phrasing))
            if key not in seen:
                seen[key] = (label, p_node.start_mark.line + 1)
                continue
            owner, line = seen[key]
            if owner == label:
                self.report(
                    p_node,
                    f"{phrasing!r} appears twice in {label} (line {line})",
                    "remove one",
                    severity=repeat,
                )
            else:
                self.report(
                    p_node,
                    f"{phrasing!r} is also a phrasing of {owner} (line {line})",
                    "a phrasing may belong to one entry only",
                )


def _phrasing_nodes(fields: dict[str, yaml.Node], first: str | None, rest: str) -> list[yaml.Node]:
    """The nodes of the phrasings in order: `first`'s node, then each item under `rest`."""
    nodes = [fields[first]] if first else []
    items = fields.get(rest)
    if isinstance(items, yaml.SequenceNode):
        nodes.extend(items.value)
    return nodes


def _phrasing_locations(
    entries: list[tuple[Entry, dict[str, yaml.Node]]],
) -> dict[tuple[str, int], tuple[int, int]]:
    return {
        (entry.id, i): (node.start_mark.line + 1, node.start_mark.column + 1)
        for entry, fields in entries
        for i, node in enumerate(_phrasing_nodes(fields, "question", "alternates"))
    }


def _declared(spec: type[BaseModel], key: str, kind: ValueKind) -> FieldInfo:
    """The schema's field for `key`, which must be declared as the kind being read.

    Reading a value as another kind than the schema declares is a programming mistake;
    it fails every test that reaches it rather than letting checker and schema drift.
    """
    declared = value_kind(spec, key)
    if declared != kind:
        raise TypeError(f"{spec.__name__}.{key} is declared as {declared}, read as {kind}")
    return spec.model_fields[key]
