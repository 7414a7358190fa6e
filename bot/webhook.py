"""The webhook endpoint: a small HTTP/1.1 server (asyncio + h11) built for one route.

Why not PTB's built-in webhook server: it answers 200 before the update is stored, logs
the whole body of an update it cannot parse, has no connection cap or header timeout, and
logs every failed accept when file descriptors run out. Here:

- 200 goes back only once the update is in the inbox (bot/inbox.py), so Telegram keeps
  re-sending it until it is safe; an update seen before gets 200 and is not re-handled;
  a full inbox gets 503 (Telegram retries later).
- Telegram's secret-token header is required (403 otherwise), compared in constant time.
- Every connection must send complete headers within HEADER_TIMEOUT and its body within
  BODY_TIMEOUT, and is closed after IDLE_TIMEOUT without a request; bodies over MAX_BODY
  get 413. At MAX_CONNECTIONS, a new connection evicts the oldest one that is idle or
  still sending headers (slow clients cannot lock Telegram out); the fd limit is
  never reached by connections.
- Problem log lines are rate-limited (one per kind per minute, with a count of the rest),
  and never hold a request body.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import resource
import signal
import socket
import time
from collections import OrderedDict
from typing import Any

import h11
from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.inbox import DurableUpdateQueue

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_CONNECTIONS = 100  # Telegram itself opens at most 40 by default (setWebhook max_connections)
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
IDLE_TIMEOUT = 60.0
MAX_BODY = 1_000_000  # an update is a few kilobytes
MAX_HEADER_BYTES = 16 * 1024
LOG_EVERY_SECONDS = 60.0
BootstrapApp = Application[Any, Any, Any, Any, Any, Any]


class RateLimitedLog:
    """At most one line per kind per period; the next one says how many were skipped."""

    def __init__(self, period: float = LOG_EVERY_SECONDS) -> None:
        self._period = period
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}

    def warning(self, kind: str, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._last.get(kind, -self._period) < self._period:
            self._skipped[kind] = self._skipped.get(kind, 0) + 1
            return
        self._last[kind] = now
        skipped = self._skipped.pop(kind, 0)
        if skipped:
            log.warning(
                "%s (%d more like this in the last %.0f s)", message % args, skipped, self._period
            )
        else:
            log.warning(message, *args)


class _Client:
    """One connection, and whether it is in the middle of handling a request."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.writer: asyncio.StreamWriter | None = None
        self.busy = False  # a complete request is being stored: never evicted then

    def close(self) -> None:
        """Frees the descriptor at once (abort, not a graceful close): under a flood of
        connections that is the point."""
        with contextlib.suppress(Exception):
            if self.writer is not None:
                self.writer.transport.abort()
            else:
                self.sock.close()


