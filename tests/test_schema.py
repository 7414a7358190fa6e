"""The published FAQ schema: generated from the models, up to date, and in agreement with the
checker, so what an editor underlines while staff type is what `faq check` refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from faq import schema
from faq.loader import DEFAULT_FAQ_PATH, check_faq
from faq.schema import SCHEMA_PATH, FaqFileSpec, json_schema, json_schema_text
from tests.test_checker import CONTACT_ALTERNATES, MINIMAL_FAQ, mutate

VALIDATOR = jsonschema.Draft7Validator(json_schema())

NOT_COVERED = """\
not_covered:
  - id: medicines-and-doses
    topic: medicines or doses
    phrasings:
      - which medicine should i take for dystonia
      - how much of my tablets can i take
      - can i change my dose
    reply: |-
      The clinic's information here does not cover medicines or doses.
      {contact}
"""


def data_of(text: str) -> Any:
    return yaml.safe_load(text)


def test_schema_file_is_what_the_models_generate() -> None:
    """faq.schema.json is up to date with faq/schema.py (regenerate: python -m faq.schema)."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema_text()
    assert schema.main(["--check"]) == 0


def test_shipped_faq_names_the_schema_on_its_first_line() -> None:
    """The modeline editors read is the first line and points at the schema beside it."""
    first = DEFAULT_FAQ_PATH.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == "# yaml-language-server: $schema=./faq.schema.json"
    assert (DEFAULT_FAQ_PATH.parent / "faq.schema.json").is_file()


def test_schema_is_valid_draft_7() -> None:
    """Editors get a schema they can read: valid JSON Schema draft-07, no dangling refs."""
    jsonschema.Draft7Validator.check_schema(json_schema())
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    for name in json.loads(text)["definitions"]:
        assert f'"#/definitions/{name}"' in text


def _described(node: Any, where: str) -> list[str]:
    missing: list[str] = []
    if isinstance(node, dict):
        for key, prop in node.get("properties", {}).items():
            if "description" not in prop and "$ref" not in prop:
                missing.append(f"{where}.{key}")
        for key, value in node.items():
            missing += _described(value, f"{where}.{key}")
    return missing


def test_every_key_staff_type_has_a_description() -> None:
    """Hovering over any key in the editor shows what it is for."""
    document = json_schema()
    assert _described(document, "") == []
    for name, definition in document["definitions"].items():
        assert definition.get("description"), name


@pytest.mark.parametrize("text", [DEFAULT_FAQ_PATH.read_text("utf-8"), MINIMAL_FAQ + NOT_COVERED])
def test_valid_faqs_pass_the_json_schema_and_the_models(text: str) -> None:
    """The shipped FAQ (and one with not_covered) is valid for the editor and the models."""
    data = data_of(text)
    assert list(VALIDATOR.iter_errors(data)) == []
    FaqFileSpec.model_validate(data)


def _mistakes() -> dict[str, str]:
    def edit(old: str, new: str) -> str:
        return mutate(MINIMAL_FAQ + NOT_COVERED, old, new)

    return {
        "unknown-entry-key": edit("    see_also:", "    see_alsoo:"),
        "unknown-top-key": edit("synonyms:\n", "synonym:\n"),
        "missing-entry-key": edit(
            "    topic: about\n    question: What is", "    question: What is"
        ),
        "alternates-as-text": edit(CONTACT_ALTERNATES, "    alternates: phone number\n"),
        "threshold-as-text": edit("answer_threshold: 0.45", "answer_threshold: high"),
        "threshold-too-high": edit("margin: 0.14", "margin: 3"),
        "version-2": edit("version: 1", "version: 2"),
        "bad-entry-id": edit("  - id: contact-clinic", "  - id: Contact Clinic"),
        "bad-kind": edit("    kind: info", "    kind: advice"),
        "empty-answer": edit(
            "    answer: |-\n      Please get in touch with the clinic.\n      {contact}\n",
            '    answer: ""\n',
        ),
        "long-topic-title": edit("title: About dystonia", "title: " + "About dystonia " * 4),
        "not-covered-two-phrasings": edit("      - can i change my dose\n", ""),
        "not-covered-bad-id": edit("id: medicines-and-doses", "id: Medicines"),
        "not-covered-no-reply": edit(
            "    reply: |-\n      The clinic's information here does not cover medicines"
            " or doses.\n      {contact}\n",
            "",
        ),
        "clinic-without-name": edit("  name: Test Clinic\n", ""),
        "no-entries": mutate(
            MINIMAL_FAQ, MINIMAL_FAQ[MINIMAL_FAQ.index("entries:") :], "entries: []\n"
        ),
        "rule-without-patterns": edit(
            "      any:\n        - '\\bchok(e|es|ed|ing)\\b'\n", "      any: []\n"
        ),
    }


