"""What the checks every app passes (tests/deploy/test_every_app.py) expect of
this one: its tables, the data its migrations must keep, and where a login is posted."""

from helpdesk import create_app
from helpdesk.extensions import db

__all__ = ["BEFORE_DISPLAY_NAMES", "LOGIN", "POINTING_AT_A_USER", "TABLES", "create_app", "db"]

TABLES = {"users", "tickets", "replies", "status_changes", "outbox"}
# The revision before display names: users made then get one.
BEFORE_DISPLAY_NAMES = "d18b03b33f4e"
# A row pointing at the first user: SQLite copies the users table to change
# it, which must not break (or drop) what points at it. Written for the
# schema at BEFORE_DISPLAY_NAMES, not today's: a column added later stays out.
POINTING_AT_A_USER = (
    "INSERT INTO tickets (title, description, status, created_by_id, created_at, "
    "updated_at) VALUES ('t', 'd', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
# Where a login is posted (a hook may refuse it before the view runs).
LOGIN = "/auth/login"
