"""The Hindi wording file: loaded beside the FAQ, checked, located, never half-served."""

from __future__ import annotations

import shutil
from pathlib import Path

from faq.live import LiveFAQ
from faq.loader import load_faq
from faq.translations import load_translation, translation_path

SHIPPED = Path(__file__).resolve().parents[1] / "faq" / "data" / "faq.yaml"


def _copy_faq(tmp_path: Path) -> Path:
    target = tmp_path / "faq.yaml"
    shutil.copy(SHIPPED, target)
    shutil.copy(translation_path(SHIPPED, "hi"), translation_path(target, "hi"))
    return target


def test_shipped_hindi_file_loads_with_the_urgent_message() -> None:
    """The shipped FAQ carries a Hindi urgent message that keeps both emergency numbers."""
    faq = LiveFAQ(SHIPPED).load().faq
    urgent = faq.translations["hi"].text("urgent_message")
    assert urgent is not None
    assert "112" in urgent
    assert "14416" in urgent


def test_translation_file_sits_beside_whatever_faq_path_names(tmp_path: Path) -> None:
    """A staff copy elsewhere (FAQ_PATH) reads the Hindi file next to it."""
    assert translation_path(tmp_path / "clinic.yaml", "hi") == tmp_path / "clinic.hi.yaml"


def test_unknown_entry_id_is_reported_at_its_line(tmp_path: Path) -> None:
    """A typo in an entry id would silently never show: it is an error with its location."""
    faq_path = _copy_faq(tmp_path)
    hi = translation_path(faq_path, "hi")
    hi.write_text(
        "language: hi\nentries:\n  what-is-dystonai:\n    reviewed: false\n"
        "    question: डिस्टोनिया क्या है?\n    answer: उत्तर\n",
        encoding="utf-8",
    )
    translation, problems = load_translation(hi, load_faq(faq_path))
    assert translation is None
    assert [(p.line, p.col) for p in problems] == [(3, 3)]
    assert "what-is-dystonai" in problems[0].message


def test_missing_review_mark_is_located(tmp_path: Path) -> None:
    """Every item must say whether it was reviewed; the message points at the item."""
    faq_path = _copy_faq(tmp_path)
    hi = translation_path(faq_path, "hi")
    hi.write_text("language: hi\ntexts:\n  fallback:\n    text: माफ़ कीजिए\n", encoding="utf-8")
    translation, problems = load_translation(hi, load_faq(faq_path))
    assert translation is None
    assert str(problems[0]).startswith(f"{hi}:4:5: 'texts.fallback.reviewed' is missing")


def test_broken_hindi_file_keeps_the_last_good_faq_serving(tmp_path: Path) -> None:
    """A half-edited translation is refused like a broken FAQ edit."""
    faq_path = _copy_faq(tmp_path)
    live = LiveFAQ(faq_path)
    before = live.load()
    translation_path(faq_path, "hi").write_text("language: [hi\n", encoding="utf-8")
    result = live.refresh(force=True)
    assert result.status == "failed"
    assert live.current is before
