"""LOG_LEVEL=DEBUG shows no patient text: PTB's own loggers never print update bodies."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

from bot.logs import WITHHELD, configure_logging
from tests.botproc import start_bot, stop_bot
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

PATIENT_TEXTS = (
    "my neck keeps pulling to the left when I am at work",
    "I can't breathe and my throat is closing",
    "which vitamins should I take for my eyelids",
)
EDITED = "my hand cramps every time I write with a pen"


async def test_debug_logs_of_the_real_process_hold_no_patient_text(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Messages, an edit and a button press at DEBUG: none of the text is in the logs."""
    log_file = tmp_path / "bot.log"
    proc = await start_bot(tmp_path, fake_api, log_file, LOG_LEVEL="DEBUG")
    try:
        await fake_api.wait_for(lambda: fake_api.attempts["getUpdates"] > 0, 60, "polling")
        for text in PATIENT_TEXTS:
            fake_api.send_text(text)
        first = fake_api.send_text("what is dystonia")
        await fake_api.wait_for_sent(len(PATIENT_TEXTS) + 1, timeout=30)
        fake_api.edit_text(first, EDITED)
        answer = next(m for m in fake_api.sent if m.callback_data)
        fake_api.press_button(answer, answer.callback_data[0])
        await fake_api.wait_for(lambda: fake_api.attempts["answerCallbackQuery"] > 0, 30)
        await asyncio.sleep(0.5)  # the last replies' log lines
    finally:
        assert await stop_bot(proc) == 0, log_file.read_text()
    logs = log_file.read_text()
    assert " DEBUG " in logs  # really at DEBUG
    for text in (*PATIENT_TEXTS, EDITED, "what is dystonia"):
        assert text not in logs
    assert FAKE_TOKEN.split(":")[1] not in logs


def test_a_ptb_line_carrying_an_update_is_logged_without_it() -> None:
    """PTB's CRITICAL 'Error while parsing updates! Received data was ...' keeps no body."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    try:
        configure_logging("DEBUG", [FAKE_TOKEN], stream)
        body = [{"update_id": 7, "message": {"text": PATIENT_TEXTS[0]}}]
        logging.getLogger("telegram.Bot").critical(
            "Error while parsing updates! Received data was %r", body
        )
        logging.getLogger("telegram.ext.Application").debug("Processing update %s", body[0])
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("telegram").setLevel(logging.NOTSET)
    text = stream.getvalue()
    assert PATIENT_TEXTS[0] not in text
    assert WITHHELD in text
    assert "Processing update" not in text
