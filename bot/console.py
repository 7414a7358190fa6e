"""The offline console chat: the same pipeline as Telegram, rendered as plain text."""

from __future__ import annotations

from typing import TextIO

from bot.app import INFO_COMMANDS
from bot.render import render_plain
from conversation.pipeline import Conversation
from conversation.replies import Reply
from faq.live import LiveFAQ
from faq.store import UserKey

CONSOLE_USER = UserKey("console")
INTRO = (
    "Offline console chat (the same answers the Telegram bot gives). Type a question; "
    "type a number to press a button; /topics, /help, /sources, /contact; Ctrl-D to quit."
)


def run_console(live: LiveFAQ, stdin: TextIO, stdout: TextIO, retention_days: int = 90) -> int:
    live.load()
    conv = Conversation(live, None, retention_days)
    payloads: list[str] = []

    def show(reply: Reply) -> None:
        nonlocal payloads
        text, payloads = render_plain(reply)
        stdout.write(text + "\n\n")
        stdout.flush()

    stdout.write(INTRO + "\n\n")
    for reply in conv.on_start(CONSOLE_USER, None):
        show(reply)
    while True:
        stdout.write("you> ")
        stdout.flush()
        line = stdin.readline()
        if not line:  # end of input
            stdout.write("\nGoodbye.\n")
            return 0
        text = line.strip()
        if not text:
            continue
        live.refresh()  # staff edits show up here too
        command = text.lstrip("/").split()[0].lower() if text.startswith("/") else None
        if command == "start":
            for reply in conv.on_start(CONSOLE_USER, text.split()[1] if " " in text else None):
                show(reply)
        elif command in INFO_COMMANDS:
            show(conv.info(command))
        elif text.isdigit() and len(text) <= 2 and not 1 <= int(text) <= len(payloads):
            options = f"a number from 1 to {len(payloads)}" if payloads else "a question"
            stdout.write(f"There is no option {text} here; please type {options}.\n\n")
        elif text.isdigit() and len(text) <= 2:
            result = conv.on_button(CONSOLE_USER, payloads[int(text) - 1])
            if result.toast:
                stdout.write(f"({result.toast})\n\n")
            if result.reply is not None:
                show(result.reply)
        else:
            show(conv.on_text(CONSOLE_USER, text))
