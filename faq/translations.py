"""Translations of the FAQ's texts, one file per language beside the FAQ (`faq.hi.yaml`).

The English file stays the one staff edit for content and phrasings; a translation file
holds only the translated wording, keyed by the English file's entry and topic ids, and
every item carries a `reviewed` mark that staff set once a clinician who reads the
language has checked it. The file's shape is declared once, as pydantic models; problems
are reported at the YAML node they concern, like the FAQ checker's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faq.model import FAQ
from faq.problems import Problem

LANGUAGES = ("hi",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextItem(_Strict):
    reviewed: bool = Field(
        description="false until a clinician who reads this language has checked the text"
    )
    text: str = Field(min_length=1)


class TopicItem(_Strict):
    reviewed: bool
    title: str = Field(min_length=1)


class EntryItem(_Strict):
    reviewed: bool
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class NotCoveredItem(_Strict):
    reviewed: bool
    reply: str = Field(min_length=1)


class TranslationFile(_Strict):
    """The whole translation file, as staff write it."""

    language: str = Field(pattern="^[a-z]{2}$")
    texts: dict[str, TextItem] = Field(default_factory=dict)
    topics: dict[str, TopicItem] = Field(default_factory=dict)
    not_covered: dict[str, NotCoveredItem] = Field(default_factory=dict)
    entries: dict[str, EntryItem] = Field(default_factory=dict)


@dataclass(frozen=True)
class Translated:
    text: str
    reviewed: bool


@dataclass(frozen=True)
class EntryTranslation:
    question: str
    answer: str
    reviewed: bool


@dataclass(frozen=True, eq=False)
class Translation:
    """One language's wording. Anything missing falls back to English at the caller."""

    language: str
    path: Path
    texts: Mapping[str, Translated] = field(default_factory=lambda: MappingProxyType({}))
    topics: Mapping[str, Translated] = field(default_factory=lambda: MappingProxyType({}))
    entries: Mapping[str, EntryTranslation] = field(default_factory=lambda: MappingProxyType({}))
    # The honest replies of the not-covered topics, by topic id.
    not_covered: Mapping[str, Translated] = field(default_factory=lambda: MappingProxyType({}))
    # "texts", "texts.welcome", "entries.stress", ... -> (line, column) of its key.
    locations: Mapping[str, tuple[int, int]] = field(default_factory=lambda: MappingProxyType({}))

    def text(self, key: str) -> str | None:
        item = self.texts.get(key)
        return item.text if item is not None else None


def translation_path(faq_path: Path, language: str) -> Path:
    """`faq.yaml` -> `faq.hi.yaml`, beside it, wherever FAQ_PATH points."""
    return faq_path.with_name(f"{faq_path.stem}.{language}{faq_path.suffix}")


def translation_bytes(faq_path: Path) -> dict[str, bytes | None]:
    """Each language's file content beside `faq_path` (None: there is no such file)."""
    found: dict[str, bytes | None] = {}
    for language in LANGUAGES:
        try:
            found[language] = translation_path(faq_path, language).read_bytes()
        except OSError:
            found[language] = None
    return found


def with_translations(
    faq: FAQ, raw: Mapping[str, bytes | None] | None = None
) -> tuple[FAQ, list[Problem]]:
    """The FAQ with every translation file found beside it; problems located in them.

    A missing file is not a problem (the bot then speaks English); a broken one is an
    error, so a half-edited translation never reaches patients. `raw` is the files'
    content when the caller has already read (and fingerprinted) it.
    """
    contents = translation_bytes(faq.path) if raw is None else raw
    found: dict[str, Translation] = {}
    problems: list[Problem] = []
    for language in LANGUAGES:
        path = translation_path(faq.path, language)
        content = contents.get(language)
        if content is None:
            continue
        translation, file_problems = load_translation(path, faq, content)
        problems.extend(file_problems)
        if translation is not None:
            found[language] = translation
    return replace(faq, translations=MappingProxyType(found)), problems


