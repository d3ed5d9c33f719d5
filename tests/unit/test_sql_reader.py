"""SQLite reads run in one hop to a worker thread (gateway/sources/reader.py): a read whose
caller gives up is interrupted in SQLite rather than left running, the connection it used
serves the next read, and no read can write."""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from gateway.sources.reader import PAGE_CACHE_KIB, SQLITE_WORKERS, ThreadReader

ENDLESS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
)
"""Counts forever: only an interrupt ends it."""
BOUND = 30.0
"""Seconds to wait for the worker to report: an upper bound for a failing test, not a timing."""


@pytest.fixture
def reader(tmp_path: Path) -> ThreadReader:
    path = tmp_path / "source.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        connection.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    return ThreadReader(make_url(f"sqlite:///{path}"), busy_timeout=1.0, pool_size=1)


class WatchedRead:
    """A read that signals when it reaches the point of giving up (`ready`), optionally waits
    for `resume`, then runs ENDLESS; `ended` is set and `error` kept however it ends."""

    def __init__(self, *, first: str | None = None) -> None:
        self.first = first
        self.ready, self.resume, self.ended = (threading.Event() for _ in range(3))
        self.error: BaseException | None = None

    def __call__(self, connection: Connection) -> object:
        try:
            if self.first is not None:
                connection.execute(text(self.first)).scalar()
            self.ready.set()
            if self.first is not None:
                self.resume.wait(BOUND)
            return connection.execute(ENDLESS).scalar()
        except BaseException as error:
            self.error = error
            raise
        finally:
            self.ended.set()


async def give_up(reader: ThreadReader, read: WatchedRead) -> None:
    """Start the read, cancel its caller once it is ready, and let it go on."""
    task = asyncio.create_task(reader.run(read))
    assert await asyncio.to_thread(read.ready.wait, BOUND)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    read.resume.set()
    assert await asyncio.to_thread(read.ended.wait, BOUND), "the read ran on after its caller"
    assert "interrupted" in str(read.error)


async def test_a_read_whose_caller_gives_up_is_interrupted(reader: ThreadReader) -> None:
    await give_up(reader, WatchedRead())
    # The one pooled connection was handed back and serves the next read.
    total = await reader.run(lambda c: c.execute(text("SELECT sum(x) FROM t")).scalar())
    assert total == 6
    await reader.dispose()


async def test_a_read_given_up_between_statements_does_not_run_the_next(
    reader: ThreadReader,
) -> None:
    """SQLite drops an interrupt that comes while no statement runs: the caller leaves
    while the read is between two statements, and the second must still stop."""
    await give_up(reader, WatchedRead(first="SELECT 1"))
    await reader.dispose()


async def test_a_read_cannot_write(reader: ThreadReader) -> None:
    with pytest.raises(Exception, match="readonly database"):
        await reader.run(lambda c: c.execute(text("INSERT INTO t VALUES (4)")))
    assert await reader.run(lambda c: c.execute(text("SELECT count(*) FROM t")).scalar()) == 3
    await reader.dispose()


async def test_reads_waiting_for_a_small_pool_hold_no_worker_thread(tmp_path: Path) -> None:
    """Reads beyond a source's pool wait on the event loop: in a worker thread they would
    hold up the reads of every other source sharing the threads."""
    readers = []
    for name in ("busy", "other"):
        with sqlite3.connect(tmp_path / f"{name}.db") as connection:
            connection.execute("CREATE TABLE t (x INTEGER)")
        url = make_url(f"sqlite:///{tmp_path / name}.db")
        readers.append(ThreadReader(url, busy_timeout=1.0, pool_size=1))
    busy, other = readers
    release = threading.Event()

    def held(_: Connection) -> bool:
        return release.wait(BOUND)

    waiting = [asyncio.create_task(busy.run(held)) for _ in range(SQLITE_WORKERS + 2)]
    try:
        answer = await asyncio.wait_for(
            other.run(lambda c: c.execute(text("SELECT 1")).scalar()), BOUND
        )
        assert answer == 1
    finally:
        release.set()
        assert all(await asyncio.gather(*waiting))
        for reader in readers:
            await reader.dispose()


async def test_read_connections_keep_a_small_page_cache(reader: ThreadReader) -> None:
    """Per connection, the configured cache (negative: KiB), not SQLite's 2 MiB default."""
    size = await reader.run(
        lambda connection: connection.execute(text("PRAGMA cache_size")).scalar()
    )
    assert size == -PAGE_CACHE_KIB
    assert PAGE_CACHE_KIB < 2000 // 4  # SQLite's default is 2,000 KiB
