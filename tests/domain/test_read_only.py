"""domain.db.read_only: on SQLite a reading transaction takes no write lock, so it never waits for a writer."""

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.db import make_engine, make_session_factory
from domain.db import read_only


def test_a_read_only_session_reads_while_another_writer_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    engine = make_engine(f"sqlite:///{path}?timeout=2")
    db = make_session_factory(engine)
    with db.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (2)")
    try:
        started = time.monotonic()
        with db() as session:
            assert read_only(session).execute(text("SELECT count(*) FROM t")).scalar() == 1  # WAL: last commit
        assert time.monotonic() - started < 0.5  # no wait for the writer's lock
        started = time.monotonic()
        with db() as session, pytest.raises(OperationalError, match="locked"):
            session.execute(text("SELECT 1"))  # an ordinary session takes the write lock first: it waits, then fails
        assert time.monotonic() - started >= 1.9
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
