"""Personal details a patient may type, found and masked.

Staff digests show masked text, and the checker refuses an FAQ phrasing that contains
any of these: a patient's words become FAQ content only without their details.
"""

from __future__ import annotations

import re

# Personal details a patient may type; they must never become FAQ text or be shown to
# staff in a digest. Order matters: e-mail before @username, phone before digit runs.
_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\w)@\w{3,}"), "[@username]"),
    (re.compile(r"(?<!\d)(\+?\d[\d\s().-]{7,}\d)(?!\d)"), "[phone]"),
    (re.compile(r"\d{5,}"), "[number]"),
)


def mask_personal(text: str) -> str:
    """Phone numbers, e-mail addresses, @usernames and long digit runs, masked."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def has_personal(text: str) -> bool:
    return mask_personal(text) != text
