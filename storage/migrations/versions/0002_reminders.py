"""Reminders: delivery preferences on users, the reminders queue, a shared send slot."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.migrations.columns import Timestamp, cascade

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    # Existing users get the defaults the deployment had before this setting existed.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("window_start", sa.Time(), nullable=False, server_default="09:00:00")
        )
        batch.add_column(
            sa.Column("window_end", sa.Time(), nullable=False, server_default="20:00:00")
        )
        batch.add_column(
            sa.Column("reminders_paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hero_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", Timestamp, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", Timestamp, nullable=True),
        sa.Column("batch", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=16), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        cascade("reminders", "user_id", "users"),
        cascade("reminders", "hero_id", "heroes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_status_next", "reminders", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_reminders_user_id"), "reminders", ["user_id"])
    op.create_index(op.f("ix_reminders_hero_id"), "reminders", ["hero_id"])
    slots = op.create_table(
        "send_slots",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_slots")),
    )
    op.bulk_insert(slots, [{"name": "global", "next_at": datetime(2000, 1, 1, tzinfo=UTC)}])


def downgrade() -> None:
    op.drop_table("send_slots")
    op.drop_table("reminders")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("active")
        batch.drop_column("reminders_paused")
        batch.drop_column("window_end")
        batch.drop_column("window_start")
