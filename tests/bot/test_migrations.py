"""The Alembic migrations build exactly the schema the records describe, and unwind cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.migrate import alembic_config
from domain.schema import metadata


def test_the_migrated_schema_matches_the_records(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _ours})
        assert compare_metadata(context, metadata) == []


def test_every_migration_downgrades_to_an_empty_database(engine: Engine) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    return type_ != "table" or name in metadata.tables
