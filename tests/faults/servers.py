"""Real faulty source servers on 127.0.0.1, for the fault suite.

`FaultServer` is a small HTTP/1.1 server (asyncio, raw sockets) in a thread with its own event
loop. It stands in for a remote source service and misbehaves as its `fault` says; `HEALTHY`
relays each request to a real source service (the same token, the same body), so the very
server that failed can recover. It counts the connections it accepted and those still open:
a connection it holds open on purpose (hang, drip, endless bodies) closes only when the
gateway lets go of it.

`KillableServer` is a subprocess (`killable_server.py`, standard library only) that starts
answering every request and then waits, so a test can kill it with SIGKILL by its PID while
the answers are in flight.

Every server is bounded in time: a connection is held at most `HOLD_SECONDS`, a subprocess
lives at most `killable_server.LIFETIME_SECONDS`.
"""

import asyncio
import contextlib
import functools
import gzip
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx
import orjson

HOLD_SECONDS = 20.0
"""The longest a fault server keeps one connection (hang, drip, endless bodies)."""
START_SECONDS = 10.0
DRIP_PAUSE_SECONDS = 0.05

INTERNAL_HOST = "db-lapor-deliserdang.internal"
_FAILED_QUERY = (
    "[SQL: SELECT complaint.id, reporter.nik, reporter.phone FROM lapor.complaint "
    "JOIN lapor.reporter ON reporter.id = complaint.reporter_id WHERE complaint.regency_code "
    "= %(regency)s]\n"
)
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/lapor-source/service/app.py", line 88, in page\n'
    "    rows = await session.execute(statement)\n"
    "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection to server at "
    f'"{INTERNAL_HOST}" (10.20.30.40), port 5432 failed: FATAL: password authentication '
    'failed for user "lapor_ro"\n'
) + _FAILED_QUERY
"""What a broken service leaks: a stack trace, internal hosts, a user name, SQL."""
LEAK_MARKERS = (
    "Traceback",
    'File "',
    INTERNAL_HOST,
    "10.20.30.40",
    "SELECT",
    "psycopg",
    "sqlalchemy",
    "lapor_ro",
    "/srv/lapor-source",
    "127.0.0.1",
    "localhost",
)
"""Text of the fault servers (and their address) that must never reach a gateway client."""


class Fault(StrEnum):
    HEALTHY = "healthy"
    """Relay to the real source service."""
    HANG = "hang"
    """Read the request, never answer (until the client hangs up)."""
    DRIP_HEAD = "drip-head"
    """A valid answer, one byte every 50 ms from the status line on."""
    DRIP_BODY = "drip-body"
    """Headers at once, then the body one byte every 50 ms."""
    HTTP_500 = "http-500"
    """500 with a stack trace, SQL and internal hosts in the body."""
    MALFORMED_JSON = "malformed-json"
    WRONG_TYPES = "wrong-types"
    """Valid JSON, every contract field of the wrong JSON type."""
    WRONG_FIELDS = "wrong-fields"
    """Valid JSON, records and rows without the contract's fields."""
    HUGE_STREAMED = "huge-streamed"
    """An endless body without Content-Length."""
    HUGE_DECLARED = "huge-declared"
    """Content-Length: 512 MiB, then an endless body."""
    GZIP_BOMB = "gzip-bomb"
    """`Content-Encoding: gzip`, unasked: 64 KB on the wire (within the cap) inflating to
    64 MiB, a thousand times the cap."""
    HANG_ON_AGENCIES = "hang-on-agencies"
    """Relay, but never answer the `Agencies` query (a complaint's journey, not its rows)."""
    FLAP = "flap"
    """Every other request (1st, 3rd, ...) is dropped without an answer; the others relay."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    headers: dict[str, str]
    body: bytes


def _response_head(
    status: str, headers: dict[str, str], length: int | None, *, content_type: str
) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _json_answer(document: object) -> bytes:
    body = orjson.dumps(document)
    return _response_head("200 OK", {}, len(body), content_type="application/json") + body


VALID_BODY = b'{"data": {"count": 7, "page": [], "stats": []}}'
MALFORMED_BODY = (
    b'{"data": {"page": [{"id": "12.72-0000001", "submittedAt": "2023-03-01T09:00:00", '
    + f'"title": "timeout talking to {INTERNAL_HOST}'.encode()
)
WRONG_TYPES_BODY: dict[str, object] = {
    "data": {
        "page": [{"id": 1272001, "submittedAt": 20230301, "title": ["Traceback"]}],
        "count": "seven",
        "stats": [
            {
                "regency": 1272,
                "status": True,
                "count": "7",
                "verified": None,
                "resolved": 1.5,
                "overdue": -1,
                "inside": "yes",
            }
        ],
        "agencies": {"code": INTERNAL_HOST},
    }
}
WRONG_FIELDS_BODY: dict[str, object] = {
    "data": {
        "page": [{"complaintId": "12.72-0000001", "submitted": "2023-03-01", "note": TRACEBACK}],
        "total": 7,
        "stats": [{"regencyCode": "12.72", "n": 7, "debug": f"SELECT 1 -- {INTERNAL_HOST}"}],
        "agencies": [{"name": "Dinas Kesehatan"}],
    }
}


@functools.cache
def gzip_bomb() -> bytes:
    """64 MiB of JSON whitespace, gzipped to 65,251 bytes (made once, in about half a second)."""
    return gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """One HTTP/1.1 request with a Content-Length body; None if the client hung up first."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return HttpRequest(headers, body)


