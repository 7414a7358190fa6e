"""The FAQ file's layout, declared once: which keys exist, which are required, their types.

The checker (faq/loader.py) reads its key and type rules from these models, and
`python -m faq.schema` writes them out as faq/data/faq.schema.json, which editors that
understand YAML schemas use to underline mistakes and offer completions while staff type.
The descriptions are written for clinic staff: they appear when hovering over a key.

The models are a declaration, not the parser: the checker walks the YAML nodes itself so
that every problem keeps its line and column and its plain-words message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Buttons carry "a:<id>" and similar in 64 bytes of callback data; ids stay well inside that.
MAX_ID_LENGTH = 48
MAX_TOPIC_TITLE = 40
MIN_ALTERNATES = 8
MIN_NOT_COVERED_PHRASINGS = 3

SCHEMA_PATH = Path(__file__).parent / "data" / "faq.schema.json"

Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=MAX_ID_LENGTH,
        description="Lowercase words joined by '-', for example sensory-trick.",
    ),
]
Text = Annotated[str, Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClinicSpec(_Spec):
    """The clinic's name and contact details; {contact} in any text is replaced by them."""

    model_config = ConfigDict(title="Clinic details")

    name: Text = Field(description="The clinic's name, as patients know it.")
    phone: str = Field("", description='Phone number, between quotes: "+91 ...".')
    email: str = Field("", description="Email address, between quotes.")
    address: str = Field("", description="Postal address, between quotes.")
    hours: str = Field("", description="Opening hours, between quotes.")
    website: str = Field("", description="Web address, between quotes.")
    contact_missing: Text = Field(
        description="What {contact} becomes while the details above are still empty."
    )


class UrgentRuleSpec(_Spec):
    """One emergency rule: it fires when any 'any' pattern (and every 'all_of' one) is found
    and no 'unless' one, or any 'hinglish' phrase (with one 'hinglish_with' phrase, if
    listed) and no 'hinglish_unless' one."""

    # Editors flag a rule with neither patterns nor phrases, as the checker does.
    model_config = ConfigDict(
        title="Urgent rule",
        json_schema_extra={
            "anyOf": [
                {"required": ["any"], "properties": {"any": {"minItems": 1}}},
                {"required": ["hinglish"], "properties": {"hinglish": {"minItems": 1}}},
            ]
        },
    )

    name: Text = Field(description="A short name for the rule, used in reports.")
    any: list[Text] = Field(
        default_factory=list,
        description="Patterns (regular expressions over the lower-cased message, apostrophes "
        "removed). Ask the engineers before changing them. A rule needs these or 'hinglish'.",
    )
    all_of: list[Text] = Field(
        default_factory=list, description="Patterns that must all be found as well (optional)."
    )
    unless: list[Text] = Field(
        default_factory=list,
        description="Patterns that silence the English part of the rule (optional), e.g. a "
        "general question about dystonia rather than something happening now.",
    )
    hinglish: list[Text] = Field(
        default_factory=list,
        description="Plain Hinglish phrases; any one fires the rule, however it is spelt and "
        "in Devanagari too ('saans nahi' also matches 'sans nhi' and 'साँस नहीं'). "
        "'a/b' is a choice of words, 'word*' means 'starts with', '...' allows up to four "
        "words in between.",
    )
    hinglish_with: list[Text] = Field(
        default_factory=list,
        description="Hinglish phrases of which one must also be present (optional).",
    )
    hinglish_unless: list[Text] = Field(
        default_factory=list,
        description="Hinglish phrases that silence the Hinglish part of the rule (optional).",
    )


class UrgentSpec(_Spec):
    """The emergency screen, checked before anything else."""

    model_config = ConfigDict(title="Urgent screen")

    message: Text = Field(description="The urgent-care reply (112, Tele-MANAS 14416, ...).")
    rules: list[UrgentRuleSpec] = Field(min_length=1, description="The emergency rules.")


class TopicSpec(_Spec):
    """A /topics button."""

    model_config = ConfigDict(title="Topic")

    id: Id
    title: Annotated[str, Field(min_length=1, max_length=MAX_TOPIC_TITLE)] = Field(
        description=f"The button's text, at most {MAX_TOPIC_TITLE} characters."
    )


class MatchingSpec(_Spec):
    """The matcher's thresholds. Do not change them without running the evaluation."""

    model_config = ConfigDict(title="Matching thresholds")

    answer_threshold: float = Field(
        0.45, ge=0.05, le=1.0, description="Score from which the bot answers."
    )
    clarify_threshold: float = Field(
        0.30, ge=0.05, le=1.0, description="Score from which the bot asks 'did you mean'."
    )
    margin: float = Field(
        0.14, ge=0.0, le=0.5, description="Lead over the runner-up needed to answer."
    )


class ReferenceSpec(_Spec):
    """A source an answer is based on."""

    model_config = ConfigDict(title="Reference")

    citation: Text = Field(description="Authors (year). Title. Where it was published.")
    url: str = Field("", description="A link to the source (optional).")
    listed_by: str = Field(
        "",
        description="Only for a paper that another source lists without tying any "
        "statement to it: that source's key. Shown under /sources as further reading, "
        "never cited by an answer.",
    )


