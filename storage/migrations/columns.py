"""What several migrations build alike. Applied migrations run these again on every fresh
database, so change nothing here: a new kind of column or key gets a new name."""

import sqlalchemy as sa
from alembic import op

Timestamp = sa.DateTime(timezone=True)


def cascade(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    """`table.column` refers to `parent.id` and goes when its parent row goes; named as
    storage.models' naming convention names it, so autogenerate sees no difference."""
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete="CASCADE"
    )
