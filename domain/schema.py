"""Every record module, imported once, so that `Base.metadata` holds the whole schema (Alembic, tests)."""

from domain import inbox
from domain.account import records as account  # noqa: F401 (its tables join the metadata)
from domain.contracts import records as contracts
from domain.db import Base
from domain.incidents import records as incidents  # noqa: F401 (its tables join the metadata)
from domain.notifications import records as notifications  # noqa: F401 (its tables join the metadata)
from domain.people import records as people  # noqa: F401 (its tables join the metadata)
from domain.points import records as points  # noqa: F401 (its tables join the metadata)
from domain.reviews import records as reviews  # noqa: F401 (its tables join the metadata)

metadata = Base.metadata
__all__ = ["contracts", "inbox", "metadata"]
