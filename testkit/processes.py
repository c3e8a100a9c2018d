"""Child processes for the tests and the benchmarks: start one with its output in a log file,
wait until it serves, stop it as production does (SIGTERM), and read its CPU time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Self

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def mentor_coach(*arguments: str) -> list[str]:
    """The command line of `mentor-coach ARGUMENTS`, from this interpreter's environment."""
    script = Path(sys.executable).with_name("mentor-coach")
    if script.exists():
        return [str(script), *arguments]
    return [sys.executable, "-m", "bot", *arguments]


def polling_environment(
    token: str, api_url: str, workdir: Path, database_url: str | None, log_level: str
) -> dict[str, str]:
    """The environment of a `mentor-coach run` against a fake Bot API: the caller's, the
    token and server, a data directory in `workdir`, and a one-second long poll so that a
    stop does not wait out Telegram's default."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATA_DIR": str(workdir / "data"),
        "POLLING_TIMEOUT": "1",
        "LOG_LEVEL": log_level,
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


class Child:
    """One command in a child process, its output appended to `log_path`.

    `cwd` defaults to the log's folder, so a .env file where the tests run does not apply.
    """

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        log_path: Path,
        cwd: Path | None = None,
    ) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.log_path = log_path
        self.cwd = cwd or log_path.parent
        self.process: subprocess.Popen[bytes] | None = None
        self.lingered = False  # it had to be killed: SIGTERM did not stop it in time
        self._terminated = False

    def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def wait_until(self, ready: Callable[[], object], timeout: float = 30, what: str = "") -> None:
        """Polls `ready` until it holds; RuntimeError with the log's tail if the child exits
        or `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.exited() or time.monotonic() > deadline:
                state = "exited" if self.exited() else f"was not {what or 'ready'} in {timeout} s"
                raise RuntimeError(f"{self.command} {state}:\n{self.log_text()[-3000:]}")
            time.sleep(0.1)

    def wait_healthy(self, url: str, timeout: float = 30) -> None:
        """Waits until GET `url` answers 2xx."""

        def healthy() -> bool:
            try:
                return httpx.get(url, timeout=1).is_success
            except httpx.HTTPError:
                return False

        self.wait_until(healthy, timeout, "healthy")

    def kill(self) -> None:
        """kill -9: no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM, the graceful stop, once: a second one could land after the child's
        handler is gone and kill it mid-shutdown."""
        if self.process is not None and self.process.poll() is None and not self._terminated:
            self._terminated = True
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM (see `terminate`), then SIGKILL if it lingers; returns the exit code."""
        if self.process is None:
            return 0
        self.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.lingered = True
            self.process.kill()
            return self.process.wait()


def cpu_seconds(pid: int) -> float:
    """A process's user+system CPU time (all its threads), from /proc; 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # from field 3, "state", on
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime
