"""Webhook mode under abuse: many slow connections past the fd limit, and garbage bodies."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.botproc import start_bot, stop_bot
from tests.fakebotapi import FakeBotAPI

SECRET = "webhook-secret-123"
FD_LIMIT = 1024  # the bot's own file-descriptor limit in these tests (a common default)
SLOW_CONNECTIONS = 1100  # more than the bot has descriptors
GOOD_POSTS = 30
FIRST_CHAT = 9_000_001
PATIENT_TEXT = "my neck keeps pulling to the left when I am at work"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _low_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def update_for(chat: int, text: str) -> dict[str, object]:
    return {
        "update_id": chat,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": text,
            "chat": {"id": chat, "type": "private", "first_name": "Ravi"},
            "from": {"id": chat, "is_bot": False, "first_name": "Ravi"},
        },
    }


@asynccontextmanager
async def webhook_bot(
    api: FakeBotAPI, tmp_path: Path, log_file: Path
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    port = _free_port()
    proc = await start_bot(
        tmp_path,
        api,
        log_file,
        preexec_fn=_low_fd_limit,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        PORT=str(port),
    )
    url = f"http://127.0.0.1:{port}/telegram"
    try:
        await api.wait_for_requests("setWebhook", timeout=60)
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(100):  # the server may need a moment after setWebhook
                with contextlib.suppress(httpx.TransportError):
                    await client.get(url)
                    break
                await asyncio.sleep(0.1)
        yield url, proc
    finally:
        await stop_bot(proc)


async def _post(url: str, body: bytes) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=10) as client:  # a fresh connection every time
        response = await client.post(url, content=body, headers=headers)
    return response.status_code


async def _post_as_telegram(url: str, body: bytes, tries: int = 3) -> tuple[int, int]:
    """POST as Telegram does: a connection dropped before any answer is tried again."""
    for attempt in range(1, tries + 1):
        try:
            return await _post(url, body), attempt
        except httpx.TransportError:
            if attempt == tries:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def _slow_client(port: int, opened: list[asyncio.StreamWriter]) -> None:
    """Starts a request and never finishes its headers (a slowloris)."""
    with contextlib.suppress(OSError, TimeoutError):
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 3)
        writer.write(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nX-Slow: ")
        opened.append(writer)


@pytest.mark.timeout(120)
async def test_slow_connections_past_the_fd_limit_do_not_stop_real_updates(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """1,100 slowloris connections against a bot limited to 1,024 descriptors: every good POST
    is answered 200 and replied to, and the log stays small."""
    log_file = tmp_path / "bot.log"
    own = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(own[0], min(own[1], 4096)), own[1]))
    opened: list[asyncio.StreamWriter] = []
    try:
        async with webhook_bot(fake_api, tmp_path, log_file) as (url, proc):
            port = int(url.split(":")[2].split("/")[0])
            slow = [_slow_client(port, opened) for _ in range(SLOW_CONNECTIONS)]
            attack = asyncio.gather(*slow)
            statuses = []
            resent = 0
            for i in range(GOOD_POSTS):
                chat = FIRST_CHAT + i
                fake_api.add_chat(chat)
                body = json.dumps(update_for(chat, "does stress make it worse")).encode()
                status, tries = await _post_as_telegram(url, body)
                statuses.append(status)
                resent += tries - 1
                await asyncio.sleep(0.2)
            await attack
            await fake_api.wait_for(
                lambda: len({m.chat_id for m in fake_api.sent}) == GOOD_POSTS, 30, "the replies"
            )
            assert proc.returncode is None
            print(
                f"\nslow connections opened: {len(opened)}; good POSTs: {statuses.count(200)}; "
                f"sent again after a dropped connection: {resent}"
            )
    finally:
        for writer in opened:
            writer.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, own)
    assert statuses == [200] * GOOD_POSTS
    # At the connection cap the server may close a connection still sending its headers;
    # Telegram sends an update again when that happens, so only a few may need it.
    assert resent <= GOOD_POSTS // 5
    logs = log_file.read_text()
    assert "Too many open files" not in logs
    assert len(logs.splitlines()) < 100
    assert "Traceback" not in logs


async def test_bodies_that_are_not_updates_get_400_and_are_never_logged(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Broken JSON and JSON that is no update: 400, one short line each, no body in the log."""
    log_file = tmp_path / "bot.log"
    async with webhook_bot(fake_api, tmp_path, log_file) as (url, _):
        broken = await _post(url, f'{{"message": {{"text": "{PATIENT_TEXT}"'.encode())
        not_update = await _post(url, json.dumps([1, PATIENT_TEXT]).encode())
        fake_api.add_chat(FIRST_CHAT)
        good = await _post(url, json.dumps(update_for(FIRST_CHAT, PATIENT_TEXT)).encode())
        again = await _post(url, json.dumps(update_for(FIRST_CHAT, PATIENT_TEXT)).encode())
        await fake_api.wait_for(lambda: bool(fake_api.sent_to(FIRST_CHAT)), 30, "the reply")
        await asyncio.sleep(0.5)
    assert (broken, not_update, good, again) == (400, 400, 200, 200)
    assert len(fake_api.sent_to(FIRST_CHAT)) == 1  # Telegram's retry is not answered twice
    logs = log_file.read_text()
    assert PATIENT_TEXT not in logs
    assert "CRITICAL" not in logs
    assert "not a valid update" in logs


async def test_an_update_answered_200_survives_a_kill_and_is_replied_after_restart(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """The 200 means stored: killed with the reply in flight, the restarted bot sends it."""
    log_file = tmp_path / "bot.log"
    chat = FIRST_CHAT
    fake_api.add_chat(chat)
    fake_api.delay("sendMessage", 3.0, times=1)
    async with webhook_bot(fake_api, tmp_path, log_file) as (url, proc):
        status = await _post(url, json.dumps(update_for(chat, "what is dystonia")).encode())
        await fake_api.wait_for(lambda: fake_api.attempts["sendMessage"] == 1, 30, "a send")
        proc.kill()
        await proc.wait()
    async with webhook_bot(fake_api, tmp_path, log_file):
        await fake_api.wait_for(lambda: len(fake_api.sent_to(chat)) == 2, 30, "the replay")
    assert status == 200
    # The first reply was on its way when the process died, so it arrives twice: the
    # documented choice (a duplicate rather than a lost reply).
    assert fake_api.attempts["sendMessage"] == 2
    assert "answered now" in log_file.read_text()