async def _until_hang_up(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    pieces: Iterator[bytes],
    pause: float = 0.0,
) -> None:
    """Write `pieces` until they run out or the client hangs up (whichever comes first)."""
    hung_up = asyncio.ensure_future(reader.read())
    try:
        for piece in pieces:
            if hung_up.done():
                return
            writer.write(piece)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        await hung_up
    finally:
        hung_up.cancel()


def _bytewise(data: bytes) -> Iterator[bytes]:
    return (data[index : index + 1] for index in range(len(data)))


def _endless(chunk: bytes, limit: int = 1024 * 1024 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < limit:
        yield chunk
        sent += len(chunk)


_DRIPPED_ANSWER = _response_head(
    "200 OK", {}, len(VALID_BODY) + 400, content_type="application/json"
) + (b" " * 400 + VALID_BODY)


class FaultServer:
    """A misbehaving source service on 127.0.0.1 (a thread and its own event loop).

    `fault` may be changed at any time; it applies to the requests that arrive after."""

    def __init__(self, fault: Fault, upstream: str, *, port: int = 0) -> None:
        self.fault = fault
        self.upstream = upstream
        self.port = port
        self.accepted = 0
        """Connections accepted so far."""
        self.open = 0
        """Connections open now."""
        self.requests = 0
        """Requests read so far."""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fault-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def __enter__(self) -> Self:
        if self.fault is Fault.GZIP_BOMB:
            gzip_bomb()  # made before any request, not while one waits
        self._thread.start()
        if not self._ready.wait(START_SECONDS) or self._failure is not None:
            self._stop()
            raise RuntimeError(f"the fault server did not start: {self._failure!r}")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=START_SECONDS)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as error:  # reported by __enter__
            self._failure = error
        finally:
            self._ready.set()
            self._loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        server = await asyncio.start_server(self._handle, sock=listener)
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as self._client:
            self._ready.set()
            await self._stopping.wait()
            server.close()
            for task in self._handlers:
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.accepted += 1
        self.open += 1
        try:
            async with asyncio.timeout(HOLD_SECONDS):
                request = await read_request(reader)
                if request is not None:
                    self.requests += 1
                    await self._answer(self.requests, request, reader, writer)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up, or the hold ran out
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            self.open -= 1
            self._handlers.discard(task)

    async def _answer(
        self,
        number: int,
        request: HttpRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        fault = self.fault
        if fault is Fault.FLAP:
            if number % 2:
                return  # dropped: the connection closes without an answer
            fault = Fault.HEALTHY
        elif fault is Fault.HANG_ON_AGENCIES:
            fault = Fault.HANG if b"query Agencies" in request.body else Fault.HEALTHY
        if fault is Fault.HEALTHY:
            writer.write(await self._relay(request))
        elif fault is Fault.HANG:
            await reader.read()  # until the client hangs up
        elif fault is Fault.DRIP_HEAD:
            await _until_hang_up(reader, writer, _bytewise(_DRIPPED_ANSWER), DRIP_PAUSE_SECONDS)
        elif fault is Fault.DRIP_BODY:
            head, _, body = _DRIPPED_ANSWER.partition(b"\r\n\r\n")
            writer.write(head + b"\r\n\r\n")
            await _until_hang_up(reader, writer, _bytewise(body), DRIP_PAUSE_SECONDS)
        elif fault is Fault.HTTP_500:
            body = TRACEBACK.encode()
            head = _response_head(
                "500 Internal Server Error", {}, len(body), content_type="text/plain"
            )
            writer.write(head + body)
        elif fault is Fault.MALFORMED_JSON:
            head = _response_head(
                "200 OK", {}, len(MALFORMED_BODY), content_type="application/json"
            )
            writer.write(head + MALFORMED_BODY)
        elif fault is Fault.WRONG_TYPES:
            writer.write(_json_answer(WRONG_TYPES_BODY))
        elif fault is Fault.WRONG_FIELDS:
            writer.write(_json_answer(WRONG_FIELDS_BODY))
        elif fault in (Fault.HUGE_STREAMED, Fault.HUGE_DECLARED):
            declared = 512 * 1024 * 1024 if fault is Fault.HUGE_DECLARED else None
            head = _response_head("200 OK", {}, declared, content_type="application/json")
            writer.write(head + b'{"data": {"page": [')
            record = b'{"id": "12.72-0000001", "submittedAt": "2023-03-01T09:00:00"}, '
            await _until_hang_up(reader, writer, _endless(record * 256))
        elif fault is Fault.GZIP_BOMB:
            bomb = gzip_bomb()
            head = _response_head(
                "200 OK", {"Content-Encoding": "gzip"}, len(bomb), content_type="application/json"
            )
            writer.write(head + bomb)
        await writer.drain()

    async def _relay(self, request: HttpRequest) -> bytes:
        assert self._client is not None
        headers: dict[str, str] = {
            name: request.headers[name]
            for name in ("authorization", "content-type", "accept")
            if name in request.headers
        }
        answer = await self._client.post(self.upstream, content=request.body, headers=headers)
        head = _response_head(
            f"{answer.status_code} {answer.reason_phrase}",
            {},
            len(answer.content),
            content_type=answer.headers.get("content-type", "application/json"),
        )
        return head + answer.content


# --- A server to kill --------------------------------------------------------------------------

KILLABLE_SCRIPT = Path(__file__).with_name("killable_server.py")


class KillableServer:
    """`killable_server.py` in a subprocess: it answers every request halfway, then waits."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(KILLABLE_SCRIPT)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        line = self._stdout().readline()  # "PORT <n>", or "" if it died
        if not line.startswith("PORT "):
            self.kill()
            raise RuntimeError(f"the killable server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.kill()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def _stdout(self) -> IO[str]:
        assert self.process is not None
        assert self.process.stdout is not None
        return self.process.stdout

    async def answering(self, count: int, within: float) -> None:
        """Until `count` answers are in flight (each is announced on stdout)."""
        async with asyncio.timeout(within):
            for _ in range(count):
                line = await asyncio.to_thread(self._stdout().readline)
                if not line.startswith("ANSWERING"):
                    raise RuntimeError(f"the killable server said {line!r}")

    def kill(self) -> None:
        """SIGKILL by PID (the kernel closes its sockets mid-answer), and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=START_SECONDS)


# --- What the gateway's process still holds ---------------------------------------------------

_HELD_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "08": "CLOSE_WAIT"}
"""Client-side TCP states of a socket this process has not closed."""


def held_connections(port: int) -> list[str]:
    """States of this process's TCP sockets to 127.0.0.1:`port` that it has not closed
    (Linux: /proc); FIN_WAIT and TIME_WAIT are sockets already closed on this side."""
    table = Path("/proc/net/tcp")
    if not table.exists():
        return []
    inodes = set()
    for descriptor in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(descriptor)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    held = []
    for line in table.read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and fields[3] in _HELD_STATES and fields[9] in inodes:
            held.append(_HELD_STATES[fields[3]])
    return held


async def eventually(check: Callable[[], bool], within: float, pause: float = 0.02) -> bool:
    """Whether `check()` becomes true within `within` seconds (polled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(pause)
    return True
