"""The one clock: timezone-aware UTC, for every timestamp the apps write and read."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from the database, in UTC: SQLite hands back naive
    datetimes (PostgreSQL's TIMESTAMPTZ aware ones), and the apps write only UTC."""
    return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