class EntrySpec(_Spec):
    """One question and its answer."""

    # defaultSnippets: VS Code's YAML extension offers this skeleton for a new entry.
    model_config = ConfigDict(
        title="FAQ entry",
        json_schema_extra={
            "defaultSnippets": [
                {
                    "label": "new entry",
                    "description": "an entry with every key to fill in",
                    "body": {
                        "id": "${1:new-entry-id}",
                        "topic": "${2:topic-id}",
                        "question": "${3:The question, as a patient asks it?}",
                        "alternates": ["${4:another way to ask}"],
                        "answer": "${5:The answer.}",
                        "references": ["${6:reference-key}"],
                    },
                }
            ]
        },
    )

    id: Id = Field(description="Never change an id once published: QR codes and links use it.")
    topic: Text = Field(description="The id of the topic (under 'topics') it is listed under.")
    kind: Literal["medical", "info"] = Field(
        "medical",
        description="'medical' (needs references) or 'info' (greeting, contact, about the bot).",
    )
    question: Text = Field(description="The answer's title, a question as a patient would ask.")
    alternates: list[Text] = Field(
        description=f"Other ways patients ask the same thing: {MIN_ALTERNATES} or more, "
        "in their own words, typos welcome. Each phrasing belongs to one entry only."
    )
    answer: Text = Field(
        description="The reply: short paragraphs with an empty line between them. "
        "Write 'answer: |-' and the text on the lines below. May use {contact}."
    )
    references: list[Text] = Field(
        default_factory=list,
        description="Keys from the 'references' section. Every medical answer needs one.",
    )
    see_also: list[Text] = Field(
        default_factory=list, description="Ids of related entries, offered as buttons."
    )


class NotCoveredSpec(_Spec):
    """A subject the FAQ deliberately does not answer (for example medicines and doses)."""

    model_config = ConfigDict(
        title="Not covered",
        json_schema_extra={
            "defaultSnippets": [
                {
                    "label": "new not_covered item",
                    "body": {
                        "id": "${1:subject-id}",
                        "topic": "${2:short words naming the subject}",
                        "phrasings": ["${3:how a patient asks}", "${4:}", "${5:}"],
                        "reply": "${6:The honest reply.}",
                    },
                }
            ]
        },
    )

    id: Id = Field(description="Lowercase words joined by '-', like entry ids.")
    topic: Text = Field(description="Short words naming the subject, used in reports.")
    phrasings: list[Text] = Field(
        min_length=MIN_NOT_COVERED_PHRASINGS,
        description=f"How patients ask about it: at least {MIN_NOT_COVERED_PHRASINGS}. "
        "No phrasing may also appear in an entry.",
    )
    reply: Text = Field(
        description="The honest reply that the FAQ does not cover this. May use {contact}."
    )


class FaqFileSpec(_Spec):
    """The Buddhi Clinic dystonia FAQ: everything the Telegram bot says."""

    model_config = ConfigDict(title="Buddhi Clinic dystonia FAQ")

    version: float = Field(ge=1, le=1, description="The file layout's version: always 1.")
    clinic: ClinicSpec
    disclaimer: Text = Field(description="Shown under every medical answer.")
    urgent: UrgentSpec
    fallback: Text = Field(description="The reply when no entry matches. May use {contact}.")
    topics: list[TopicSpec] = Field(min_length=1, description="The /topics buttons, in order.")
    matching: MatchingSpec = Field(default_factory=MatchingSpec)
    synonyms: list[Annotated[list[Text], Field(min_length=2)]] = Field(
        default_factory=list,
        description="Groups of words the bot treats as the same, like [mri, scan, imaging].",
    )
    references: dict[str, ReferenceSpec] = Field(
        description="Sources, each under a short key that entries list in 'references'."
    )
    entries: list[EntrySpec] = Field(min_length=1, description="The questions and answers.")
    not_covered: list[NotCoveredSpec] = Field(
        default_factory=list,
        description="Subjects the FAQ does not cover, each with an honest reply.",
    )


def every_section() -> tuple[type[BaseModel], ...]:
    return (
        FaqFileSpec,
        ClinicSpec,
        UrgentSpec,
        UrgentRuleSpec,
        TopicSpec,
        MatchingSpec,
        ReferenceSpec,
        EntrySpec,
        NotCoveredSpec,
    )


# Every key the file may hold, so a syntax error can tell "a key on the wrong line" from
# "a ':' inside text".
ALL_KEYS = frozenset(key for spec in every_section() for key in spec.model_fields)


def keys_of(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required keys, optional keys) of a section, in the order they are declared."""
    fields = model.model_fields
    required = tuple(name for name, f in fields.items() if f.is_required())
    optional = tuple(name for name, f in fields.items() if not f.is_required())
    return required, optional


def bounds_of(model: type[BaseModel], key: str) -> tuple[float, float]:
    """The (lowest, highest) value a number field allows."""
    low, high = -float("inf"), float("inf")
    for rule in model.model_fields[key].metadata:
        low = float(getattr(rule, "ge", low))
        high = float(getattr(rule, "le", high))
    return low, high


def choices_of(model: type[BaseModel], key: str) -> tuple[str, ...]:
    """The allowed words of a field declared as a Literal."""
    return tuple(getattr(model.model_fields[key].annotation, "__args__", ()))


ValueKind = Literal["text", "number", "texts", "section"]


def value_kind(model: type[BaseModel], key: str) -> ValueKind:
    """How a field's value is written: text, a number, a list of texts, or a section."""
    annotation = model.model_fields[key].annotation
    if annotation is float:
        return "number"
    if annotation is str or get_origin(annotation) is Literal:
        return "text"
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if item is str or (get_origin(item) is Annotated and get_args(item)[0] is str):
            return "texts"
    return "section"


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors read, generated from the models above.

    Written as draft-07 (definitions under "definitions"), the version VS Code's YAML
    extension and JetBrains IDEs support most completely.
    """
    schema = FaqFileSpec.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **schema,
        "definitions": definitions,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m faq.schema` rewrites the schema file; `--check` only says if it is stale."""
    args = sys.argv[1:] if argv is None else argv
    text = json_schema_text()
    current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    if "--check" in args:
        if current != text:
            print(f"{SCHEMA_PATH} is out of date: run python -m faq.schema", file=sys.stderr)
            return 1
        return 0
    if current != text:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