def load_translation(
    path: Path, faq: FAQ, raw: bytes | None = None
) -> tuple[Translation | None, list[Problem]]:
    # Imported here: the content checks need this module's models.
    from faq.translation_check import content_problems

    where = str(path)
    try:
        text = (path.read_bytes() if raw is None else raw).decode("utf-8-sig")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except OSError as exc:
        return None, [Problem(where, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [Problem(where, 1, 1, "not UTF-8 text", "save the file as UTF-8")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(where, line, col, f"not valid YAML: {exc.problem}")]
    except yaml.YAMLError as exc:  # e.g. a control character pasted into a text
        return None, [Problem(where, 1, 1, f"not valid YAML: {exc}")]
    if root is None:
        return None, [Problem(where, 1, 1, "the file is empty")]
    data = _plain(root)
    try:
        parsed = TranslationFile.model_validate(data)
    except ValidationError as exc:
        return None, [
            Problem(where, *_locate(root, err["loc"]), _message(err)) for err in exc.errors()
        ]
    problems = _cross_check(where, root, parsed, faq)
    problems.extend(content_problems(where, text, root, parsed, faq))
    if any(p.severity == "error" for p in problems):
        return None, sorted(problems)
    return _translation(path, root, parsed), sorted(problems)


def _plain(node: yaml.Node) -> Any:
    """Node tree -> plain Python data; tags are never constructed (same rule as the FAQ)."""
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    value = str(node.value)
    if node.tag.endswith(":bool") or value in ("true", "false"):
        return value == "true"
    return value


def _locate(
    root: yaml.Node, loc: tuple[int | str, ...], *, at_key: bool = False
) -> tuple[int, int]:
    """Line and column of the value at `loc` (or of its key), as deep as it exists."""
    node = root
    for i, part in enumerate(loc):
        child = None
        if isinstance(node, yaml.MappingNode):
            last_key = at_key and i == len(loc) - 1
            child = next((k if last_key else v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def _message(err: Any) -> str:
    name = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return f"'{name}' is missing"
    if err["type"] == "extra_forbidden":
        return f"unknown key '{name}'"
    return f"'{name}': {err['msg']}"


def _cross_check(where: str, root: yaml.Node, parsed: TranslationFile, faq: FAQ) -> list[Problem]:
    """Ids must be the English file's; unknown ones are typos that would never show."""
    english_file = "in the English file"
    sections: tuple[tuple[str, Iterable[str], set[str], str, str], ...] = (
        ("entries", parsed.entries, {e.id for e in faq.entries}, "entry", english_file),
        ("topics", parsed.topics, {t.id for t in faq.topics}, "topic", english_file),
        (
            "not_covered",
            parsed.not_covered,
            {t.id for t in faq.not_covered},
            "not-covered topic",
            f"under 'not_covered:' {english_file}",
        ),
    )
    problems: list[Problem] = []
    for section, ids, known, kind, place in sections:
        for item_id in ids:
            if item_id not in known:
                line, col = _locate(root, (section, item_id), at_key=True)
                problems.append(
                    Problem(
                        where,
                        line,
                        col,
                        f"{kind} '{item_id}' is not in {faq.path.name}",
                        f"use the id exactly as it is written {place}",
                    )
                )
    return problems


def _translation(path: Path, root: yaml.Node, parsed: TranslationFile) -> Translation:
    sections: dict[str, Mapping[str, object]] = {
        "texts": parsed.texts,
        "topics": parsed.topics,
        "not_covered": parsed.not_covered,
        "entries": parsed.entries,
    }
    locations = {
        f"{section}.{key}": _locate(root, (section, key), at_key=True)
        for section, items in sections.items()
        for key in items
    }
    locations.update({section: _locate(root, (section,), at_key=True) for section in sections})
    return Translation(
        language=parsed.language,
        path=path,
        texts=MappingProxyType(
            {k: Translated(v.text.strip(), v.reviewed) for k, v in parsed.texts.items()}
        ),
        topics=MappingProxyType(
            {k: Translated(v.title.strip(), v.reviewed) for k, v in parsed.topics.items()}
        ),
        entries=MappingProxyType(
            {
                k: EntryTranslation(v.question.strip(), v.answer.strip(), v.reviewed)
                for k, v in parsed.entries.items()
            }
        ),
        not_covered=MappingProxyType(
            {k: Translated(v.reply.strip(), v.reviewed) for k, v in parsed.not_covered.items()}
        ),
        locations=MappingProxyType(locations),
    )
