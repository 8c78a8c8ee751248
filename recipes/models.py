"""Recipes and their authors."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recipes.extensions import db
from shared.auth import UserAccountMixin
from shared.clock import utcnow
from shared.mail import OutboxMixin

TITLE_MAX_LENGTH = 200
INGREDIENTS_MAX_LENGTH = 5_000
INSTRUCTIONS_MAX_LENGTH = 20_000
KEY_MAX_LENGTH = 200
TAG_MAX_LENGTH = 30
MAX_TAGS_PER_RECIPE = 10
TAGS_FIELD_MAX_LENGTH = 500  # the whole comma-separated field


class User(UserAccountMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"


class Outbox(OutboxMixin, db.Model):  # type: ignore[name-defined]
    """Mail waiting to be sent: password reset links (shared/mail.py)."""


class Tag(db.Model):  # type: ignore[name-defined]
    """A word to find recipes by ("soup", "vegan"): lower-case, 1-30
    characters, one row per name, shared by every recipe that uses it."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH), unique=True)


# The many-to-many between recipes and tags: one row per (recipe, tag), no
# model because it carries nothing else. The primary key serves "the tags of
# a recipe", the index on tag_id "the recipes with a tag" (GET /?tag=...).
recipe_tags = Table(
    "recipe_tags",
    db.metadata,
    Column("recipe_id", ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Recipe(db.Model):  # type: ignore[name-defined]
    __tablename__ = "recipes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    # One ingredient per line, as typed.
    ingredients: Mapped[str] = mapped_column(Text)
    instructions: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Object keys in the bucket, random (recipes/<uuid>.jpg), never from the upload.
    image_key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), unique=True)
    thumbnail_key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), unique=True)
    image_content_type: Mapped[str] = mapped_column(String(50))
    # For <img width height>; empty for recipes posted before it was recorded.
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    # The uploader's file name after secure_filename: a hint, never a path.
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship()
    # passive_deletes: the database's ON DELETE CASCADE removes the recipe_tags
    # rows, instead of the ORM loading them to delete them.
    tags: Mapped[list[Tag]] = relationship(
        secondary=recipe_tags, order_by=Tag.name, passive_deletes=True
    )

    @property
    def ingredient_lines(self) -> list[str]:
        return [line.strip() for line in self.ingredients.splitlines() if line.strip()]
