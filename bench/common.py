"""What the benchmarks share: databases of their own."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from testkit.scratch import scratch_database

# A server the benchmarks may create and drop databases on.
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_database() -> Iterator[str]:
    """Creates a database for one benchmark; yields its async URL; drops it after."""
    with scratch_database(POSTGRES, "mentor_coach_bench") as url:
        yield url


class FakeApiChild:
    """A fake Bot API server run by `target(pipe, *args)` in a spawned child process (no
    inherited threads or event loops). The child sends a greeting once it serves (its
    URL, and whatever else it made), then answers commands until "stop", to which it
    answers with its errors."""

    def __init__(self, target: Callable[..., None], *args: object) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=target, args=(child, *args), name="fake-bot-api", daemon=True
        )
        self._greeting: Any = None

    def start(self) -> None:
        self._process.start()

    def greeting(self) -> Any:
        """What the child sent once up; waits for it (spawning and importing take a second)."""
        if self._greeting is None:
            try:
                if not self._conn.poll(120):
                    raise RuntimeError("the fake Bot API server did not start")
                self._greeting = self._conn.recv()
            except BaseException:
                self.stop()
                raise
        return self._greeting

    def ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> None:
        try:
            if self._greeting is not None and self._process.is_alive():
                self._conn.send("stop")
                if self._conn.poll(30) and (errors := self._conn.recv()):
                    print("fake Bot API server errors:\n" + "\n".join(errors), file=sys.stderr)
                self._process.join(30)
        finally:
            if self._process.is_alive():
                self._process.kill()
                self._process.join()

    @property
    def pid(self) -> int:
        return int(self._process.pid or 0)
