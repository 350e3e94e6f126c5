"""The database engine and session factory: SQLite for the embedded default, PostgreSQL in production."""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from domain.db import READ_ONLY

SQLITE_BUSY_TIMEOUT_MS = 5000  # unless DATABASE_URL says otherwise: sqlite:///flexcare.db?timeout=SECONDS


def make_engine(url: URL | str, **kwargs: Any) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects are read after commit (to render replies), so they must not expire on commit.
    return sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(engine: Engine) -> None:
    # How long a writer waits for another one's lock before "database is locked". pysqlite's own `timeout`
    # URL option sets the same busy handler; the PRAGMA below would silently undo it, so it is read here.
    timeout = engine.url.query.get("timeout")
    busy_ms = SQLITE_BUSY_TIMEOUT_MS if timeout is None else int(float(str(timeout)) * 1000)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (SQLAlchemy's
        # documented recipe), so that BEGIN below is the one that counts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A DEFERRED transaction that reads and then
        # writes can fail at once with "database is locked" when another one did the same (the
        # busy timeout cannot help a lock upgrade); taking the lock first makes writers queue
        # politely instead. That is the SQLite side of "points can never overspend".
        # A transaction marked read-only (domain.db.read_only) never writes, so it needs no lock at all.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
