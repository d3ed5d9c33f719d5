"""Where a SQL source's reads run, by driver.

A read is a plain function of a synchronous SQLAlchemy `Connection` (`Read`), so one body
serves both drivers:

- PostgreSQL (asyncpg) is asynchronous: SQLAlchemy runs the function on the event loop and
  each statement awaits the server (`LoopReader`).
- SQLite runs in the calling thread. Through aiosqlite every step of every statement (cursor,
  execute, fetch, close) is a hop to the connection's thread and back, which cost more event
  loop time than the SQL itself for a stats fan-out (72 sources, about 1 ms of loop time per
  call). `ThreadReader` runs the whole read, result rows included, in one hop to a shared pool
  of worker threads; SQLite releases the interpreter lock while it steps. A read whose caller
  gives up (deadline, cancelled request) is interrupted in SQLite instead of running on.
"""

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")
Read = Callable[[Connection], T]

SQLITE_WORKERS = 8
"""Threads shared by every SQLite source of a process: SQL runs outside the interpreter lock,
so a few more than the cores keep them busy while others read pages from disk."""

PAGE_CACHE_KIB = 128
"""SQLite's page cache per read connection (its default is 2 MiB). A gateway holds up to
`SQLITE_WORKERS` connections per SQLite source, and the demo has 72 sources: at the default
that is a gigabyte of caches in the end; at this size a sixteenth of it, while the operating
system's file cache, shared by every connection, keeps the hot pages anyway (at 256 KiB, the
mixed load of `bench/memory.py` held 263 MiB after 6 minutes; at 128 KiB, 237)."""

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class Reader(Protocol):
    @property
    def sync_engine(self) -> Engine:
        """The engine the reads execute on (its events see every read statement)."""
        ...

    async def run(self, read: "Read[T]") -> T:
        """The result of `read` on a connection of the source's database."""
        ...

    async def dispose(self) -> None: ...


class LoopReader:
    """Reads over an asynchronous driver, on the event loop."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def sync_engine(self) -> Engine:
        return self.engine.sync_engine

    async def run(self, read: "Read[T]") -> T:
        async with self.engine.connect() as connection:
            return await connection.run_sync(read)

    async def dispose(self) -> None:
        """The engine belongs to the source, which disposes of it."""


class ThreadReader:
    """Reads of a SQLite database, each in one hop to a worker thread."""

    def __init__(self, url: URL, *, busy_timeout: float, pool_size: int) -> None:
        # No read runs outside the worker threads: more connections than workers would only
        # hold page caches. Reads beyond the pool wait on the event loop (`_slots`), never in
        # a worker thread, where they would hold up every other source's reads.
        connections = min(pool_size, SQLITE_WORKERS)
        self._slots = asyncio.Semaphore(connections)
        self.sync_engine: Engine = create_engine(
            url.set(drivername="sqlite"),
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            pool_size=connections,
            max_overflow=0,
        )
        event.listen(self.sync_engine, "connect", _read_only_pragmas)

    async def run(self, read: "Read[T]") -> T:
        async with self._slots:
            call = _Interruptible()
            # Cancelling the future drops a read still queued; one running is interrupted.
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(_workers(), self._read, read, call)
            try:
                return await future
            except asyncio.CancelledError:
                call.interrupt()
                raise

    def _read(self, read: "Read[T]", call: "_Interruptible") -> T:
        with self.sync_engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            call.start(driver)
            try:
                return read(connection)
            finally:
                call.finish()

    async def dispose(self) -> None:
        self.sync_engine.dispose()


class _Interruptible:
    """One read's SQLite connection while the read runs, so a caller that gives up can stop
    it; never a connection the read has handed back to the pool.

    `interrupt` stops the statement running now; an interrupt between two statements would
    be lost (SQLite ignores one when nothing runs), so a progress handler also checks every
    `CHECK_EVERY` virtual machine steps whether the caller is gone."""

    CHECK_EVERY = 100_000
    """SQLite VM steps between checks: well under a millisecond of SQL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._given_up = False

    def start(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            if self._given_up:
                raise sqlite3.OperationalError("interrupted")
            self._connection = connection
            connection.set_progress_handler(self._stop, self.CHECK_EVERY)

    def finish(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.set_progress_handler(None, 0)
            self._connection = None

    def interrupt(self) -> None:
        with self._lock:
            self._given_up = True
            if self._connection is not None:
                self._connection.interrupt()

    def _stop(self) -> bool:
        return self._given_up


def _workers() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(SQLITE_WORKERS, thread_name_prefix="lapor-sqlite")
        return _executor


def _read_only_pragmas(connection: sqlite3.Connection, _record: object) -> None:
    # The gateway only reads: refuse writes at the connection, whatever a statement says.
    connection.execute("PRAGMA query_only = ON")
    connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
