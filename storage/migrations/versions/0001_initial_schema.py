"""Initial schema: users with their dialog state, heroes, interactions, processed updates."""

import sqlalchemy as sa
from alembic import op

from storage.migrations.columns import Timestamp, cascade

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("current_hero_id", sa.Integer(), nullable=True),
        sa.Column("dialog", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_users_channel_external_id")),
    )
    op.create_table(
        "heroes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("how_met", sa.String(length=500), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        cascade("heroes", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heroes")),
    )
    op.create_index(op.f("ix_heroes_user_id"), "heroes", ["user_id"])
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hero_id", sa.Integer(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("temperature", sa.SmallInteger(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("advice", sa.JSON(), nullable=False),
        sa.Column("open_door", sa.Boolean(), nullable=False),
        sa.Column("lit_up", sa.String(length=200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.CheckConstraint(
            "temperature BETWEEN 1 AND 5", name=op.f("ck_interactions_temperature_range")
        ),
        cascade("interactions", "hero_id", "heroes"),
        cascade("interactions", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    op.create_index("ix_interactions_hero_day", "interactions", ["hero_id", "happened_on"])
    op.create_index(op.f("ix_interactions_user_id"), "interactions", ["user_id"])
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("processed_at", Timestamp, nullable=False),
        cascade("processed_updates", "user_id", "users"),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        op.f("ix_processed_updates_processed_at"), "processed_updates", ["processed_at"]
    )
    op.create_index(op.f("ix_processed_updates_user_id"), "processed_updates", ["user_id"])


def downgrade() -> None:
    op.drop_table("processed_updates")
    op.drop_table("interactions")
    op.drop_table("heroes")
    op.drop_table("users")
