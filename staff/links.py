"""Links that open the bot on one answer, and QR codes of them for posters and leaflets.

https://t.me/<bot>?start=<entry-id> opens a chat with the bot, and its /start handler
receives the entry id, so the patient sees that answer straight away.
"""

from __future__ import annotations

import re
from pathlib import Path

import segno

from faq.model import FAQ

USERNAME_RULE = (
    "a bot username has 5-32 characters, only letters, digits and underscores, "
    'and ends in "bot" (e.g. BuddhiClinicBot)'
)
_USERNAME = re.compile(r"[A-Za-z0-9_]{5,32}")
# What Telegram accepts as a /start parameter.
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


class BadUsernameError(ValueError):
    def __init__(self, username: str) -> None:
        super().__init__(f"{username!r} is not a bot username: {USERNAME_RULE}")


def check_username(username: str) -> str:
    """`username` checked against Telegram's rules; a leading "@" is dropped."""
    name = username.strip().removeprefix("@")
    if not _USERNAME.fullmatch(name) or not name.casefold().endswith("bot"):
        raise BadUsernameError(username)
    return name


def deep_link(bot_username: str, entry_id: str) -> str:
    """The t.me link that opens the bot on `entry_id`'s answer."""
    if not _START_PARAMETER.fullmatch(entry_id):
        raise ValueError(
            f"{entry_id!r} cannot be a start parameter "
            "(1-64 characters: letters, digits, '_' and '-')"
        )
    return f"https://t.me/{check_username(bot_username)}?start={entry_id}"


def write_qr_codes(faq: FAQ, bot_username: str, out_dir: Path) -> list[Path]:
    """One `<entry-id>.png` QR code per entry in `out_dir`; the paths, in FAQ order."""
    links = [(entry.id, deep_link(bot_username, entry.id)) for entry in faq.entries]
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry_id, url in links:
        path = out_dir / f"{entry_id}.png"
        # micro=False: a Micro QR code would be smaller, but many phone cameras cannot read it.
        segno.make(url, error="m", micro=False).save(str(path), scale=8, border=4)
        paths.append(path)
    return paths
