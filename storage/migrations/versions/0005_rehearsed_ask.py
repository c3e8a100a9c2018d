"""The ask a user rehearsed with /rehearse, kept with the hero."""

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    # Batch mode: SQLite alters a table by copying it.
    with op.batch_alter_table("heroes") as batch:
        batch.add_column(sa.Column("rehearsed", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("heroes") as batch:
        batch.drop_column("rehearsed")
