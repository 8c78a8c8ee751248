"""What the checks every app passes (tests/deploy/test_every_app.py) expect of
this one: its tables, the data its migrations must keep, and where a login is posted."""

from shop_api import create_app
from shop_api.extensions import db

__all__ = ["BEFORE_DISPLAY_NAMES", "LOGIN", "POINTING_AT_A_USER", "TABLES", "create_app", "db"]

TABLES = {"users", "products", "orders", "order_lines", "api_tokens", "idempotency_keys"}
# The revision before display names: users made then get one.
BEFORE_DISPLAY_NAMES = "c1fea9e01a64"
# A row pointing at the first user: SQLite copies the users table to change
# it, which must not break (or drop) what points at it.
POINTING_AT_A_USER = (
    "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) "
    "VALUES (1, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
# Where a login is posted (a hook may refuse it before the view runs).
LOGIN = "/api/auth/tokens"
