"""inbox receipts (Slack retries acted on once) and slack_sdk's OAuth install/state tables

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import domain.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# slack_sdk owns the shape of these tables; we let it describe them so a multi-workspace install
# finds exactly what SQLAlchemyInstallationStore / SQLAlchemyOAuthStateStore expect.
OAUTH_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")


def _oauth_metadata() -> sa.MetaData:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    op.create_table(
        "inbox_receipt",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", domain.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inbox_receipt")),
    )
    _oauth_metadata().create_all(op.get_bind())


def downgrade() -> None:
    _oauth_metadata().drop_all(op.get_bind())
    op.drop_table("inbox_receipt")
