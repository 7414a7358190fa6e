"""The safe FAQ reader: only regular files within the caps, refused before they are read.

Every test here is bounded: a device or a named pipe must be refused from its status,
never opened and read (which would run forever or block until a writer appears).
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.problems import FAQError
from faq.reader import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, FaqLimits, FaqReadError, read_file

FAQ_PACKAGE = Path(__file__).resolve().parent.parent / "faq"
needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@pytest.fixture
def faq_file(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    shutil.copyfile(DEFAULT_FAQ_PATH, path)
    return path


@pytest.mark.timeout(10)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_refused_as_a_device(tmp_path: Path) -> None:
    """A path that leads to endless bytes is refused from its status, not read."""
    link = tmp_path / "faq.yaml"
    link.symlink_to("/dev/zero")
    faq, problems = check_faq(link)
    assert faq is None
    [problem] = problems
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message == "this is a device, not an FAQ file"
    assert "FAQ_PATH" in problem.hint


@pytest.mark.timeout(10)
@needs_posix
def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """A FIFO is refused at once; opening it for reading would block."""
    fifo = tmp_path / "faq.yaml"
    os.mkfifo(fifo)
    faq, problems = check_faq(fifo)
    assert faq is None
    assert [p.message for p in problems] == ["this is a named pipe, not an FAQ file"]


@pytest.mark.timeout(10)
@needs_posix
def test_pipe_swapped_in_after_the_status_check_is_opened_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if a pipe replaces the file between the check and the open, nothing blocks."""
    fifo = tmp_path / "faq.yaml"
    os.mkfifo(fifo)
    monkeypatch.setattr("faq.reader.stat_file", lambda path, limits: None)
    with pytest.raises(FaqReadError) as refused:
        read_file(fifo, FaqLimits())
    assert refused.value.problem.message == "this is a named pipe, not an FAQ file"


def test_directory_is_refused_as_a_folder(tmp_path: Path) -> None:
    """A folder named as the FAQ says so, at 1:1."""
    faq, problems = check_faq(tmp_path)
    assert faq is None
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 1, "this is a folder, not an FAQ file")
    ]


def test_file_over_the_size_cap_is_refused_with_its_size(faq_file: Path) -> None:
    """The size cap names the file's size and the limit, and the setting that sets it."""
    size = faq_file.stat().st_size
    faq, problems = check_faq(faq_file, limits=FaqLimits(max_bytes=size - 1))
    assert faq is None
    [problem] = problems
    assert problem.message == f"the file is {size:,} bytes; an FAQ may be at most {size - 1:,}"
    assert "FAQ_MAX_BYTES" in problem.hint
    assert check_faq(faq_file, limits=FaqLimits(max_bytes=size))[0] is not None


def test_bytes_already_read_are_held_to_the_size_cap(faq_file: Path) -> None:
    """Content handed in by a caller gets the same cap as content read from disk."""
    raw = faq_file.read_bytes()
    faq, problems = check_faq(faq_file, raw, limits=FaqLimits(max_bytes=len(raw) - 1))
    assert faq is None
    assert "an FAQ may be at most" in problems[0].message


def test_faq_over_the_entry_cap_is_refused_at_the_first_entry_too_many(faq_file: Path) -> None:
    """The entry cap is a located error at the first entry over the limit."""
    text = faq_file.read_text(encoding="utf-8")
    with pytest.raises(FAQError) as raised:
        load_faq(faq_file, limits=FaqLimits(max_entries=5))
    # The not_covered list has the same cap and its own message; this one is the entries'.
    [problem] = [p for p in raised.value.problems if " entries;" in p.message]
    index = text.index("\nentries:")
    total = text.count("\n  - id: ", index)
    assert problem.message == f"there are {total} entries; the bot accepts at most 5"
    assert "FAQ_MAX_ENTRIES" in problem.hint
    for _ in range(6):
        index = text.index("\n  - id: ", index + 1)
    assert problem.line == text.count("\n", 0, index) + 2
    assert problem.col == len("  - ") + 1


def test_shipped_faq_fits_the_default_caps_with_room_to_grow() -> None:
    """The defaults leave the real FAQ at least ten times the room it uses."""
    faq = load_faq(DEFAULT_FAQ_PATH)
    assert DEFAULT_FAQ_PATH.stat().st_size * 10 < DEFAULT_MAX_BYTES
    assert len(faq.entries) * 10 < DEFAULT_MAX_ENTRIES


def test_caps_come_from_the_environment_for_staff_commands() -> None:
    """python -m faq reads FAQ_MAX_BYTES and FAQ_MAX_ENTRIES, as the bot does."""
    limits = FaqLimits.from_env({"FAQ_MAX_BYTES": "500_000", "FAQ_MAX_ENTRIES": "40"})
    assert (limits.max_bytes, limits.max_entries) == (500_000, 40)
    assert FaqLimits.from_env({}) == FaqLimits()
    with pytest.raises(ValueError, match="FAQ_MAX_ENTRIES must be a whole number"):
        FaqLimits.from_env({"FAQ_MAX_ENTRIES": "lots"})


def test_bot_settings_pass_the_caps_to_the_faq_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    """FAQ_MAX_BYTES / FAQ_MAX_ENTRIES become the FaqLimits the bot's LiveFAQ uses."""
    monkeypatch.setenv("FAQ_MAX_BYTES", "300000")
    monkeypatch.setenv("FAQ_MAX_ENTRIES", "50")
    settings = load_settings(_env_file=None)
    assert settings.faq_limits == FaqLimits(max_bytes=300_000, max_entries=50)
    monkeypatch.delenv("FAQ_MAX_BYTES")
    monkeypatch.delenv("FAQ_MAX_ENTRIES")
    assert load_settings(_env_file=None).faq_limits == FaqLimits()


def test_faq_domain_never_imports_the_bot() -> None:
    """faq/ knows nothing about Telegram: the caps reach it as a value, not an import."""
    for source in FAQ_PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n == "bot" or n.startswith("bot.") for n in names), source


@pytest.mark.parametrize(("name", "value"), [("FAQ_MAX_BYTES", "0"), ("FAQ_MAX_ENTRIES", "-1")])
def test_bot_refuses_a_cap_below_its_minimum_at_start_up(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """A cap that would refuse every FAQ stops the bot at start-up, naming the setting."""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"invalid setting {name}"):
        load_settings(_env_file=None)
