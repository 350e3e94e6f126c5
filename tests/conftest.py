"""Test databases: every test that asks for `db` runs on a real SQLite file and on PostgreSQL.

The schema comes from the Alembic migrations (so they are tested too). SQLite: a migrated
template file copied per test. PostgreSQL: one database per test run (so parallel runs do not
meet), tables truncated between tests. Under CI a missing PostgreSQL fails the run; on a
developer machine it is skipped with the reason.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from domain.schema import metadata

pytest_plugins = ["tests.i18n.catalogue_watch"]  # every looked-up message id is in the catalogue

POSTGRES_URL = os.environ.get("FLEXCARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("FLEXCARE_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "flexcare.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    admin_url = make_url(POSTGRES_URL)
    name = f"flexcare_test_{os.getpid()}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        message = (f"PostgreSQL at {admin_url.render_as_string()} is not reachable ({exc.orig}); "
                   "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    engine = make_engine(admin_url.set(database=name))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "flexcare.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
        return
    postgres: Engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with postgres.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield postgres


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    """The session factory the app itself uses, on a clean, migrated database."""
    return make_session_factory(engine)


@pytest.fixture
def examples() -> Path:
    return Path(__file__).resolve().parent.parent / "examples" / "contracts.yml"