class WebhookServer:
    def __init__(
        self,
        app: BootstrapApp,
        secret: str,
        max_connections: int = MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT,
    ) -> None:
        self._app = app
        self._secret = secret.encode("utf-8")
        # Connections must never use up the process's descriptors (SQLite and the Bot API
        # client need theirs): at most half of them.
        soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft_limit != resource.RLIM_INFINITY:
            max_connections = max(8, min(max_connections, soft_limit // 2))
        self._max_connections = max_connections
        self._header_timeout = header_timeout
        self._clients: OrderedDict[_Client, None] = OrderedDict()  # oldest first
        self._sock: socket.socket | None = None
        self._acceptor: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._log = RateLimitedLog()
        self.refused = 0
        self.evicted = 0

    async def start(self, host: str, port: int) -> None:
        self._sock = socket.create_server((host, port), backlog=128)
        self._sock.setblocking(False)
        self._acceptor = asyncio.create_task(self._accept_loop(self._sock))

    async def stop(self) -> None:
        if self._acceptor is not None:
            self._acceptor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._acceptor
        if self._sock is not None:
            self._sock.close()
        for client in list(self._clients):
            if not client.busy:
                client.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=BODY_TIMEOUT)

    # -- connections ---------------------------------------------------------------------

    async def _accept_loop(self, listener: socket.socket) -> None:
        # One connection at a time, admitted (or an old one evicted) before the next is
        # accepted: the number of open connections never passes the cap, not even briefly.
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, _ = await loop.sock_accept(listener)
            except OSError as exc:  # out of descriptors or memory: wait, do not spin
                self._log.warning(
                    "accept", "webhook: cannot accept connections (%s); pausing", exc.strerror
                )
                await asyncio.sleep(1.0)
                continue
            client = _Client(sock)
            if not self._admit(client):
                client.close()
                continue
            task = asyncio.create_task(self._serve(client))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _serve(self, client: _Client) -> None:
        try:
            reader, client.writer = await asyncio.open_connection(
                sock=client.sock, limit=MAX_HEADER_BYTES
            )
            await self._requests(client, reader)
        except (TimeoutError, OSError, h11.RemoteProtocolError):
            pass  # a slow, broken or impatient client; nothing to tell anyone
        finally:
            self._clients.pop(client, None)
            client.close()

    def _admit(self, client: _Client) -> bool:
        if len(self._clients) >= self._max_connections:
            victim = next((c for c in self._clients if not c.busy), None)
            if victim is None:
                self.refused += 1
                self._log.warning(
                    "busy",
                    "webhook: %d connections are all handling updates; refused a new one",
                    len(self._clients),
                )
                return False
            self._clients.pop(victim)
            victim.close()
            self.evicted += 1
            self._log.warning(
                "evict",
                "webhook: at %d connections; closed the oldest idle or slow one",
                self._max_connections,
            )
        self._clients[client] = None
        return True

    async def _requests(self, client: _Client, reader: asyncio.StreamReader) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        first = True
        while True:
            # Headers must be complete within the limit, counted from the connection's
            # start or the end of the previous answer; an idle keep-alive gets longer.
            limit = self._header_timeout if first else IDLE_TIMEOUT
            request = await _next_event(conn, reader, limit, self._header_timeout)
            first = False
            if not isinstance(request, h11.Request):
                return  # ConnectionClosed
            client.busy = True
            status, body = await self._handle(conn, reader, request)
            assert client.writer is not None
            await _respond(conn, client.writer, status, body)
            client.busy = False
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                return
            conn.start_next_cycle()
            self._clients.move_to_end(client)  # a live keep-alive is the last to be evicted

    async def _handle(
        self, conn: h11.Connection, reader: asyncio.StreamReader, request: h11.Request
    ) -> tuple[int, bytes]:
        if request.method != b"POST" or request.target.split(b"?")[0] != PATH.encode():
            await _drain(conn, reader)
            return 404, b"not found"
        given = dict(request.headers).get(SECRET_HEADER, b"")
        if not hmac.compare_digest(given, self._secret):
            self._log.warning("secret", "webhook: refused a request without the right secret")
            await _drain(conn, reader)
            return 403, b"forbidden"
        length = dict(request.headers).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return 413, b"too large"
        try:
            raw = await asyncio.wait_for(_read_body(conn, reader), BODY_TIMEOUT)
        except ValueError:
            return 413, b"too large"
        return await self._accept(raw)

    async def _accept(self, raw: bytes) -> tuple[int, bytes]:
        try:
            data = json.loads(raw)
            update = Update.de_json(data, self._app.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception as exc:
            # Never the body: it is a patient's message, or something pretending to be one.
            self._log.warning(
                "parse",
                "webhook: a POST of %d bytes was not a valid update (%s); answered 400",
                len(raw),
                type(exc).__name__,
            )
            return 400, b"not an update"
        queue = self._app.update_queue
        if not isinstance(queue, DurableUpdateQueue):
            await queue.put(update)
            return 200, b"ok"
        verdict = await queue.accept(update)
        if verdict == "full":
            self._log.warning("full", "webhook: the inbox is full; answered 503, Telegram retries")
            return 503, b"busy, retry later"
        return 200, b"ok"


async def _next_event(
    conn: h11.Connection, reader: asyncio.StreamReader, limit: float, header_limit: float
) -> h11.Request | h11.ConnectionClosed:
    deadline = asyncio.get_running_loop().time() + limit
    started = False
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Request | h11.ConnectionClosed):
            return event
        if event is not h11.NEED_DATA:
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__}")
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError
        data = await asyncio.wait_for(reader.read(65536), remaining)
        if data and not started:
            # The first byte of a request starts the header clock, whatever the idle wait.
            started = True
            deadline = min(deadline, asyncio.get_running_loop().time() + header_limit)
        conn.receive_data(data)


async def _read_body(conn: h11.Connection, reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_BODY:
                raise ValueError("body too large")
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return b"".join(chunks)
        elif event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        else:
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__}")


async def _drain(conn: h11.Connection, reader: asyncio.StreamReader) -> None:
    """Read and discard a refused request's body (bounded), so keep-alive stays in step."""
    with contextlib.suppress(ValueError):
        await asyncio.wait_for(_read_body(conn, reader), BODY_TIMEOUT)


async def _respond(
    conn: h11.Connection, writer: asyncio.StreamWriter, status: int, body: bytes
) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    if status >= 400:
        headers.append((b"connection", b"close"))
    if status == 503:
        headers.append((b"retry-after", b"5"))
    for event in (h11.Response(status_code=status, headers=headers), h11.Data(data=body)):
        writer.write(conn.send(event) or b"")
    writer.write(conn.send(h11.EndOfMessage()) or b"")
    await asyncio.wait_for(writer.drain(), BODY_TIMEOUT)


# -- running the bot in webhook mode -------------------------------------------------------


async def serve_webhook(
    app: BootstrapApp,
    *,
    listen: str,
    port: int,
    webhook_url: str,
    secret: str,
    allowed_updates: list[str],
) -> None:
    """Like Application.run_webhook, with this module's server; returns after SIGTERM/SIGINT
    once the updates in progress are answered."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        server = WebhookServer(app, secret)
        await server.start(listen, port)
        await app.start()
        try:
            await _set_webhook(app, webhook_url, secret, allowed_updates, stop)
            await stop.wait()
        finally:
            await server.stop()
            await app.stop()  # the queued updates are answered first
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    finally:
        await app.shutdown()


async def _set_webhook(
    app: BootstrapApp,
    url: str,
    secret: str,
    allowed_updates: list[str],
    stop: asyncio.Event,
) -> None:
    """Tell Telegram where to post; retried with back-off while the network is down."""
    delay = 1.0
    while not stop.is_set():
        try:
            await app.bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=allowed_updates,
                drop_pending_updates=False,  # a message sent while the bot was down may be urgent
                max_connections=40,
            )
            return
        except RetryAfter as exc:
            wait = exc.retry_after
            delay_s = wait if isinstance(wait, int | float) else wait.total_seconds()
            await _sleep_unless(stop, float(delay_s))
        except (NetworkError, TelegramError) as exc:
            log.warning("could not set the webhook (%s); retrying in %.0f s", exc, delay)
            await _sleep_unless(stop, delay)
            delay = min(delay * 2, 30.0)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
