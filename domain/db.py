"""The one declarative base every record maps onto, and the column types decided once for all."""

from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, Dialect, MetaData, String, Time, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Session


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC instants in, aware UTC instants out.

    SQLite keeps no zone, so a naive value read back is UTC by construction; a naive value
    written is refused, because nobody can say which zone it meant (ARCHITECTURE: conventions).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store the naive datetime {value!r}; pass an aware UTC instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Constraint names that Alembic can rely on across SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        date: Date(),
        time: Time(),
        str: String(200),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


READ_ONLY = "flexcare_read_only"  # an execution option bot/db.py reads when the transaction begins


def read_only(session: Session) -> Session:
    """Mark `session`'s transaction as one that only reads, before its first statement: on SQLite it then
    begins DEFERRED and takes no write lock, so a read on the ack path never queues behind a writer."""
    session.connection(execution_options={READ_ONLY: True})
    return session
