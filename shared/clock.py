"""The one clock: timezone-aware UTC, for every timestamp the apps write."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
