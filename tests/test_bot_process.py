"""`python -m bot` as a real process: settings, console, signals, webhook, conflicts, logs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.botharness import SETTINGS_ENV
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]
PATIENT_TEXT = "my neck keeps pulling to the left when I am at work"


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(BOT_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1", **extra)
    return env


def run_bot(tmp_path: Path, stdin: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no .env there: only the environment given here counts
        env={**bot_env(tmp_path, **env), "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


@asynccontextmanager
async def bot_process(
    tmp_path: Path, api: FakeBotAPI, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={
            **bot_env(
                tmp_path,
                TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
                TELEGRAM_API_BASE_URL=api.base_url,
                **env,
            ),
            "PYTHONPATH": str(ROOT),
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


# -- settings and console -----------------------------------------------------------------


def test_invalid_setting_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "", ADMIN_USER_IDS="12, abc")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "ADMIN_USER_IDS" in result.stderr


def test_malformed_token_is_rejected_without_echoing_it(tmp_path: Path) -> None:
    secretish = "not-a-token-but-secret-XYZ"
    result = run_bot(tmp_path, "", TELEGRAM_BOT_TOKEN=secretish)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert secretish not in result.stderr + result.stdout


def test_without_token_the_console_starts_and_says_how_to_add_one(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "what is distonia\n")
    assert result.returncode == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "WHAT IS DYSTONIA?" in result.stdout
    assert "Sources:" in result.stdout
    assert "Goodbye" in result.stdout


def test_console_shares_the_pipeline_urgent_buttons_and_commands(tmp_path: Path) -> None:
    script = "I took 30 sleeping pills\n/topics\n1\nhello\n"
    result = run_bot(tmp_path, script, "--console")
    assert result.returncode == 0
    out = result.stdout
    assert "112" in out
    assert "14416" in out
    assert "Choose a topic" in out
    assert "« Back to topics" in out  # pressing [1] opened the first topic
    assert "Traceback" not in result.stderr


def test_console_reports_a_broken_faq_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries: [\n", encoding="utf-8")
    result = run_bot(tmp_path, "", "--console", FAQ_PATH=str(broken))
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr
    assert "Traceback" not in result.stderr


# -- the Telegram process -----------------------------------------------------------------


async def test_sigterm_finishes_the_reply_in_flight_and_exits_0(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    async with bot_process(tmp_path, fake_api, LOG_LEVEL="DEBUG") as proc:
        await fake_api.wait_for_requests("getUpdates", timeout=30)
        fake_api.delay("sendMessage", 1.5)
        fake_api.send_text("what is dystonia")
        await fake_api.wait_for(lambda: fake_api.attempts["sendMessage"] >= 1, timeout=10)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=15)
    assert proc.returncode == 0, stderr.decode()
    assert fake_api.delivered["sendMessage"] == 1
    assert fake_api.sent[0].plain.startswith("What is dystonia?")
    assert fake_api.delete_webhook_calls == [] or not any(
        c.get("drop_pending_updates") for c in fake_api.delete_webhook_calls
    )
    logs = (stdout + stderr).decode()
    assert FAKE_TOKEN not in logs
    assert FAKE_TOKEN.split(":")[1] not in logs
    assert "Traceback" not in logs


async def test_info_logs_hold_neither_token_nor_patient_text(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    async with bot_process(tmp_path, fake_api, LOG_LEVEL="INFO") as proc:
        await fake_api.wait_for_requests("getUpdates", timeout=30)
        fake_api.send_text(PATIENT_TEXT)
        fake_api.send_text("I can't breathe properly")
        await fake_api.wait_for_sent(2, timeout=10)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=15)
    logs = (stdout + stderr).decode()
    assert "message handled" in logs  # logging works, just without the text
    assert FAKE_TOKEN.split(":")[1] not in logs
    assert PATIENT_TEXT not in logs
    assert "breathe" not in logs


async def test_second_instance_reports_the_conflict_in_one_line_and_exits_nonzero(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake_api.conflict(times=5)
    async with bot_process(tmp_path, fake_api) as proc:
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 3
    conflict_lines = [
        line for line in stderr.decode().splitlines() if "Another bot instance" in line
    ]
    assert len(conflict_lines) == 1
    assert "Traceback" not in stderr.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_rejects_a_wrong_secret_survives_garbage_and_answers_real_updates(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    port = _free_port()
    secret = "webhook-secret-123"
    async with bot_process(
        tmp_path,
        fake_api,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=secret,
        PORT=str(port),
    ) as proc:
        await fake_api.wait_for_requests("setWebhook", timeout=30)
        assert fake_api.calls("setWebhook")[0]["secret_token"] == secret
        url = f"http://127.0.0.1:{port}/telegram"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "does stress make it worse",
                "chat": {"id": 5551, "type": "private", "first_name": "Ravi"},
                "from": {"id": 5551, "is_bot": False, "first_name": "Ravi"},
            },
        }
        fake_api.add_chat(5551)
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(50):  # the server needs a moment after setWebhook
                try:
                    no_secret = await client.post(url, json=update)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            garbage = await client.post(
                url,
                content=b"{not json",
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                    "Content-Type": "application/json",
                },
            )
            good = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                    "Content-Type": "application/json",
                },
            )
        assert no_secret.status_code == 403
        assert wrong.status_code == 403
        # PTB's webhook server answers a body that is not JSON with a 500; what matters is
        # that it is refused and the next real update is still handled.
        assert garbage.status_code in (400, 500)
        assert good.status_code == 200
        reply = (await fake_api.wait_for_sent(1, timeout=10))[0]
        assert reply.plain.startswith("Does stress")
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=15)
    assert proc.returncode == 0, stderr.decode()
    assert FAKE_TOKEN.split(":")[1] not in stderr.decode()


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_log_formatter_redacts_the_token_even_inside_tracebacks(level: str) -> None:
    import io
    import logging

    from bot.logs import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    try:
        configure_logging(level, [FAKE_TOKEN], stream)
        log = logging.getLogger("test.redaction")
        log.warning("calling https://api.telegram.org/bot%s/getMe", FAKE_TOKEN)
        try:
            raise RuntimeError(f"boom at /bot{FAKE_TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("failed")
        log.warning("an unknown token 987654321:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ1 too")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    text = stream.getvalue()
    assert FAKE_TOKEN not in text
    assert "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ1" not in text
    assert text.count("[REDACTED]") >= 3


def test_webhook_without_a_secret_is_refused_at_start(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path, "", TELEGRAM_BOT_TOKEN=FAKE_TOKEN, WEBHOOK_URL="https://bot.example.org/telegram"
    )
    assert result.returncode == 2
    assert "WEBHOOK_SECRET is required" in result.stderr
    assert FAKE_TOKEN not in result.stderr
