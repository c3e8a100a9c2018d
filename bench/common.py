"""What the benchmarks share: databases of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.scratch import scratch_database

# A server the benchmarks may create and drop databases on.
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_database() -> Iterator[str]:
    """Creates a database for one benchmark; yields its async URL; drops it after."""
    with scratch_database(POSTGRES, "mentor_coach_bench") as url:
        yield url
