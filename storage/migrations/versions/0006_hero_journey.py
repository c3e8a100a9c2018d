"""A hero's journey: early moves and the outcome of the ask, as JSON beside the step."""

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    op.add_column("heroes", sa.Column("journey", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("heroes", "journey")
