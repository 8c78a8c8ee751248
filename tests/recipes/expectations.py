"""What the checks every app passes (tests/deploy/test_every_app.py) expect of
this one: its tables, the data its migrations must keep, and where a login is posted."""

from recipes import create_app
from recipes.extensions import db

__all__ = ["BEFORE_DISPLAY_NAMES", "LOGIN", "POINTING_AT_A_USER", "TABLES", "create_app", "db"]

TABLES = {"users", "recipes", "tags", "recipe_tags", "outbox"}
# The revision before display names: users made then get one.
BEFORE_DISPLAY_NAMES = "9d8e9f28aede"
# A row pointing at the first user: SQLite copies the users table to change
# it, which must not break (or drop) what points at it.
POINTING_AT_A_USER = (
    "INSERT INTO recipes (title, ingredients, instructions, author_id, image_key, "
    "thumbnail_key, image_content_type, original_filename, created_at, updated_at) "
    "VALUES ('t', 'i', 'i', 1, 'k', 'tk', 'image/jpeg', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
# Where a login is posted (a hook may refuse it before the view runs).
LOGIN = "/auth/login"
