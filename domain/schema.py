"""Every record module, imported once, so that `Base.metadata` holds the whole schema (Alembic, tests)."""

from domain.contracts import records as contracts
from domain.db import Base

metadata = Base.metadata
__all__ = ["contracts", "metadata"]
