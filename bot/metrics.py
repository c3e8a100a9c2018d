"""Prometheus metrics of one process (each replica exposes its own at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

UPDATES_RECEIVED = Counter(
    "mentor_coach_updates_received", "Updates accepted by the webhook.", registry=REGISTRY
)
UPDATES_DUPLICATE = Counter(
    "mentor_coach_updates_duplicate", "Updates delivered again and ignored.", registry=REGISTRY
)
UPDATES_PROCESSED = Counter(
    "mentor_coach_updates_processed", "Updates handled from the inbox.", registry=REGISTRY
)
UPDATES_FAILED = Counter(
    "mentor_coach_updates_failed", "Attempts to handle an update that failed.", registry=REGISTRY
)
PROCESSING_SECONDS = Histogram(
    "mentor_coach_processing_seconds",
    "Time to handle one update, from taking it to sending the replies.",
    registry=REGISTRY,
)
INBOX_DEPTH = Gauge(
    "mentor_coach_inbox_depth", "Updates stored and not yet handled.", registry=REGISTRY
)
REMINDERS = Counter(
    "mentor_coach_reminders",
    "Reminder messages by outcome (sent, uncertain, failed, blocked, unreachable).",
    ["outcome"],
    registry=REGISTRY,
)
UPDATES_DEAD = Counter(
    "mentor_coach_updates_dead",
    "Updates given up after repeated failures (kept as dead letters in the inbox).",
    registry=REGISTRY,
)
REPLIES = Counter(
    "mentor_coach_replies",
    "Reply messages by outcome (sent, uncertain, failed, blocked, unreachable).",
    ["outcome"],
    registry=REGISTRY,
)
REPLIES_UNCERTAIN = Counter(
    "mentor_coach_replies_uncertain",
    "Replies a stopped process left being sent, sent again: perhaps delivered twice.",
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "mentor_coach_outbox_depth", "Reply messages waiting to be sent.", registry=REGISTRY
)
DEAD_LETTERS = Gauge(
    "mentor_coach_dead_letters",
    "Updates given up and kept as dead letters (all processes).",
    registry=REGISTRY,
)
OUTBOX_UNCERTAIN = Gauge(
    "mentor_coach_outbox_uncertain",
    "Reply messages recorded uncertain (all processes): a timeout after the request.",
    registry=REGISTRY,
)
