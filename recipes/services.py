"""The recipe site's rules: publishing, changing and deleting recipes, and
keeping the bucket and the database in step.

The order of writes matters, because S3 and the database cannot share a
transaction:

- new image: upload the objects, then commit; if the commit fails, delete
  the objects again (no orphan files, no row pointing at nothing);
- replaced image: upload the new objects, commit, then delete the old ones;
- deleted recipe: delete the row, commit, then delete its objects.

A failed clean-up after a successful commit is logged, not shown: the
recipe is right, and an orphan object costs a few cents, not a broken page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.utils import secure_filename

from recipes.extensions import db, image_store
from recipes.images import PreparedImage, prepare_image
from recipes.models import Recipe, User
from recipes.storage import StorageError

logger = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The user may not do this to this recipe."""


class ChangedMeanwhile(Exception):
    """Another request changed or deleted this recipe after this one read it."""


@dataclass(frozen=True)
class Upload:
    """An uploaded file as plain values: what the browser sent, unchecked."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class StoredImage:
    image_key: str
    thumbnail_key: str
    content_type: str
    original_filename: str

    @property
    def keys(self) -> tuple[str, str]:
        return (self.image_key, self.thumbnail_key)


def publish_recipe(
    author: User, *, title: str, ingredients: str, instructions: str, upload: Upload
) -> Recipe:
    """Raises ImageRejected (bad file) or StorageError (bucket unreachable);
    in both cases nothing is saved anywhere."""
    stored = _store_image(upload)
    recipe = Recipe(
        title=title.strip(),
        ingredients=ingredients.strip(),
        instructions=instructions.strip(),
        author=author,
        image_key=stored.image_key,
        thumbnail_key=stored.thumbnail_key,
        image_content_type=stored.content_type,
        original_filename=stored.original_filename,
    )
    db.session.add(recipe)
    _commit_or_remove(stored)
    return recipe


def update_recipe(
    recipe: Recipe,
    editor: User,
    *,
    title: str,
    ingredients: str,
    instructions: str,
    upload: Upload | None = None,
) -> Recipe:
    if not can_edit(recipe, editor):
        raise NotAllowed("Only the author can change a recipe.")
    old_keys = (recipe.image_key, recipe.thumbnail_key)
    stored = _store_image(upload) if upload is not None else None
    recipe.title = title.strip()
    recipe.ingredients = ingredients.strip()
    recipe.instructions = instructions.strip()
    if stored is not None:
        recipe.image_key, recipe.thumbnail_key = stored.keys
        recipe.image_content_type = stored.content_type
        recipe.original_filename = stored.original_filename
    _commit_unless_changed_meanwhile(stored)
    if stored is not None:
        _remove_quietly(old_keys)  # only the request whose UPDATE matched gets here
    return recipe


def delete_recipe(recipe: Recipe, actor: User) -> None:
    if not can_delete(recipe, actor):
        raise NotAllowed("Only the author or staff can delete a recipe.")
    keys = (recipe.image_key, recipe.thumbnail_key)
    db.session.delete(recipe)
    _commit_unless_changed_meanwhile(None)
    _remove_quietly(keys)


def can_edit(recipe: Recipe, user: User) -> bool:
    return bool(user.is_authenticated) and recipe.author_id == user.id


def can_delete(recipe: Recipe, user: User) -> bool:
    return bool(user.is_authenticated) and (recipe.author_id == user.id or user.is_staff)


# --- reading -----------------------------------------------------------------


def recipes_query(search: str | None = None) -> Select[tuple[Recipe]]:
    """Newest first, authors loaded with them (one query, not one per row)."""
    query = select(Recipe).options(selectinload(Recipe.author))
    if search:
        query = query.where(
            or_(
                Recipe.title.icontains(search, autoescape=True),
                Recipe.ingredients.icontains(search, autoescape=True),
            )
        )
    return query.order_by(Recipe.created_at.desc(), Recipe.id.desc())


def find_recipe(recipe_id: int) -> Recipe | None:
    return db.session.scalar(
        select(Recipe).where(Recipe.id == recipe_id).options(selectinload(Recipe.author))
    )


# --- the bucket ------------------------------------------------------------------


def new_object_keys(extension: str) -> tuple[str, str]:
    """Fresh keys: random, so they never collide and never repeat a user's name."""
    name = uuid.uuid4().hex
    return f"recipes/{name}.{extension}", f"recipes/thumbnails/{name}.{extension}"


def _store_image(upload: Upload) -> StoredImage:
    prepared: PreparedImage = prepare_image(upload.data, upload.filename)
    image_key, thumbnail_key = new_object_keys(prepared.extension)
    original = secure_filename(upload.filename)[:255]
    stored = StoredImage(image_key, thumbnail_key, prepared.content_type, original)
    # The first failure ends the upload. Only what was stored before it is
    # cleaned up: asking a store that just failed (or hung) to delete the
    # object it failed to write would make the user wait twice for nothing.
    image_store.put(image_key, prepared.full, prepared.content_type, original_filename=original)
    try:
        image_store.put(
            thumbnail_key, prepared.thumbnail, prepared.content_type, original_filename=original
        )
    except StorageError:
        _remove_quietly([image_key])
        raise
    return stored


def _commit_unless_changed_meanwhile(stored: StoredImage | None) -> None:
    """Commit; if another request replaced the photo or deleted the recipe
    since this one read it (the version check failed), change nothing: our
    new objects, if any, are removed, and theirs stay theirs."""
    try:
        if stored is not None:
            _commit_or_remove(stored)
        else:
            db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ChangedMeanwhile(
            "Someone changed or deleted this recipe a moment ago, so nothing was saved. "
            "Reload it and try again."
        ) from None


def _commit_or_remove(stored: StoredImage) -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _remove_quietly(stored.keys)
        raise


def _remove_quietly(keys: Iterable[str]) -> None:
    try:
        image_store.delete(keys)
    except StorageError:
        logger.warning("could not delete %s from the bucket; they are orphans now", keys)
