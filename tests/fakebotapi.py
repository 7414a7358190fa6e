"""A local fake of the Telegram Bot API for end-to-end tests.

The real python-telegram-bot stack (``HTTPXRequest`` -> ``BaseRequest`` -> ``Bot`` /
``Application``) talks to this server over HTTP, so tests exercise the real wire protocol:

* Requests are ``POST {base_url}{token}/{method}``.  PTB sends form-urlencoded parameters in
  which every non-string value is JSON-encoded (``RequestParameter.json_value``) and switches to
  multipart when files are attached.  Telegram also accepts JSON bodies and GET query strings,
  so the fake does too.  Because strings are *not* JSON-encoded, a value like ``"123"`` is
  ambiguous on the wire; like Telegram, the fake decodes each parameter by its declared type.
* Responses are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "...", "parameters": {...}}``.  PTB picks the exception from the *HTTP status*,
  not from ``error_code``: 400 BadRequest, 401/404 InvalidToken, 403 Forbidden, 409 Conflict,
  anything else NetworkError; ``parameters.retry_after`` becomes RetryAfter whatever the status.

The fake validates what Telegram validates (text length in UTF-16 code units, HTML/Markdown
entity parsing, inline keyboard limits, "message is not modified", ...) and answers with
Telegram's wording, so bugs that only show against the real API show here.  Where the fake is
deliberately stricter than Telegram (unknown ``&entities;`` and bare ``&`` in HTML, buttons with
two actions) the error description says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol, Self
from urllib.parse import urlsplit

from aiohttp import web

JSONDict = dict[str, Any]
Params = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Identities and limits
# --------------------------------------------------------------------------------------------

FAKE_TOKEN = "123456789:TEST-token-DO-NOT-LOG_abcdefghijklmnopq"

BOT_ID = 7000000001
BOT_USERNAME = "dystonia_faq_test_bot"
BOT_FIRST_NAME = "Dystonia FAQ"
# The `from` of every message the bot sends; getMe returns a superset of it.
BOT_USER: JSONDict = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
}

DEFAULT_USER_ID = 100000001
DEFAULT_FIRST_NAME = "Asha"
DEFAULT_GROUP_ID = -4000000001
DEFAULT_SUPERGROUP_ID = -1001000000001

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS_PER_ROW = 8
MAX_BUTTONS_TOTAL = 100
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_BOT_COMMANDS = 100

CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE_DESCRIPTION = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# What nginx in front of api.telegram.org answers when the backend is down.  It is not JSON,
# which is exactly what makes it interesting: PTB must cope with an unparsable error body.
NGINX_ERROR_PAGES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


def nginx_error_page(status: int) -> str:
    reason = NGINX_ERROR_PAGES.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n"
        "<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
    )


# Update types Telegram sends when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


# --------------------------------------------------------------------------------------------
# Errors and small helpers
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API error response: HTTP status, description and optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class EntityParseError(Exception):
    """The text could not be parsed with the given parse_mode (-> "can't parse entities")."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for lengths and entity offsets."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def _now() -> int:
    return int(time.time())


# --------------------------------------------------------------------------------------------
# Entity parsing (HTML, MarkdownV2, Markdown) - modelled on tdlib's MessageEntity.cpp
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedText:
    plain: str
    entities: list[JSONDict]


class _TextBuilder:
    """Accumulates parsed output and tracks the UTF-16 offset that entities refer to."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.utf16 = 0
        self.entities: list[JSONDict] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.utf16 += utf16_len(text)

    def text_since(self, part_index: int) -> str:
        return "".join(self.parts[part_index:])

    def add_entity(self, entity_type: str, offset: int, **extra: str) -> JSONDict | None:
        length = self.utf16 - offset
        if length <= 0:  # Telegram silently drops empty entities
            return None
        entity: JSONDict = {"type": entity_type, "offset": offset, "length": length, **extra}
        self.entities.append(entity)
        return entity

    def result(self) -> ParsedText:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.parts), entities)


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets of the raw text."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _normalise_link(url: str) -> str | None:
    """The URL a text_link gets, or None when Telegram would drop the entity (invalid URL)."""
    url = url.strip()
    if not url or any(char.isspace() for char in url):
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        scheme = url.split(":", 1)[0].lower()
        return url if scheme in {"http", "https", "tg", "ton", "ftp"} else None
    return f"http://{url}" if "." in url else None


_HTML_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACES = frozenset(" \t\r\n\v\f\0")


def _is_html_space(char: str) -> bool:
    # tdlib scans a NUL-terminated buffer, so "end of text" behaves like a space.
    return char == "" or char in _HTML_SPACES


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == "&"`` exactly as tdlib does.

    Returns the character and the index after the reference, or None when tdlib would keep
    the ``&`` literally (unknown name, bare ``&``, out-of-range number).  The ``;`` is optional.
    """
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        if text.startswith("x", end):
            end += 1
            digits_start = end
            while end < len(text) and text[end] in "0123456789abcdefABCDEF":
                end += 1
            value = int(text[digits_start:end], 16) if end > digits_start else 0
        else:
            digits_start = end
            while end < len(text) and text[end].isascii() and text[end].isdigit():
                end += 1
            value = int(text[digits_start:end]) if end > digits_start else 0
        if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        name_start = end
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _HTML_NAMED_ENTITIES.get(text[name_start:end])
        if named is None:
            return None
        char = named
    if text.startswith(";", end):
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    part_index: int


