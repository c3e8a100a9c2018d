"""The reply outbox; handled inbox rows no longer name their user."""

import sqlalchemy as sa
from alembic import op

from storage.migrations.columns import Timestamp

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", Timestamp, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_chat_status", "outbox", ["chat_id", "status", "id"])
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    # A handled update needs only its id (to catch a late duplicate): /deleteme must
    # leave no trace of the user, and these rows are kept two days.
    op.execute("UPDATE inbox SET user_key = '' WHERE status <> 'pending'")


def downgrade() -> None:
    op.drop_table("outbox")
