"""fold(): the one normal form every question and phrasing is compared in."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from faq.text import fold, screen_form


def _fold_by_unicode_rules(text: str) -> str:
    """fold() as its docstring defines it, with no shortcut for plain ASCII."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(ch)
        if category[0] == "C":
            out.append(" " if ch in "\n\r\t" else "")
        elif category == "Mn" and out and out[-1].isascii():
            continue
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_shortcut_folds_exactly_as_the_unicode_rules_do(text: str) -> None:
    assert fold(text) == _fold_by_unicode_rules(text)


def test_controls_become_spaces_or_vanish_and_accents_go() -> None:
    assert fold("I CAN'T\tbreathe\x00\x7f") == "i can't breathe"
    assert fold("Café Dystonía") == "cafe dystonia"


def _screen_form_by_unicode_rules(text: str) -> str:
    """screen_form() as its docstring defines it: letters, digits and marks kept."""
    folded = fold(text).replace("'", "").replace("`", "")
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in folded)
    return " ".join(kept.split())


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_urgent_screens_ascii_shortcut_keeps_exactly_letters_and_digits(text: str) -> None:
    assert screen_form(text) == _screen_form_by_unicode_rules(text)