class _HtmlParser:
    """Telegram's HTML dialect: a fixed set of tags, four named entities, numeric references.

    With ``strict=True`` (the default in FakeBotAPI) an ``&`` that does not start a known
    reference is an error.  Telegram itself shows such text literally, but it is almost always
    a missing ``html.escape``, and the same bug breaks as soon as the text contains ``<``.
    """

    def __init__(self, text: str, *, strict: bool) -> None:
        self._text = text
        self._strict = strict
        self._pos = 0
        self._out = _TextBuilder()
        self._open: list[_OpenTag] = []

    def parse(self) -> ParsedText:
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char == "&":
                self._character_reference()
            elif char == "<":
                self._tag()
            else:
                self._out.emit(char)
                self._pos += 1
        if self._open:
            name = self._open[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        for entity in self._out.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only <pre> keeps a language
        return self._out.result()

    # -- helpers ------------------------------------------------------------------------------

    def _at(self, index: int) -> str:
        return self._text[index] if index < len(self._text) else ""

    def _skip_spaces(self, index: int) -> int:
        while index < len(self._text) and _is_html_space(self._text[index]):
            index += 1
        return index

    def _error(self, message: str, index: int) -> EntityParseError:
        return EntityParseError(f"{message} at byte offset {_byte_offset(self._text, index)}")

    def _strict_reference_error(self, index: int) -> EntityParseError:
        # "&name;" reads as an attempted entity; anything else as a forgotten html.escape.
        match = re.match(r"&(?:[A-Za-z]+|#x?[0-9A-Fa-f]*);", self._text[index:])
        what = f'Unsupported HTML entity "{match.group(0)}"' if match else 'Unescaped "&"'
        return EntityParseError(
            f"{what} at byte offset {_byte_offset(self._text, index)}; escape it as &amp; "
            "(the fake is stricter than Telegram here, which would show it literally)"
        )

    def _decode_reference(self, index: int) -> tuple[str, int] | None:
        decoded = _decode_html_entity(self._text, index)
        if decoded is None and self._strict:
            raise self._strict_reference_error(index)
        return decoded

    # -- text ---------------------------------------------------------------------------------

    def _character_reference(self) -> None:
        decoded = self._decode_reference(self._pos)
        if decoded is None:
            self._out.emit("&")
            self._pos += 1
        else:
            char, self._pos = decoded
            self._out.emit(char)

    def _tag(self) -> None:
        if self._at(self._pos + 1) == "/":
            self._end_tag(self._pos)
        else:
            self._start_tag(self._pos)

    # -- start tags ---------------------------------------------------------------------------

    def _start_tag(self, begin: int) -> None:
        i = begin + 1
        while not _is_html_space(self._at(i)) and self._at(i) != ">":
            i += 1
        if i >= len(self._text):
            raise self._error("Unclosed start tag", begin)
        name = self._text[begin + 1 : i].lower()
        if name not in _HTML_TAG_ENTITY_TYPES:
            raise self._error(f'Unsupported start tag "{name}"', begin)

        argument = ""
        while self._at(i) != ">":
            i = self._skip_spaces(i)
            if i >= len(self._text):
                raise self._error(f'Unclosed start tag "{name}"', begin)
            if self._text[i] == ">":
                break
            attribute, value, i = self._attribute(name, begin, i)
            argument = _tag_argument(name, attribute, value, argument)
        self._pos = i + 1

        if name == "span" and argument != "spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not argument.isdigit():
            raise self._error('Tag "tg-emoji" must have a numeric "emoji-id" attribute', begin)
        self._open.append(_OpenTag(name, argument, self._out.utf16, len(self._out.parts)))

    def _attribute(self, tag: str, begin: int, i: int) -> tuple[str, str, int]:
        """Parse ``name=value`` (or a bare ``expandable``) starting at ``i``."""
        name_start = i
        while not _is_html_space(self._at(i)) and self._at(i) not in ("=", ">"):
            i += 1
        name = self._text[name_start:i]
        if not name:
            raise self._error(f'Empty attribute name in the tag "{tag}"', begin)
        i = self._skip_spaces(i)
        if self._at(i) != "=":
            if tag == "blockquote" and name == "expandable":
                return name, "", i
            raise self._error(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
            )
        i = self._skip_spaces(i + 1)
        if i >= len(self._text):
            raise self._error(f'Unclosed start tag "{tag}"', begin)
        value, i = self._attribute_value(i)
        if i >= len(self._text):
            raise self._error("Unclosed start tag", begin)
        return name, value, i

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self._text[i]
        if quote not in ("'", '"'):
            # An unquoted "name token": letters, digits, periods and hyphens; case-insensitive.
            start = i
            while (self._at(i).isascii() and self._at(i).isalnum()) or self._at(i) in (".", "-"):
                i += 1
            if not _is_html_space(self._at(i)) and self._at(i) != ">":
                raise self._error("Unexpected end of name token", start)
            return self._text[start:i].lower(), i
        i += 1
        chars: list[str] = []
        while i < len(self._text) and self._text[i] != quote:
            decoded = self._decode_reference(i) if self._text[i] == "&" else None
            if decoded is None:
                chars.append(self._text[i])
                i += 1
            else:
                char, i = decoded
                chars.append(char)
        if i < len(self._text):
            i += 1  # the closing quote
        return "".join(chars), i

    # -- end tags -----------------------------------------------------------------------------

    def _end_tag(self, begin: int) -> None:
        if not self._open:
            raise self._error("Unexpected end tag", begin)
        i = begin + 2
        while not _is_html_space(self._at(i)) and self._at(i) != ">":
            i += 1
        end_name = self._text[begin + 2 : i]
        i = self._skip_spaces(i)
        if self._at(i) != ">":
            raise self._error("Unclosed end tag", begin)
        tag = self._open[-1]
        if end_name and end_name.lower() != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(self._text, begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self._open.pop()
        self._close(tag)
        self._pos = i + 1

    def _close(self, tag: _OpenTag) -> None:
        out = self._out
        entity_type = _HTML_TAG_ENTITY_TYPES[tag.name]
        previous = out.entities[-1] if out.entities else None
        same_range = (
            previous is not None
            and previous["offset"] == tag.utf16_offset
            and previous["offset"] + previous["length"] == out.utf16
        )
        # <pre><code class="language-x">...</code></pre> (in either nesting order) is one
        # "pre" entity with a language, as in tdlib.
        if same_range and previous is not None:
            if tag.name == "pre" and previous["type"] == "code" and previous.get("language"):
                previous["type"] = "pre"
                return
            if tag.name == "code" and previous["type"] == "pre" and tag.argument:
                previous["language"] = tag.argument
                return

        extra: dict[str, str] = {}
        if tag.name == "a":
            url = _normalise_link(tag.argument or out.text_since(tag.part_index))
            if url is None:
                return
            extra["url"] = url
        elif tag.name == "code" and tag.argument:
            extra["language"] = tag.argument
        elif tag.name == "tg-emoji":
            extra["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.argument == "expandable":
            entity_type = "expandable_blockquote"
        out.add_entity(entity_type, tag.utf16_offset, **extra)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag cares about; tdlib ignores all other attributes."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return current


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
# tdlib's names for entity types, as they appear in "Can't find end of X entity" errors.
_MDV2_KIND_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_MDV2_CLOSERS = {
    "bold": "*",
    "italic": "_",
    "underline": "__",
    "strikethrough": "~",
    "spoiler": "||",
    "code": "`",
    "pre": "```",
    "text_link": "]",
    "custom_emoji": "]",
}


@dataclass
class _OpenMarkdown:
    kind: str
    utf16_offset: int
    byte_offset: int
    part_index: int
    language: str = ""


class _MarkdownV2Parser:
    """MarkdownV2: every reserved character outside an entity must be escaped with ``\\``."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._out = _TextBuilder()
        self._open: list[_OpenMarkdown] = []
        self._quote_start: int | None = None
        self._quote_end = 0
        self._quote_expandable = False

    def parse(self) -> ParsedText:
        text = self._text
        while self._pos < len(text):
            if self._at_line_start() and not self._in_code():
                self._quote_line_start()
                if self._pos >= len(text):
                    break
            char = text[self._pos]
            next_char = text[self._pos + 1] if self._pos + 1 < len(text) else ""
            if char == "\\" and next_char and 0 < ord(next_char) <= 126:
                self._out.emit(next_char)
                self._pos += 2
            elif char == "\n":
                self._quote_end = self._out.utf16
                self._out.emit(char)
                self._pos += 1
            elif char not in self._reserved():
                self._out.emit(char)
                self._pos += 1
            elif self._closes_expandable_quote():
                self._pos += 2
            elif self._open and text.startswith(_MDV2_CLOSERS[self._open[-1].kind], self._pos):
                if not (self._open[-1].kind == "italic" and next_char == "_"):
                    self._close()
                else:
                    self._start(char, next_char)
            else:
                self._start(char, next_char)
        if self._open:
            entity = self._open[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_KIND_NAMES[entity.kind]} entity "
                f"at byte offset {entity.byte_offset}"
            )
        self._end_quote(self._out.utf16)
        return self._out.result()

    def _at_line_start(self) -> bool:
        return self._pos == 0 or self._text[self._pos - 1] == "\n"

    def _in_code(self) -> bool:
        return bool(self._open) and self._open[-1].kind in ("code", "pre")

    def _reserved(self) -> frozenset[str]:
        # Inside code and pre only ` (and \) are special.
        return frozenset("`") if self._in_code() else _MDV2_RESERVED

    def _quote_line_start(self) -> None:
        """``>`` (or ``**>`` for an expandable quote) at a line start quotes that line."""
        text = self._text
        if text.startswith("**>", self._pos):
            marker, expandable = 3, True
        elif text.startswith(">", self._pos):
            marker, expandable = 1, False
        else:
            self._end_quote(self._quote_end)
            return
        if self._quote_start is None:
            self._quote_start = self._out.utf16
            self._quote_expandable = expandable
        self._pos += marker

    def _closes_expandable_quote(self) -> bool:
        end = self._pos + 2
        return (
            self._quote_expandable
            and self._quote_start is not None
            and self._text.startswith("||", self._pos)
            and (end >= len(self._text) or self._text[end] == "\n")
            and not (self._open and self._open[-1].kind == "spoiler")
        )

    def _end_quote(self, end_utf16: int) -> None:
        if self._quote_start is None:
            return
        kind = "expandable_blockquote" if self._quote_expandable else "blockquote"
        saved = self._out.utf16
        self._out.utf16 = end_utf16  # the quote ends before the newline that ended it
        self._out.add_entity(kind, self._quote_start)
        self._out.utf16 = saved
        self._quote_start = None

    def _start(self, char: str, next_char: str) -> None:
        text = self._text
        begin = self._pos
        language = ""
        if char == "_" and next_char == "_":
            kind, width = "underline", 2
        elif char in ("_", "*", "~"):
            kind, width = {"_": "italic", "*": "bold", "~": "strikethrough"}[char], 1
        elif char == "|" and next_char == "|":
            kind, width = "spoiler", 2
        elif char == "[":
            kind, width = "text_link", 1
        elif char == "!" and next_char == "[":
            kind, width = "custom_emoji", 2
        elif char == "`" and text.startswith("```", begin):
            kind, width = "pre", 3
            language, width = self._pre_language(begin + 3)
        elif char == "`":
            kind, width = "code", 1
        else:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        self._open.append(
            _OpenMarkdown(
                kind,
                self._out.utf16,
                _byte_offset(text, begin),
                len(self._out.parts),
                language,
            )
        )
        self._pos = begin + width

    def _pre_language(self, start: int) -> tuple[str, int]:
        """Language after the opening ```, and the width of the whole opening marker."""
        text = self._text
        end = start
        while end < len(text) and not text[end].isspace() and text[end] != "`":
            end += 1
        language = ""
        if end > start and end < len(text) and text[end] != "`":
            language = text[start:end]
        else:
            end = start
        if text.startswith(("\r\n", "\n\r"), end):
            end += 2
        elif text.startswith(("\n", "\r"), end):
            end += 1
        return language, end - (start - 3)

    def _close(self) -> None:
        entity = self._open.pop()
        self._pos += len(_MDV2_CLOSERS[entity.kind])
        extra: dict[str, str] = {}
        if entity.kind == "text_link":
            url = self._link_target() or self._out.text_since(entity.part_index)
            normalised = _normalise_link(url)
            if normalised is None:
                return
            extra["url"] = normalised
        elif entity.kind == "custom_emoji":
            target = self._link_target() or ""
            match = re.fullmatch(r"tg://emoji\?id=(\d+)", target)
            if match is None:
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            extra["custom_emoji_id"] = match.group(1)
        elif entity.kind == "pre" and entity.language:
            extra["language"] = entity.language
        self._out.add_entity(entity.kind, entity.utf16_offset, **extra)

    def _link_target(self) -> str | None:
        """Read ``(url)`` after a link's ``]``; inside it only ``)`` and ``\\`` are special."""
        text = self._text
        if not text.startswith("(", self._pos):
            return None
        begin = self._pos + 1
        i = begin
        chars: list[str] = []
        while i < len(text) and text[i] != ")":
            if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                i += 1
            chars.append(text[i])
            i += 1
        if i >= len(text):
            raise EntityParseError(
                f"Can't find end of a URL at byte offset {_byte_offset(text, begin)}"
            )
        self._pos = i + 1
        return "".join(chars)


def _parse_markdown_legacy(text: str) -> ParsedText:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _TextBuilder()
    pos = 0
    markers = {"*": "bold", "_": "italic", "`": "code"}
    while pos < len(text):
        char = text[pos]
        if char == "\\" and text[pos + 1 : pos + 2] in ("_", "*", "`", "["):
            out.emit(text[pos + 1])
            pos += 2
            continue
        if char not in ("*", "_", "`", "["):
            out.emit(char)
            pos += 1
            continue
        if text.startswith("```", pos):
            end, closer = text.find("```", pos + 3), "```"
        elif char == "[":
            end, closer = text.find("]", pos + 1), "]"
        else:
            end, closer = text.find(char, pos + 1), char
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, pos)}"
            )
        inner = text[pos + len(closer) : end]
        offset = out.utf16
        pos = end + len(closer)
        if closer == "```":
            language, _, body = inner.partition("\n")
            if not body or any(c.isspace() for c in language):
                language, body = "", inner
            out.emit(body)
            extra = {"language": language} if language else {}
            out.add_entity("pre", offset, **extra)
        elif closer == "]":
            out.emit(inner)
            url = None
            if text.startswith("(", pos) and (close := text.find(")", pos)) != -1:
                url = _normalise_link(text[pos + 1 : close])
                pos = close + 1
            if url is not None:
                out.add_entity("text_link", offset, url=url)
        else:
            out.emit(inner)
            out.add_entity(markers[char], offset)
    return out.result()


