"""Reads the FAQ file's bytes safely: only a regular file, within a size cap and a time limit.

FAQ_PATH is a setting, so it can name anything: a symlink to /dev/zero (endless bytes), a
named pipe (an open that blocks until someone writes), a 50 MB accident. Every such case
is refused from `stat` alone, before the file is opened, as one located problem; a regular
file is opened without blocking and read in chunks against a deadline.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from faq.problems import Problem

DEFAULT_MAX_BYTES = 2_000_000  # the shipped FAQ is about 53 KB
DEFAULT_MAX_ENTRIES = 2_000  # the shipped FAQ has 23; the 10,000-phrasing benchmark about 990
DEFAULT_READ_SECONDS = 5.0
_CHUNK = 1 << 16

# (device, inode, size, mtime_ns, ctime_ns): changes whenever an editor saves the file.
Fingerprint = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class FaqLimits:
    """How much FAQ the bot accepts; configured by FAQ_MAX_BYTES and FAQ_MAX_ENTRIES."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_entries: int = DEFAULT_MAX_ENTRIES
    read_seconds: float = DEFAULT_READ_SECONDS

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_entries < 1 or self.read_seconds <= 0:
            raise ValueError("FAQ limits must be positive")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FaqLimits:
        """The limits the staff commands use: the same variables the bot reads."""
        values = os.environ if env is None else env
        caps: dict[str, int] = {}
        for name, field in (("FAQ_MAX_BYTES", "max_bytes"), ("FAQ_MAX_ENTRIES", "max_entries")):
            raw = values.get(name, "").strip().replace("_", "")
            if not raw:
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(f"{name} must be a whole number of at least 1")
            caps[field] = int(raw)
        return cls(**caps)


class FaqReadError(Exception):
    """The file cannot be used as it is; carries the located problem to show staff."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def fingerprint(st: os.stat_result) -> Fingerprint:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def recently_changed(st: os.stat_result, now_ns: int | None = None) -> bool:
    """True while the modification time is too fresh to prove nothing changed since.

    Some file systems keep modification times to the second (FAT: two seconds), so an edit
    saved within the same tick keeps the old fingerprint; such a file is read and hashed.
    """
    now = time.time_ns() if now_ns is None else now_ns
    return now - st.st_mtime_ns < 2_000_000_000


def _refuse(path: Path, message: str, hint: str) -> FaqReadError:
    return FaqReadError(Problem(str(path), 1, 1, message, hint))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_stat(path: Path, st: os.stat_result, limits: FaqLimits) -> None:
    """Refuse anything but a regular file within the size cap (FaqReadError)."""
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(
            path,
            f"this is {_kind(st.st_mode)}, not an FAQ file",
            "FAQ_PATH must name the FAQ file itself, an ordinary file saved by an editor",
        )
    check_size(path, st.st_size, limits)


def stat_file(path: Path, limits: FaqLimits) -> os.stat_result:
    """The file's status (following symlinks), refused unless it may be read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _refuse(path, "file not found", "check the path, or set FAQ_PATH") from None
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror or exc}", "") from None
    check_stat(path, st, limits)
    return st


def read_file(path: Path, limits: FaqLimits) -> tuple[bytes, os.stat_result]:
    """The file's bytes and the status they were read under; FaqReadError otherwise."""
    stat_file(path, limits)
    # O_NONBLOCK: if a named pipe replaced the file since the stat, opening it must not wait
    # for a writer; it is then refused by the fstat below.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _refuse(path, "file not found", "check the path, or set FAQ_PATH") from None
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror or exc}", "") from None
    try:
        st = os.fstat(fd)
        check_stat(path, st, limits)
        return _read_bounded(path, fd, limits), st
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror or exc}", "") from None
    finally:
        os.close(fd)


def _read_bounded(path: Path, fd: int, limits: FaqLimits) -> bytes:
    deadline = time.monotonic() + limits.read_seconds
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        check_size(path, size, limits)  # it may have grown since the stat
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _refuse(
                path,
                f"reading the file took longer than {limits.read_seconds:g} seconds",
                "keep the FAQ on a local disk, not a slow network share",
            )


def check_size(path: Path, size: int, limits: FaqLimits) -> None:
    """Refuse (FaqReadError) content over the size cap."""
    if size > limits.max_bytes:
        raise _refuse(
            path,
            f"the file is {size:,} bytes; an FAQ may be at most {limits.max_bytes:,}",
            "check that this is the FAQ file; FAQ_MAX_BYTES sets the limit",
        )


def decode_text(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    """The file's text, or the located problems that make it unusable as YAML text."""
    name = str(path)

    def fail(
        message: str, line: int = 1, col: int = 1, hint: str = ""
    ) -> tuple[None, list[Problem]]:
        return None, [Problem(name, line, col, message, hint)]

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
