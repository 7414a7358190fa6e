"""The offline console chat: a second front end over the same conversation as Telegram.

Each line typed is one message (a number presses that button of the last reply); the
replies are the conversation's, rendered as plain text. It keeps no patient data.
"""

from __future__ import annotations

from typing import TextIO

from bot.render import render_plain
from conversation.flood import FloodGate
from conversation.pipeline import Conversation
from conversation.replies import Reply
from conversation.turns import Press, Speaker, Turn
from faq.live import LiveFAQ
from records.store import UserKey

CONSOLE = Speaker(UserKey("console"), "console")
INTRO = (
    "Offline console chat (the same answers the Telegram bot gives). Type a question; "
    "type a number to press a button; /topics, /help, /sources, /contact, /privacy, "
    "/forget, /language; Ctrl-D to quit. Questions in Hindi or Hinglish are answered in "
    "Hindi.\n"
    "Nothing typed here is stored (a language choice lasts until you quit): staff "
    "reports (faq misses, faq stats) fill only from the live Telegram bot."
)
MAX_BUTTON_NUMBER_DIGITS = 2


def run_console(
    live: LiveFAQ,
    stdin: TextIO,
    stdout: TextIO,
    retention_days: int = 90,
    *,
    flood_max_messages: int = 8,
    flood_window_seconds: float = 30.0,
    serve_unreviewed: bool = True,
) -> int:
    live.load()
    conv = Conversation(
        live,
        None,  # on purpose: the console records nothing
        retention_days=retention_days,
        flood=FloodGate(flood_max_messages, flood_window_seconds),
        serve_unreviewed=serve_unreviewed,
    )
    payloads: list[str] = []

    def show(reply: Reply) -> None:
        nonlocal payloads
        text, payloads = render_plain(reply)
        stdout.write(text + "\n\n")

    stdout.write(INTRO + "\n\n")
    for reply in conv.handle(Turn(CONSOLE, "/start")).replies:
        show(reply)
    while True:
        stdout.write("you> ")
        stdout.flush()
        line = stdin.readline()
        if not line:  # end of input
            stdout.write("\nGoodbye.\n")
            stdout.flush()
            return 0
        text = line.strip()
        if not text:
            continue
        live.refresh()  # staff edits show up here too
        if text.isdigit() and len(text) <= MAX_BUTTON_NUMBER_DIGITS:
            if not 1 <= int(text) <= len(payloads):
                options = f"a number from 1 to {len(payloads)}" if payloads else "a question"
                stdout.write(f"There is no option {text} here; please type {options}.\n\n")
                continue
            result = conv.press(Press(CONSOLE, payloads[int(text) - 1]))
            if result.toast:
                stdout.write(f"({result.toast})\n\n")
            if result.reply is not None:
                show(result.reply)
            continue
        for reply in conv.handle(Turn(CONSOLE, text)).replies:
            show(reply)
