"""The shared layout's helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.layout import format_datetime


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime(2026, 11, 22, 14, 5), "2026-11-22 14:05 UTC"),  # naive, as SQLite returns it
        (datetime(2026, 11, 22, 14, 5, tzinfo=UTC), "2026-11-22 14:05 UTC"),
        (
            datetime(2026, 11, 22, 15, 5, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-22 14:05 UTC",
        ),
        (None, ""),
    ],
)
def test_dates_are_shown_in_utc(value: datetime | None, shown: str) -> None:
    assert format_datetime(value) == shown
