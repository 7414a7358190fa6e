"""Arbitrary YAML into the loader: only located problems come out, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.problems import FAQError

SHIPPED = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
SHIPPED_LINES = SHIPPED.split("\n")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "entries",
                    "id",
                    "answer",
                    "urgent",
                    "rules",
                    "any",
                    "topics",
                    "references",
                    "clinic",
                    "alternates",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=4,
        ),
    ),
    max_leaves=25,
)


@st.composite
def mutated_faq(draw: st.DrawFn) -> str:
    """The shipped FAQ with a few lines deleted, duplicated or garbled: staff-like mistakes."""
    lines = list(SHIPPED_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(
                ["delete", "duplicate", "garble", "dedent", "indent", "unkey", "undash", "curly"]
            )
        )
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "garble":
            junk = draw(st.text(alphabet=":-[]{}'\"#&*!|>%@`\t\x0b\u2028โ", min_size=1, max_size=3))
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        elif action == "unkey":  # the ':' after a key forgotten
            lines[i] = lines[i].replace(":", "", 1)
        elif action == "undash":  # a list item's '- ' forgotten
            lines[i] = lines[i].replace("- ", "", 1)
        elif action == "curly":  # a value put in quotes pasted from Word
            key, colon, value = lines[i].partition(": ")
            lines[i] = f"{key}{colon}\u201c{value}\u201d" if colon else lines[i]
        else:
            lines[i] = draw(st.sampled_from([" ", "  ", "   "])) + lines[i]
    return "\n".join(lines)


yaml_inputs = st.one_of(
    st.text(max_size=400),
    documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    mutated_faq(),
)


def check_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "faq.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        faq, problems = check_faq(path)
        for problem in problems:
            assert problem.line >= 1
            assert problem.col >= 1
            assert str(problem).startswith(f"{path}:{problem.line}:{problem.col}: ")
        if faq is None:
            assert any(p.severity == "error" for p in problems)
            with pytest.raises(FAQError):
                load_faq(path)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_inputs)
def test_any_yaml_gives_a_faq_or_located_problems_never_a_crash(text: str) -> None:
    check_text(text)