_TRIMMED_WHITESPACE = " \t\r\n"


def _trim(parsed: ParsedText) -> ParsedText:
    """Telegram strips leading/trailing whitespace from message text and shifts entities."""
    left_stripped = parsed.plain.lstrip(_TRIMMED_WHITESPACE)
    shift = utf16_len(parsed.plain) - utf16_len(left_stripped)
    plain = left_stripped.rstrip(_TRIMMED_WHITESPACE)
    total = utf16_len(plain)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(plain, entities)


def parse_message_text(
    text: str,
    parse_mode: str | None,
    entities: list[JSONDict] | None = None,
    *,
    strict_html: bool = True,
) -> ParsedText:
    """Turn the ``text``/``parse_mode``/``entities`` parameters into what Telegram stores.

    Raises EntityParseError for markup errors and ApiError for an unknown parse_mode.
    """
    mode = (parse_mode or "").lower()
    if mode in ("", "none"):
        parsed = ParsedText(text, list(entities or []))
    elif mode == "html":
        parsed = _HtmlParser(text, strict=strict_html).parse()
    elif mode == "markdownv2":
        parsed = _MarkdownV2Parser(text).parse()
    elif mode == "markdown":
        parsed = _parse_markdown_legacy(text)
    else:
        raise bad_request("unsupported parse_mode")
    return _trim(parsed)