MISTAKES = _mistakes()


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_editor_schema_and_checker_both_refuse_the_same_mistakes(
    name: str, tmp_path: Path, write_schema_faq: Callable[[str], Path]
) -> None:
    """Each structural mistake is underlined by the editor and refused by the checker."""
    text = MISTAKES[name]
    assert list(VALIDATOR.iter_errors(data_of(text))), "the JSON schema accepted it"
    faq, problems = check_faq(write_schema_faq(text))
    assert faq is None, problems


@pytest.fixture
def write_schema_faq(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "faq.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _item(spec: type[BaseModel], valid: dict[str, Any], key: str) -> dict[str, Any]:
    """`valid` with `key` given the other shape: a list where text is declared, and back."""
    declared = json_schema()["definitions"][spec.__name__]["properties"][key]
    wrong: Any = (
        ["one", "two"] if declared.get("type") == "string" or "enum" in declared else "words"
    )
    return {**valid, key: wrong}


EXTRA_ENTRY: dict[str, Any] = {
    "id": "extra-entry",
    "topic": "about",
    "kind": "info",
    "question": "Is there an extra entry?",
    "alternates": [f"extra phrasing number {n}" for n in range(8)],
    "answer": "Yes.",
    "references": [],
    "see_also": ["contact-clinic"],
}
EXTRA_NOT_COVERED: dict[str, Any] = {
    "id": "extra-subject",
    "topic": "an extra subject",
    "phrasings": ["first extra", "second extra", "third extra"],
    "reply": "Not covered.",
}


def _with(section: str, item: dict[str, Any]) -> str:
    listed = yaml.safe_dump([item], sort_keys=False, allow_unicode=True)
    indented = "".join(f"  {line}\n" for line in listed.splitlines())
    if section == "entries":
        return MINIMAL_FAQ + indented
    return MINIMAL_FAQ + NOT_COVERED + indented


@pytest.mark.parametrize(
    ("section", "spec", "valid", "key"),
    [("entries", schema.EntrySpec, EXTRA_ENTRY, key) for key in schema.EntrySpec.model_fields]
    + [
        ("not_covered", schema.NotCoveredSpec, EXTRA_NOT_COVERED, key)
        for key in schema.NotCoveredSpec.model_fields
    ],
)
def test_checker_enforces_each_declared_value_type(
    section: str,
    spec: type[BaseModel],
    valid: dict[str, Any],
    key: str,
    write_schema_faq: Callable[[str], Path],
) -> None:
    """Every key of an entry and a not_covered item: the wrong shape is refused by both the
    editor's schema and the checker, at that value, with the checker's wording."""
    assert check_faq(write_schema_faq(_with(section, valid)))[0] is not None
    text = _with(section, _item(spec, valid, key))
    assert list(VALIDATOR.iter_errors(data_of(text)))
    faq, problems = check_faq(write_schema_faq(text))
    assert faq is None
    base = len(_with(section, {})) - len("  - {}\n")
    found_at = re.compile(rf"^  (- |  ){key}:", re.M).search(text, base)
    assert found_at is not None
    line = text.count("\n", 0, found_at.start()) + 1
    found = [p for p in problems if p.severity == "error" and p.line in (line, line + 1)]
    assert found, problems
    assert any("must be text" in p.message or "must be a list" in p.message for p in found)


def test_value_kinds_are_read_from_the_declarations() -> None:
    """The checker's reader for each key (text, number, list of texts) follows the models."""
    assert schema.value_kind(FaqFileSpec, "version") == "number"
    assert schema.value_kind(FaqFileSpec, "clinic") == "section"
    assert schema.value_kind(schema.EntrySpec, "kind") == "text"
    assert schema.value_kind(schema.EntrySpec, "alternates") == "texts"
    assert schema.value_kind(schema.TopicSpec, "title") == "text"
    assert schema.value_kind(schema.MatchingSpec, "margin") == "number"
    kinds = {
        schema.value_kind(spec, key)
        for spec in schema.every_section()
        for key in spec.model_fields
    }
    assert kinds == {"text", "number", "texts", "section"}
