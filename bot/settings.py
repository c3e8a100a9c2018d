"""Settings from the environment (and a `.env` file): the only place that reads them."""

from __future__ import annotations

import contextlib
import os
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from dialogs.model import Preferences

TELEGRAM_API = "https://api.telegram.org"


def default_data_dir() -> Path:
    """Returns $XDG_DATA_HOME/mentor-coach, or ~/.local/share/mentor-coach."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mentor-coach"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Needed only to talk to Telegram; the terminal chat runs without it.
    telegram_bot_token: SecretStr | None = None
    # The Bot API server: Telegram's, a self-hosted one, or a test double.
    telegram_api_url: str = TELEGRAM_API
    data_dir: Path = Field(default_factory=default_data_dir)
    # Default: a SQLite file in data_dir. PostgreSQL: postgresql://user:pass@host/db
    database_url: str | None = None
    # Connections each process may hold open to PostgreSQL (SQLite uses one). A webhook
    # replica's inbox workers each hold one while their replies go out.
    database_pool_size: int = Field(default=24, ge=1, le=200)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # New users' timezone and reminder window until they choose their own (/settings).
    default_timezone: str = "UTC"
    default_window_start: time = time(9, 0)
    default_window_end: time = time(20, 0)
    # Seconds a getUpdates long poll waits for an update.
    polling_timeout: int = Field(default=30, ge=0, le=50)
    # Reminder messages per second across all processes; 0 turns the limit off.
    # Telegram allows about 30/s for free, up to 1000/s with paid broadcasts.
    reminder_rate: float = Field(default=25.0, ge=0, le=1000)
    reminder_batch: int = Field(default=100, ge=1, le=10_000)
    reminder_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    # A claimed reminder whose dispatcher died is taken back after this many seconds.
    reminder_claim_timeout: int = Field(default=300, ge=10)

    # Webhook mode (`mentor-coach webhook`), for several replicas behind a load balancer.
    webhook_host: str = "0.0.0.0"  # noqa: S104 - a server in a container listens on all
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; required in webhook mode.
    webhook_secret: SecretStr | None = None
    # If set, the webhook is registered at start (setWebhook) with this public URL.
    webhook_url: str | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    webhook_max_body: int = Field(default=1_048_576, ge=1024)
    # A connection must send a request's head within this many seconds of opening (or
    # of its previous response), and its body within as many more; an idle kept-alive
    # connection is closed after WEBHOOK_KEEP_ALIVE. Slow or silent clients can't
    # hold sockets forever.
    webhook_header_timeout: float = Field(default=10.0, gt=0, le=300)
    webhook_body_timeout: float = Field(default=10.0, gt=0, le=300)
    webhook_keep_alive: float = Field(default=5.0, gt=0, le=300)
    # Connections and requests at once per replica; beyond it new ones get 503.
    webhook_limit_concurrency: int = Field(default=256, ge=8)
    # /healthz and /metrics: on their own address, loopback unless opened on purpose.
    service_host: str = "127.0.0.1"
    service_port: int = Field(default=9090, ge=1, le=65535)
    # Users handled at once per replica. Each is held until its replies are sent
    # (50 to 100 ms each to Telegram), so this caps a replica's updates per second.
    inbox_workers: int = Field(default=32, ge=1, le=64)
    # While an update_id below it is missing, an update waits at most this long, so that
    # an earlier update of the same user delivered a moment later (Telegram sends in
    # parallel) can go first: the bound of the per-user order guarantee in the README.
    inbox_settle_seconds: float = Field(default=0.2, ge=0, le=5)
    log_format: Literal["text", "json"] = "text"

    @field_validator("telegram_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as error:
            raise ValueError(f"unknown timezone {value!r}; use an IANA name") from error
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def preferences(self) -> Preferences:
        """Returns what new users start with."""
        return Preferences(
            timezone=self.default_timezone,
            window_start=self.default_window_start,
            window_end=self.default_window_end,
        )

    def database(self) -> str:
        """Returns the async SQLAlchemy URL, creating the data directory for SQLite."""
        if self.database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return f"sqlite+aiosqlite:///{self.data_dir / 'mentor-coach.db'}"
        url = self.database_url
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url.removeprefix(plain)
        return url

    def secrets(self) -> list[str]:
        """Every secret that must never reach a log line."""
        found = [self.telegram_bot_token, self.webhook_secret]
        secrets = [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]
        if self.database_url:
            with contextlib.suppress(ArgumentError, ValueError):
                secrets.append(make_url(self.database_url).password or "")
        return [s for s in secrets if s]

    def token(self) -> str:
        """Returns the bot token, or explains where to get one."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise SystemExit(
                "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather on Telegram "
                "(/newbot), then: export TELEGRAM_BOT_TOKEN=... "
                "(Without a token, try the coach in a terminal: mentor-coach chat)"
            )
        return self.telegram_bot_token.get_secret_value()
