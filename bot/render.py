"""Replies as Telegram HTML messages (escaped, split to fit) or as plain console text."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversation.replies import Block, Reply
from faq.limits import MESSAGE_LIMIT

MAX_BUTTON_LABEL = 60


def visible_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _block_html(block: Block) -> str:
    if block.kind == "title":
        return f"<b>{html.escape(block.text)}</b>"
    if block.kind == "note":
        return f"<i>{html.escape(block.text)}</i>"
    if block.kind == "sources":
        items = "\n".join(f"• {html.escape(item)}" for item in block.items)
        return f"<b>{html.escape(block.text)}</b>\n{items}"
    if block.kind == "pre":
        return f"<pre>{html.escape(block.text)}</pre>"
    return html.escape(block.text)


def _block_plain(block: Block) -> str:
    if block.kind == "title":
        return block.text.upper() if block.text.isascii() else block.text
    if block.kind == "sources":
        return f"{block.text}:\n" + "\n".join(f"  • {item}" for item in block.items)
    return block.text


def render_html(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """HTML message texts, each within Telegram's limit, split between blocks.

    Answers are short (the FAQ checker enforces it), so splitting only matters for long
    lists; the disclaimer, being the last block, always stays in the last message.
    """
    pieces: list[tuple[str, int]] = []
    for block in reply.blocks:
        for part in _fit(block, limit):
            pieces.append((_block_html(part), visible_length(_block_plain_for_length(part))))
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for text, length in pieces:
        extra = length + (2 if current else 0)
        if current and used + extra > limit:
            messages.append("\n\n".join(current))
            current, used = [], 0
            extra = length
        current.append(text)
        used += extra
    if current:
        messages.append("\n\n".join(current))
    return messages or ["…"]


def _block_plain_for_length(block: Block) -> str:
    """The text Telegram will count for this block once the HTML tags are parsed away."""
    if block.kind == "sources":
        return f"{block.text}\n" + "\n".join(f"• {item}" for item in block.items)
    return block.text


def _fit(block: Block, limit: int) -> list[Block]:
    """Split a block that alone exceeds the limit: lists by item, text by line, then hard."""
    if visible_length(_block_plain_for_length(block)) <= limit:
        return [block]
    if block.kind == "sources" and len(block.items) > 1:
        out: list[Block] = []
        for item in block.items:
            out.extend(_fit(Block("sources", block.text, (item,)), limit))
        return out
    # One paragraph, or one citation, longer than a whole message: cut it as plain text.
    text = block.items[0] if block.kind == "sources" else block.text
    budget = limit // 2  # leaves room for any surrogate pairs in a hard cut
    chunks = [text[i : i + budget] for i in range(0, len(text), budget)]
    kind = "text" if block.kind == "sources" else block.kind
    return [Block(kind, chunk) for chunk in chunks]


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_label(b.label), callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


def render_plain(reply: Reply) -> tuple[str, list[str]]:
    """Console text, and the button payloads in the order they are numbered on screen."""
    lines = [_block_plain(b) for b in reply.blocks]
    payloads: list[str] = []
    options: list[str] = []
    for row in reply.buttons:
        for button in row:
            payloads.append(button.data)
            options.append(f"  [{len(payloads)}] {button.label}")
    text = "\n\n".join(lines)
    if options:
        text += "\n\n" + "\n".join(options)
    return text, payloads
