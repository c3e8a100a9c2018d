"""The command line with a bad token or an unreachable database: one clear line, a
non-zero exit, and no secret anywhere in what it prints (issue 9, item 1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.fakebotapi import FakeBotApi

pytestmark = pytest.mark.e2e

TOKEN = "4242:rejected-token-Zk81"
SECRET = "webhook-secret-Qw77-never-printed"
PASSWORD = "db-password-Pz55-never-printed"


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    # The fake knows another token, so it answers ours with 401 Unauthorized.
    with FakeBotApi(token="4242:the-real-one") as server:
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mentor_coach(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("mentor-coach")
    start = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    argv = start + command.split()
    return subprocess.run(
        argv,
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def environment(
    tmp_path: Path, api_url: str, database_url: str | None = None, level: str = "DEBUG"
) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(free_port()),
        "SERVICE_PORT": str(free_port()),
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'coach.db'}",
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": level,
    }


def assert_nothing_secret(done: subprocess.CompletedProcess[str]) -> None:
    printed = done.stdout + done.stderr
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET, PASSWORD):
        assert secret not in printed, printed


# At DEBUG the traceback is logged too (redacted); above it, only the one line.
LEVELS = pytest.mark.parametrize("level", ["DEBUG", "INFO"])


@LEVELS
@pytest.mark.parametrize("command", ["run", "dispatch", "webhook"])
def test_a_rejected_token_is_one_line_and_a_failure_with_no_secret(
    api: FakeBotApi, tmp_path: Path, command: str, level: str
) -> None:
    done = mentor_coach(command, environment(tmp_path, api.url, level=level), tmp_path)
    assert done.returncode != 0
    assert_nothing_secret(done)
    assert ("Traceback" in done.stderr) == (level == "DEBUG")
    last = done.stderr.strip().splitlines()[-1]
    assert "rejected TELEGRAM_BOT_TOKEN" in last


@LEVELS
@pytest.mark.parametrize("command", ["run", "webhook", "db upgrade"])
def test_an_unreachable_database_does_not_print_its_password(
    api: FakeBotApi, tmp_path: Path, command: str, level: str
) -> None:
    url = f"postgresql://coach:{PASSWORD}@127.0.0.1:{free_port()}/coach"
    done = mentor_coach(command, environment(tmp_path, api.url, url, level), tmp_path)
    assert done.returncode != 0
    assert_nothing_secret(done)
    assert ("Traceback" in done.stderr) == (level == "DEBUG")
    assert "database could not be reached" in done.stderr.strip().splitlines()[-1]