# --------------------------------------------------------------------------------------------
# Reply markup validation
# --------------------------------------------------------------------------------------------

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)


def validate_reply_markup(markup: object) -> JSONDict:
    """Validate any reply_markup; returns it unchanged when Telegram would accept it."""
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _validate_inline_keyboard(rows: object) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    total = 0
    for row in rows:
        # Exact wording for these two limits is not documented by Telegram.
        if len(row) > MAX_BUTTONS_PER_ROW:
            raise bad_request(f"too many buttons in a row (max {MAX_BUTTONS_PER_ROW})")
        total += len(row)
        for button in row:
            _validate_inline_button(button)
    if total > MAX_BUTTONS_TOTAL:
        raise bad_request("reply markup is too long")


def _validate_inline_button(button: object) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request(prefix + "Text must be non-empty")
    # Telegram treats an empty callback_data like a missing one.
    actions = [name for name in _INLINE_BUTTON_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            prefix + f"exactly one action field must be used, got {', '.join(actions)} "
            "(the fake is stricter than Telegram, which silently picks one)"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        _validate_button_url(button["url"])


def _validate_button_url(url: object) -> None:
    if not isinstance(url, str):
        raise bad_request('can\'t parse inline keyboard button: Field "url" must be of type String')
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "tg"):
        raise bad_request(
            f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
        )
    if parts.scheme.lower() != "tg" and not parts.hostname:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _validate_reply_keyboard(rows: object) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise bad_request("can't parse keyboard button: Text must be non-empty")


def inline_buttons(markup: JSONDict | None) -> list[JSONDict]:
    """All inline keyboard buttons of a reply_markup, row by row."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------

# Telegram decodes each parameter by its declared type; PTB JSON-encodes non-string values.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "max_connections",
        "user_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
    }
)
_JSON_PARAM_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
}


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, recorded without keeping the bytes around in error messages."""

    filename: str | None
    content_type: str
    size: int


def decode_params(raw: Mapping[str, object]) -> Params:
    return {name: _decode_value(name, value) for name, value in raw.items()}


def _decode_value(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value  # already typed (JSON body) or an UploadedFile
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(_JSON_PARAM_ERRORS.get(name, f"can't parse {name} JSON")) from None
    if name in _INT_PARAMS or name == "chat_id":
        try:
            return int(value)
        except ValueError:
            if name == "chat_id":
                return value  # "@channelusername"
            raise bad_request(f"invalid {name} specified") from None
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


async def _read_raw_params(request: web.Request) -> dict[str, object]:
    raw: dict[str, object] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request parameters") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request parameters must be an Object")
        raw.update(body)
    elif request.method == "POST":
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                raw[name] = UploadedFile(value.filename, value.content_type, len(value.file.read()))
            else:
                raw[name] = value
    return raw


# --------------------------------------------------------------------------------------------
# Records kept for assertions
# --------------------------------------------------------------------------------------------


@dataclass
class SentMessage:
    """A message the bot sent, kept up to date by edits and deletes."""

    chat_id: int
    message_id: int
    text: str  # raw, as the bot sent it (markup included)
    plain: str  # what the user sees: parsed and trimmed
    parse_mode: str | None
    reply_markup: JSONDict | None
    entities: list[JSONDict] = field(default_factory=list)
    date: int = 0
    edited: bool = False
    deleted: bool = False
    reply_to_message_id: int | None = None
    previous_texts: list[str] = field(default_factory=list)  # raw texts before each edit

    @property
    def buttons(self) -> list[JSONDict]:
        return inline_buttons(self.reply_markup)

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


class HasMessageId(Protocol):
    """Anything naming a message: a SentMessage, or a telegram.Message the bot got back."""

    @property
    def message_id(self) -> int: ...


MessageRef = HasMessageId | int

FaultKind = Literal["error", "delay", "drop"]


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    status: int = 0
    body: str | None = None
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    after_processing: bool = False


@dataclass
class _Poll:
    """A getUpdates call waiting for updates; a newer call terminates it (409)."""

    terminated: bool = False


class _Signal:
    """Wakes every coroutine waiting for "something changed" (new update, request handled)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Return on the next notify(), or after ``seconds`` at the latest."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0))


Handler = Callable[[Params], Awaitable[object]]

# The request being handled.  aiohttp runs each request in its own task, so this is per request.
_current_request: ContextVar[web.Request | None] = ContextVar("_current_request", default=None)


def _client_gone() -> bool:
    """Has the client of the current request closed its connection (e.g. PTB cancelled it)?"""
    request = _current_request.get()
    return request is not None and (request.transport is None or request.transport.is_closing())


def _ok_response(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _error_response(error: ApiError) -> web.Response:
    body: JSONDict = {"ok": False, "error_code": error.status, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status, dumps=_dumps)


def _drop_connection(request: web.Request) -> web.Response:
    """Close the socket without answering (the client sees "Server disconnected")."""
    if request.transport is not None:
        request.transport.close()
    # aiohttp cannot write this to the closed transport and treats it as a client disconnect.
    return web.Response(status=500)


def _default_fault_description(status: int, retry_after: int | None) -> str:
    descriptions = {
        400: "Bad Request: injected failure",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: CONFLICT_DESCRIPTION,
        429: f"Too Many Requests: retry after {retry_after}",
        500: "Internal Server Error",
    }
    return descriptions.get(status, f"Error {status}")


def _update_kind(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "unknown")


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A fake api.telegram.org.  See the module docstring for what it checks.

    Usage::

        async with FakeBotAPI(FAKE_TOKEN) as fake:
            app = ApplicationBuilder().token(FAKE_TOKEN).base_url(fake.base_url).build()
            ...
            fake.send_text("/start")
            [reply] = await fake.wait_for_sent(1)
    """

    def __init__(self, token: str, *, strict_html: bool = True) -> None:
        self.token = token
        self.strict_html = strict_html

        # -- recordings for assertions
        self.requests: list[tuple[str, Params]] = []  # every authorised call, in order
        self.attempts: Counter[str] = Counter()  # calls received, per method
        self.delivered: Counter[str] = Counter()  # calls whose effect happened, per method
        self.errors: list[tuple[str, int, str]] = []  # (method, status, description)
        self.unauthorized_requests = 0
        self.abandoned_polls = 0  # getUpdates whose client hung up while waiting
        self.sent: list[SentMessage] = []
        self.callback_answers: list[JSONDict] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.deleted: list[tuple[int, int]] = []  # (chat_id, message_id)
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}  # (scope, language) -> list
        self.delete_webhook_calls: list[JSONDict] = []
        self.updates: list[JSONDict] = []  # every update ever queued
        self.filtered_updates: list[JSONDict] = []  # never delivered: not in allowed_updates
        self.dropped_updates: list[JSONDict] = []  # dropped by drop_pending_updates=True
        self.close_calls = 0
        self.logged_out = False

        # -- Telegram-side state
        self._pending: list[JSONDict] = []  # queued, not yet confirmed by an offset
        self._fetched_update_ids: set[int] = set()
        self._next_update_id = 1
        self._next_message_id = 1
        self._next_callback_id = 1
        self._allowed_updates: list[str] = []
        self._webhook: JSONDict = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSONDict] = {}  # Message JSON by (chat, id)
        self._sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self._open_callback_queries: set[str] = set()
        self._stubs: dict[str, object] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._polls: list[_Poll] = []

        self._changed = _Signal()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
            "close": self._close,
            "logOut": self._log_out,
        }

    # ---------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # Telegram answers JSON 404 for any other path, including file downloads we don't serve.
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # access_log=None: the access log would print the token in every request line.
        # A short shutdown_timeout: lingering long polls are woken by stop() anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site.port

    async def stop(self) -> None:
        self._stopping.set()
        self._changed.notify()  # long polls return [] at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token, then ``/{method}``."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/file/bot"

    # ------------------------------------------------------------------------- HTTP layer

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error_response(ApiError(404, "Not Found"))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        _current_request.set(request)
        if request.match_info["token"] != self.token:
            self.unauthorized_requests += 1
            return _error_response(ApiError(401, "Unauthorized"))
        method = self._canonical_method(request.match_info["method"])
        try:
            params = decode_params(await _read_raw_params(request))
        except ApiError as error:
            return self._reject(method or request.match_info["method"], error)
        if method is None:
            self.requests.append((request.match_info["method"], params))
            return self._reject(request.match_info["method"], ApiError(404, "Not Found"))

        self.requests.append((method, params))
        self.attempts[method] += 1
        self._changed.notify()

        fault = self._take_fault(method)
        if fault is not None and fault.kind == "error":
            return self._fault_response(method, fault)
        if fault is not None and fault.kind == "drop" and not fault.after_processing:
            return _drop_connection(request)
        if fault is not None and fault.kind == "delay":
            await self._sleep(fault.seconds)

        response = await self._dispatch(method, params)
        if fault is not None and fault.kind == "drop":  # after_processing: effect, no answer
            return _drop_connection(request)
        return response

    def _canonical_method(self, name: str) -> str | None:
        """Telegram method names are case-insensitive."""
        known = [*self._handlers, *self._stubs]
        return next((m for m in known if m.lower() == name.lower()), None)

    async def _dispatch(self, method: str, params: Params) -> web.Response:
        try:
            if self.logged_out:
                raise ApiError(401, "Unauthorized")
            if method in self._stubs:
                result = self._stubs[method]
            else:
                result = await self._handlers[method](params)
        except ApiError as error:
            return self._reject(method, error)
        finally:
            self._changed.notify()
        self.delivered[method] += 1
        return _ok_response(result)

    def _reject(self, method: str, error: ApiError) -> web.Response:
        # An answer to a client that already hung up is not an error anybody saw.
        if not _client_gone():
            self.errors.append((method, error.status, error.description))
        self._changed.notify()
        return _error_response(error)

    def _fault_response(self, method: str, fault: Fault) -> web.Response:
        body = fault.body
        if body is None and fault.status in NGINX_ERROR_PAGES:
            body = nginx_error_page(fault.status)
        if body is not None:
            self.errors.append((method, fault.status, body))
            return web.Response(
                status=fault.status, text=body, content_type="text/html", charset="utf-8"
            )
        parameters = {"retry_after": fault.retry_after} if fault.status == 429 else None
        description = fault.description or _default_fault_description(
            fault.status, fault.retry_after
        )
        return self._reject(method, ApiError(fault.status, description, parameters))

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the server stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # --------------------------------------------------------------------- fault injection

    def fail(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 2,
        times: int = 1,
        body: str | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        429 carries ``parameters.retry_after`` (PTB raises RetryAfter only if it is non-zero).
        502/503/504 default to nginx's HTML page; pass ``body`` for any other raw body.
        """
        self._add_fault(
            method,
            Fault(
                "error",
                times,
                status=status,
                body=body,
                description=description,
                retry_after=retry_after,
            ),
        )

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next calls for ``seconds`` before processing them.

        Like Telegram, the call is still processed if the client gave up meanwhile.
        """
        self._add_fault(method, Fault("delay", times, seconds=seconds))

    def drop(self, method: str, times: int = 1, *, after_processing: bool = False) -> None:
        """Close the connection without a response.

        With ``after_processing=True`` the call takes effect first (e.g. the message *is*
        sent) and only the answer is lost - the case that causes duplicate messages.
        """
        self._add_fault(method, Fault("drop", times, after_processing=after_processing))

    def conflict(self, times: int = 1) -> None:
        """409 on getUpdates, as when another instance of the bot is polling."""
        self.fail("getUpdates", 409, times=times, description=CONFLICT_DESCRIPTION)

    def faults_left(self, method: str) -> int:
        return sum(f.remaining for f in self._faults.get(method.lower(), ()))

    def _add_fault(self, method: str, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.popleft()
        return fault

    # ---------------------------------------------------------------- other test controls

    def stub(self, method: str, result: object = True) -> None:
        """Accept an otherwise unknown method (e.g. setMyDescription) with a fixed result."""
        self._stubs[method] = result

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        first_name: str = DEFAULT_FIRST_NAME,
        title: str = "Dystonia Support Group",
    ) -> JSONDict:
        """Make a chat known; sending to a chat Telegram has never seen is "chat not found"."""
        chat = self._chat_object(chat_id, chat_type, first_name, None, title)
        self._chats[chat_id] = chat
        return chat

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending to them is 403 Forbidden."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ----------------------------------------------------------------------- assertions

    def calls(self, method: str) -> list[Params]:
        return [params for name, params in self.requests if name.lower() == method.lower()]

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    @property
    def last_sent(self) -> SentMessage:
        assert self.sent, "the bot has not sent any message"
        return self.sent[-1]

    @property
    def webhook(self) -> JSONDict:
        """What getWebhookInfo would return right now."""
        return self._webhook_info()

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        return list(self._pending)

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSONDict]:
        return self.commands.get((scope, language_code), [])

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole point
        description: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` is true; re-checked whenever the fake's state changes."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {description}\n{self.describe()}"
                )
            await self._changed.wait(remaining)

    async def wait_for_sent(
        self,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole point
    ) -> list[SentMessage]:
        """Wait until at least ``n`` messages were sent in total; returns ``sent``."""
        await self.wait_for(
            lambda: len(self.sent) >= n, timeout, f"{n} sent message(s), got {len(self.sent)}"
        )
        return self.sent

    async def wait_for_requests(
        self,
        method: str,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole point
    ) -> list[Params]:
        await self.wait_for(lambda: len(self.calls(method)) >= n, timeout, f"{n} {method} call(s)")
        return self.calls(method)

    async def wait_until_fetched(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole point
    ) -> None:
        """Wait until the bot has received every queued update via getUpdates.

        Useful before asserting that the bot did *not* answer something.
        """
        await self.wait_for(
            lambda: all(u["update_id"] in self._fetched_update_ids for u in self._pending),
            timeout,
            "the bot to fetch all queued updates",
        )

    def describe(self) -> str:
        """A summary of what happened, for assertion messages (never includes the token)."""
        lines = [f"sent ({len(self.sent)}):"]
        lines += [
            f"  chat={m.chat_id} id={m.message_id}{' edited' if m.edited else ''}: {m.plain!r:.200}"
            for m in self.sent
        ]
        lines.append(f"error responses ({len(self.errors)}):")
        lines += [f"  {method} {status}: {text:.200}" for method, status, text in self.errors]
        calls = Counter(name for name, _ in self.requests)
        lines.append(f"calls: {dict(calls)}")
        lines.append(
            f"pending updates: {[u['update_id'] for u in self._pending]}, "
            f"fetched: {sorted(self._fetched_update_ids)}"
        )
        if self.filtered_updates:
            kinds = [_update_kind(u) for u in self.filtered_updates]
            lines.append(f"updates filtered out by allowed_updates: {kinds}")
        return "\n".join(lines)

    # ------------------------------------------------------------------- update injection

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a raw update; ``update_id`` is assigned when missing."""
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        if update["update_id"] < self._next_update_id:
            raise AssertionError(
                f"update_id {update['update_id']} must be >= {self._next_update_id}: "
                "Telegram's update ids only increase"
            )
        self._next_update_id = update["update_id"] + 1
        self._register_chats(update)
        self._pending.append(update)
        self.updates.append(update)
        self._changed.notify()
        return update

    def send_text(
        self,
        text: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = DEFAULT_FIRST_NAME,
        reply_to_bot: bool | MessageRef = False,
        entities: list[JSONDict] | None = None,
        *,
        mention: bool = False,
        username: str | None = None,
        language_code: str = "en",
    ) -> JSONDict:
        """A user writes ``text``.  Returns the queued update.

        ``/command`` gets a bot_command entity; ``mention=True`` adds (and prepends if needed)
        ``@dystonia_faq_test_bot`` with a mention entity; ``reply_to_bot`` replies to the bot's
        last message in the chat (or to the given bot message).
        """
        if mention and f"@{BOT_USERNAME}" not in text:
            text = f"@{BOT_USERNAME} {text}"
        message = self._incoming_message(
            user_id, chat_id, chat_type, first_name, username, language_code, text=text
        )
        auto_entities = entities if entities is not None else _auto_entities(text, mention)
        if auto_entities:
            message["entities"] = auto_entities
        if reply_to_bot is not False:
            target = None if reply_to_bot is True else self._find_sent(reply_to_bot)
            message["reply_to_message"] = self._reply_target_json(message["chat"]["id"], target)
        return self._queue_message(message)

    def send_sticker(
        self,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = DEFAULT_FIRST_NAME,
        *,
        emoji: str = "👍",
    ) -> JSONDict:
        sticker = {
            **self._file_ids("sticker"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "file_size": 24576,
        }
        message = self._incoming_message(
            user_id, chat_id, chat_type, first_name, None, "en", sticker=sticker
        )
        return self._queue_message(message)

    def send_photo(
        self,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = DEFAULT_FIRST_NAME,
        *,
        caption: str | None = None,
    ) -> JSONDict:
        ids = self._file_ids("photo")
        sizes = [(90, 68, 1543), (320, 240, 18237), (800, 600, 71236)]
        photo = [
            {
                "file_id": f"{ids['file_id']}-{width}",
                "file_unique_id": f"{ids['file_unique_id']}{width}",
                "width": width,
                "height": height,
                "file_size": size,
            }
            for width, height, size in sizes
        ]
        message = self._incoming_message(
            user_id, chat_id, chat_type, first_name, None, "en", photo=photo
        )
        if caption is not None:
            message["caption"] = caption
        return self._queue_message(message)

    def send_voice(
        self,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = DEFAULT_FIRST_NAME,
        *,
        duration: int = 3,
    ) -> JSONDict:
        voice = {
            **self._file_ids("voice"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 8000 * duration,
        }
        message = self._incoming_message(
            user_id, chat_id, chat_type, first_name, None, "en", voice=voice
        )
        return self._queue_message(message)

    def send_document(
        self,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = DEFAULT_FIRST_NAME,
        *,
        file_name: str = "report.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSONDict:
        document = {
            **self._file_ids("document"),
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": 123456,
        }
        message = self._incoming_message(
            user_id, chat_id, chat_type, first_name, None, "en", document=document
        )
        if caption is not None:
            message["caption"] = caption
        return self._queue_message(message)

    def edit_text(self, original_update: JSONDict, new_text: str) -> JSONDict:
        """The user edits a message they sent earlier: an ``edited_message`` update."""
        original = original_update.get("message") or original_update.get("edited_message")
        if original is None or "text" not in original:
            raise AssertionError("edit_text needs an update returned by send_text")
        edited = {key: value for key, value in original.items() if key != "entities"}
        edited.update(text=new_text, edit_date=_now())
        entities = _auto_entities(new_text, mention=f"@{BOT_USERNAME}" in new_text)
        if entities:
            edited["entities"] = entities
        self._messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return self.push_update({"edited_message": edited})

    def press_button(
        self,
        message: MessageRef,
        callback_data: str,
        user_id: int | None = None,
        *,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        """A user taps an inline button of a message the bot sent: a ``callback_query``.

        Raises AssertionError if that message has no such button (a user could not tap it).
        """
        record = self._find_sent(message)
        if record.deleted:
            raise AssertionError(f"message {record.message_id} was deleted; nothing to press")
        if callback_data not in record.callback_data:
            raise AssertionError(
                f"message {record.message_id} has no button with callback_data "
                f"{callback_data!r}; its buttons: {record.buttons}"
            )
        chat = self._chats[record.chat_id]
        if user_id is None:
            user_id = record.chat_id if chat["type"] == "private" else DEFAULT_USER_ID
        query_id = f"{BOT_ID}{self._next_callback_id:010d}"
        self._next_callback_id += 1
        self._open_callback_queries.add(query_id)
        query = {
            "id": query_id,
            "from": _user_object(user_id, first_name, None, "en"),
            "message": self._messages[(record.chat_id, record.message_id)],
            "chat_instance": str(abs(hash(("chat_instance", record.chat_id)))),
            "data": callback_data,
        }
        return self.push_update({"callback_query": query})

    # -- injection helpers

    def _incoming_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
        language_code: str,
        **content: object,
    ) -> JSONDict:
        chat_id = self._default_chat_id(user_id, chat_id, chat_type)
        chat = self._chat_object(chat_id, chat_type, first_name, username, "Dystonia Support Group")
        message: JSONDict = {
            "message_id": self._take_message_id(),
            "from": _user_object(user_id, first_name, username, language_code),
            "chat": chat,
            "date": _now(),
            **content,
        }
        return message

    def _queue_message(self, message: JSONDict) -> JSONDict:
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        return self.push_update({"message": message})

    def _default_chat_id(self, user_id: int, chat_id: int | None, chat_type: str) -> int:
        if chat_type == "private":
            if chat_id not in (None, user_id):
                raise AssertionError("in a private chat, chat_id is the user's id")
            return user_id
        if chat_type not in ("group", "supergroup"):
            raise AssertionError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None:
            return DEFAULT_GROUP_ID if chat_type == "group" else DEFAULT_SUPERGROUP_ID
        if chat_id >= 0:
            raise AssertionError("group and supergroup chat ids are negative")
        return chat_id

    @staticmethod
    def _chat_object(
        chat_id: int, chat_type: str, first_name: str, username: str | None, title: str
    ) -> JSONDict:
        if chat_type == "private":
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
            return chat
        return {"id": chat_id, "type": chat_type, "title": title}

    def _register_chats(self, update: JSONDict) -> None:
        for payload in update.values():
            if not isinstance(payload, dict):
                continue
            message = payload.get("message") if "data" in payload else payload
            chat = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat, dict) and "id" in chat:
                self._chats[chat["id"]] = chat

    def _reply_target_json(self, chat_id: int, target: SentMessage | None) -> JSONDict:
        if target is None:
            candidates = [m for m in self.sent_to(chat_id) if not m.deleted]
            if not candidates:
                raise AssertionError(f"the bot has sent nothing to chat {chat_id} to reply to")
            target = candidates[-1]
        return self._without_reply(self._messages[(target.chat_id, target.message_id)])

    @staticmethod
    def _without_reply(message: JSONDict) -> JSONDict:
        # Telegram never nests reply_to_message more than one level deep.
        return {key: value for key, value in message.items() if key != "reply_to_message"}

    def _find_sent(self, message: MessageRef) -> SentMessage:
        if isinstance(message, SentMessage):
            return message
        message_id = message if isinstance(message, int) else message.message_id
        for record in self.sent:
            if record.message_id == message_id:
                return record
        raise AssertionError(f"the bot never sent a message with id {message_id}")

    def _file_ids(self, kind: str) -> dict[str, str]:
        number = len(self.updates) + 1
        return {"file_id": f"FAKE-{kind}-{number:06d}", "file_unique_id": f"U{kind}{number}"}

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    # ============================================================== Bot API methods

    async def _get_me(self, params: Params) -> JSONDict:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _close(self, params: Params) -> bool:
        self.close_calls += 1
        return True

    async def _log_out(self, params: Params) -> bool:
        self.logged_out = True  # every later call is 401, as after a real logOut
        return True

    # ----------------------------------------------------------------------- updates

    async def _get_updates(self, params: Params) -> list[JSONDict]:
        if self._webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE_DESCRIPTION)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        self._confirm(params.get("offset"))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)

        poll = self._begin_poll()
        try:
            batch = await self._long_poll(poll, limit, wait_seconds=timeout)
        finally:
            self._polls.remove(poll)
        if _client_gone():
            # PTB cancels its poll on shutdown.  Nobody will read this answer, so it must
            # neither count as fetched nor be reported as a conflict.
            self.abandoned_polls += 1
            return []
        if poll.terminated:
            raise ApiError(409, CONFLICT_DESCRIPTION)
        self._fetched_update_ids.update(update["update_id"] for update in batch)
        return batch

    def _confirm(self, offset: object) -> None:
        """An offset confirms (forgets) every update with a smaller id; negative keeps the tail."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]

    def _begin_poll(self) -> _Poll:
        # Telegram allows one getUpdates at a time: a new one ends the older with 409.
        for older in self._polls:
            older.terminated = True
        poll = _Poll()
        self._polls.append(poll)
        self._changed.notify()
        return poll

    async def _long_poll(self, poll: _Poll, limit: int, wait_seconds: float) -> list[JSONDict]:
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - asyncio.get_running_loop().time()
            finished = poll.terminated or self._stopping.is_set() or _client_gone()
            if batch or finished or remaining <= 0:
                return batch
            # Nothing signals a client hang-up, so re-check it now and then.
            await self._changed.wait(min(remaining, 0.1))

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = set(self._allowed_updates)
        batch = []
        for update in list(self._pending):
            kind = _update_kind(update)
            if (kind not in allowed) if allowed else (kind in DEFAULT_EXCLUDED_UPDATES):
                # Telegram never sends it and the bot never has to confirm it.
                self._pending.remove(update)
                self.filtered_updates.append(update)
                continue
            batch.append(update)
            if len(batch) == limit:
                break
        return batch

    async def _delete_webhook(self, params: Params) -> bool:
        drop = bool(params.get("drop_pending_updates", False))
        self.delete_webhook_calls.append({"drop_pending_updates": drop})
        self._webhook = {}
        if drop:
            self._drop_pending()
        return True

    async def _set_webhook(self, params: Params) -> bool:
        url = str(params.get("url") or "")
        if not url:
            self._webhook = {}
            return True
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.port not in (None, 80, 88, 443, 8443):
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self._webhook = {
            "url": url,
            "max_connections": int(params.get("max_connections") or 40),
            "ip_address": "127.0.0.1",
        }
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        return True

    async def _get_webhook_info(self, params: Params) -> JSONDict:
        return self._webhook_info()

    def _webhook_info(self) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if info["url"]:
            info.update(
                max_connections=self._webhook["max_connections"],
                ip_address=self._webhook["ip_address"],
            )
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _drop_pending(self) -> None:
        self.dropped_updates.extend(self._pending)
        self._pending = []

    # ---------------------------------------------------------------------- commands

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_BOT_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _validate_bot_command(command)
        key = _command_key(params)
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: Params) -> list[JSONDict]:
        return self.commands.get(_command_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(_command_key(params), None)
        return True

    # ---------------------------------------------------------------------- messages

    async def _send_message(self, params: Params) -> JSONDict:
        chat_id = self._resolve_chat(params)
        parsed = self._parse_text(params)
        markup = self._parse_markup(params)
        reply_to = self._reply_target(chat_id, params)
        record = SentMessage(
            chat_id=chat_id,
            message_id=self._take_message_id(),
            text=str(params["text"]),
            plain=parsed.plain,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            entities=parsed.entities,
            date=_now(),
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )
        self.sent.append(record)
        self._sent_by_key[(chat_id, record.message_id)] = record
        return self._store_bot_message(record)

    async def _edit_message_text(self, params: Params) -> JSONDict:
        record = self._editable_message(params)
        parsed = self._parse_text(params)
        # Omitting reply_markup in an edit removes the inline keyboard, as in Telegram.
        markup = self._parse_markup(params)
        same = (parsed.plain, parsed.entities, _inline_part(markup)) == (
            record.plain,
            record.entities,
            _inline_part(record.reply_markup),
        )
        if same:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        record.previous_texts.append(record.text)
        record.text = str(params["text"])
        record.plain = parsed.plain
        record.entities = parsed.entities
        record.parse_mode = params.get("parse_mode") or None
        record.reply_markup = markup
        record.edited = True
        return self._store_bot_message(record)

    async def _edit_message_reply_markup(self, params: Params) -> JSONDict:
        record = self._editable_message(params)
        markup = self._parse_markup(params)
        if _inline_part(markup) == _inline_part(record.reply_markup):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        record.reply_markup = markup
        record.edited = True
        return self._store_bot_message(record)

    async def _delete_message(self, params: Params) -> bool:
        chat_id = self._resolve_chat(params, check_blocked=False)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise bad_request("message to delete not found")
        from_bot = message.get("from", {}).get("id") == BOT_ID
        if not from_bot and self._chats[chat_id]["type"] != "private":
            raise bad_request("message can't be deleted")  # the bot is not an admin here
        del self._messages[(chat_id, message["message_id"])]
        record = self._sent_by_key.get((chat_id, message["message_id"]))
        if record is not None:
            record.deleted = True
        self.deleted.append((chat_id, message["message_id"]))
        return True

    async def _send_chat_action(self, params: Params) -> bool:
        chat_id = self._resolve_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat_id, str(action)))
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        if query_id not in self._open_callback_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callback_queries.discard(query_id)  # a query can be answered once
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True

    # -- message helpers

    def _resolve_chat(self, params: Params, *, check_blocked: bool = True) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise bad_request("chat not found")
        if check_blocked and chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _parse_text(self, params: Params) -> ParsedText:
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        entities = params.get("entities")
        try:
            parsed = parse_message_text(
                str(text),
                params.get("parse_mode"),
                entities if isinstance(entities, list) else None,
                strict_html=self.strict_html,
            )
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        if not parsed.plain:
            raise bad_request("message text is empty")
        if utf16_len(parsed.plain) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        return parsed

    @staticmethod
    def _parse_markup(params: Params) -> JSONDict | None:
        markup = params.get("reply_markup")
        return None if markup is None else validate_reply_markup(markup)

    def _reply_target(self, chat_id: int, params: Params) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            target_chat = reply.get("chat_id", chat_id)
            allow_missing = bool(reply.get("allow_sending_without_reply", False))
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
            target_chat = chat_id
            allow_missing = bool(params.get("allow_sending_without_reply", False))
        else:
            return None
        target = None
        if isinstance(target_chat, int) and isinstance(message_id, int):
            target = self._messages.get((target_chat, message_id))
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def _editable_message(self, params: Params) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not simulated
        chat_id = self._resolve_chat(params, check_blocked=False)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if (chat_id, message_id) not in self._messages:
            raise bad_request("message to edit not found")
        record = self._sent_by_key.get((chat_id, message_id))
        if record is None:
            raise bad_request("message can't be edited")  # somebody else's message
        return record

    def _store_bot_message(self, record: SentMessage) -> JSONDict:
        """Build the Message object Telegram returns, and remember it for replies/buttons."""
        message: JSONDict = {
            "message_id": record.message_id,
            "from": dict(BOT_USER),
            "chat": self._chats[record.chat_id],
            "date": record.date,
            "text": record.plain,
        }
        if record.entities:
            message["entities"] = record.entities
        inline = _inline_part(record.reply_markup)
        if inline is not None:
            message["reply_markup"] = inline  # only inline keyboards are part of a Message
        if record.edited:
            message["edit_date"] = _now()
        if record.reply_to_message_id is not None:
            target = self._messages.get((record.chat_id, record.reply_to_message_id))
            if target is not None:
                message["reply_to_message"] = self._without_reply(target)
        self._messages[(record.chat_id, record.message_id)] = message
        return message


# --------------------------------------------------------------------------------------------
# Module-level helpers used by FakeBotAPI
# --------------------------------------------------------------------------------------------


def _user_object(
    user_id: int, first_name: str, username: str | None, language_code: str
) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    user["language_code"] = language_code
    return user


_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def _auto_entities(text: str, mention: bool) -> list[JSONDict]:
    """The entities Telegram's clients attach: bot_command at the start, bot mentions."""
    entities: list[JSONDict] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    if mention:
        handle = f"@{BOT_USERNAME}"
        index = text.find(handle)
        if index >= 0 and not (command and index < command.end()):
            offset = utf16_len(text[:index])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(handle)})
    return entities


def _inline_part(markup: JSONDict | None) -> JSONDict | None:
    """The part of a reply_markup that a Message carries (and that edits compare)."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}


def _command_key(params: Params) -> tuple[str, str]:
    """Commands are stored per (scope, language_code), e.g. ("chat:42", "en")."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    key = str(scope["type"])
    for part in ("chat_id", "user_id"):
        if part in scope:
            key += f":{scope[part]}"
    language = str(params.get("language_code") or "")
    return key, language


def _validate_bot_command(command: object) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name = command.get("command")
    description = command.get("description")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
