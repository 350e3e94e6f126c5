"""Alembic environment: runs on the connection `bot.migrate` hands over (or DATABASE_URL for the CLI)."""

from alembic import context
from sqlalchemy import Connection

from domain.schema import metadata

config = context.config


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate looks only at our tables: slack_sdk's OAuth tables (0003) are its own."""
    return type_ != "table" or name in metadata.tables


def run(connection: Connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite by copying the table, and is a no-op elsewhere.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True, include_name=ours)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    import os

    from bot.db import make_engine
    from bot.settings import load_settings

    with make_engine(load_settings(os.environ).database_url).begin() as conn:
        run(conn)
else:
    run(connection)
