"""The recipe site's rules: publishing, changing and deleting recipes.

S3 and the database share no transaction, so the order of writes matters: new
objects are uploaded before any database write and deleted again if anything
in the database fails after that, the commit included; old ones are deleted
only after the commit that lets go of them. A failed clean-up is logged, not
shown: an orphan object costs cents, not a page.
"""

import logging
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.utils import secure_filename

from recipes.extensions import db, image_store
from recipes.images import ImageRejected, prepare_image
from recipes.metrics import UPLOADS_REFUSED
from recipes.models import (
    MAX_TAGS_PER_RECIPE,
    TAG_MAX_LENGTH,
    TAGS_FIELD_MAX_LENGTH,
    Recipe,
    Tag,
    User,
)
from recipes.storage import StorageError
from shared.text import looks_empty, mixes_scripts

logger = logging.getLogger(__name__)


class RecipesError(Exception):
    """A rule said no; the message is fit to show the user."""


class NotAllowed(RecipesError):
    """The user may not do this to this recipe."""


class ChangedMeanwhile(RecipesError):
    """Another request changed or deleted this recipe after this one read it."""

    def __init__(
        self,
        message: str = "Someone changed or deleted this recipe a moment ago, so nothing was "
        "saved. Reload it and try again.",
    ) -> None:
        super().__init__(message)


class BadTags(RecipesError, ValueError):
    """The tags as typed break a rule; the message says which."""


@dataclass(frozen=True)
class Upload:
    """An uploaded file as plain values: what the browser sent, unchecked."""

    data: bytes
    filename: str


def publish_recipe(
    author: User,
    *,
    title: str,
    ingredients: str,
    instructions: str,
    upload: Upload,
    tags: Iterable[str] = (),
) -> Recipe:
    """Raises ImageRejected (bad file) or StorageError (bucket unreachable),
    and then nothing is saved anywhere."""
    image = _store_image(upload)
    with _undone_on_failure(new_keys=(image["image_key"], image["thumbnail_key"])):
        recipe = Recipe(
            author=author,
            title=title.strip(),
            ingredients=ingredients.strip(),
            instructions=instructions.strip(),
            tags=_tags_named(list(tags)),
            **image,
        )
        db.session.add(recipe)
        _commit()
    return recipe


def update_recipe(
    recipe: Recipe,
    editor: User,
    *,
    title: str,
    ingredients: str,
    instructions: str,
    upload: Upload | None = None,
    tags: Iterable[str] | None = None,
) -> Recipe:
    """``tags=None`` leaves the tags as they are; ``[]`` removes them all.

    A conditional UPDATE, "... WHERE id = :id AND image_key = <the key this
    request read>": if another request replaced the photo or deleted the recipe
    meanwhile, no row matches, nothing is saved and our new objects are removed
    (ChangedMeanwhile), so two photo replacements cannot both win.
    """
    if not can_edit(recipe, editor):
        raise NotAllowed("Only the author can change a recipe.")
    old_keys = (recipe.image_key, recipe.thumbnail_key)
    # The photo before any write: on SQLite the first write (even the tags'
    # INSERT) locks the whole database until the commit, and other requests
    # must not wait through the decoding and the uploads.
    image = _store_image(upload) if upload is not None else {}
    new_keys = (image["image_key"], image["thumbnail_key"]) if image else ()
    with _undone_on_failure(new_keys):
        tag_rows = _tags_named(list(tags)) if tags is not None else None
        changed = db.session.execute(
            update(Recipe)
            .where(Recipe.id == recipe.id, Recipe.image_key == old_keys[0])
            .values(
                title=title.strip(),
                ingredients=ingredients.strip(),
                instructions=instructions.strip(),
                **image,
            )
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise ChangedMeanwhile
        if tag_rows is not None:
            recipe.tags = tag_rows
        _commit()
    if image:
        _remove_quietly(old_keys)  # only the request whose UPDATE matched gets here
    return recipe


def delete_recipe(recipe: Recipe, actor: User) -> None:
    """The row (its tags go with it: ON DELETE CASCADE), then its objects;
    conditional like ``update_recipe``, so a second delete deletes nothing more."""
    if not can_delete(recipe, actor):
        raise NotAllowed("Only the author or staff can delete a recipe.")
    keys = (recipe.image_key, recipe.thumbnail_key)
    with _undone_on_failure():
        deleted = db.session.execute(
            delete(Recipe).where(Recipe.id == recipe.id, Recipe.image_key == recipe.image_key)
        )
        if deleted.rowcount != 1:  # type: ignore[attr-defined]
            raise ChangedMeanwhile
        _commit()
    _remove_quietly(keys)


def can_edit(recipe: Recipe, user: User) -> bool:
    return bool(user.is_authenticated) and recipe.author_id == user.id


def can_delete(recipe: Recipe, user: User) -> bool:
    return bool(user.is_authenticated) and (recipe.author_id == user.id or user.is_staff)


def recipes_query(search: str | None = None, tag: str | None = None) -> Select[tuple[Recipe]]:
    """Newest first, with ``?q=`` and ``?tag=`` applied, authors and tags
    loaded with them: three queries for a page (count, recipes, tags), not
    one more per recipe (the N+1 problem).

    The author is a many-to-one: ``joinedload`` adds one JOIN and each row
    still stands for one recipe. Joining the tags, a collection, would work
    too (SQLAlchemy moves the LIMIT into a subquery, so it still counts
    recipes), but each recipe would come back once per tag and the result would
    need ``.unique()``; ``selectinload`` fetches them in a second query instead,
    ``WHERE recipe_id IN (...)``.
    """
    query = select(Recipe).options(joinedload(Recipe.author), selectinload(Recipe.tags))
    if tag is not None:
        query = query.where(Recipe.tags.any(Tag.name == tag))
    if search:
        query = query.where(
            or_(
                Recipe.title.icontains(search, autoescape=True),
                Recipe.ingredients.icontains(search, autoescape=True),
            )
        )
    return query.order_by(Recipe.created_at.desc(), Recipe.id.desc())


def one_recipe(recipe_id: int) -> Select[tuple[Recipe]]:
    """One recipe, loaded as the list loads them: author joined, tags select-in."""
    return recipes_query().where(Recipe.id == recipe_id)


# Letters (any script), digits, spaces and hyphens: readable in a link and a badge.
_TAG_NAME = re.compile(r"[^\W_]+(?:[ -][^\W_]+)*")


def normalise_tag(text: str) -> str:
    """How a tag is stored and looked up: NFKC, lower-case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def parse_tags(text: str) -> list[str]:
    """``"Soup, quick  dinner,soup"`` -> ``["soup", "quick dinner"]``. Raises BadTags.

    The work is bounded whatever is sent: a field past its length is refused
    before it is split, and parsing stops at the first tag too many.
    """
    if len(text) > TAGS_FIELD_MAX_LENGTH:
        raise BadTags(f"Keep the tags under {TAGS_FIELD_MAX_LENGTH} characters.")
    names: dict[str, None] = {}  # a dict keeps the order and finds duplicates at once
    for part in text.split(","):
        name = normalise_tag(part)
        if not name or name in names:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise BadTags(f"Keep each tag to {TAG_MAX_LENGTH} characters; “{name}” is longer.")
        if not _TAG_NAME.fullmatch(name):
            raise BadTags(f"Use letters, digits, spaces and hyphens in a tag, not “{name}”.")
        if mixes_scripts(name) or looks_empty(name):
            raise BadTags(
                f"“{name}” mixes alphabets or hides a character, so it would pass for another tag."
            )
        names[name] = None
        if len(names) > MAX_TAGS_PER_RECIPE:
            raise BadTags(f"Use at most {MAX_TAGS_PER_RECIPE} tags.")
    return list(names)


def tag_filter(text: str) -> str | None:
    """``?tag=`` as a tag name, or None when it is empty. A name no tag can
    have (too long, odd characters) simply matches no recipe."""
    return normalise_tag(text[: TAG_MAX_LENGTH * 4]) or None


def _tags_named(names: list[str]) -> list[Tag]:
    """The Tag rows for ``names``, in that order, created where missing with
    ``INSERT ... ON CONFLICT DO NOTHING`` rather than "look, then insert": two
    requests adding the same new tag at once both succeed."""
    if not names:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # Sorted: two requests adding the same new tags take their rows in the same
    # order, so on PostgreSQL neither can wait for one the other holds (a deadlock).
    db.session.execute(
        insert(Tag)
        .values([{"name": name} for name in sorted(names)])
        .on_conflict_do_nothing(index_elements=["name"])
    )
    found = db.session.scalars(select(Tag).where(Tag.name.in_(names)))
    by_name = {tag.name: tag for tag in found}
    return [by_name[name] for name in names]


def _store_image(upload: Upload) -> dict[str, Any]:
    """Check and re-encode the photo, upload it and its thumbnail, and return
    the Recipe columns that point at them. The keys are random, so they never
    collide and never repeat a user's file name."""
    try:
        prepared = prepare_image(upload.data, upload.filename)
    except ImageRejected as rejected:
        UPLOADS_REFUSED.labels(app=current_app.name, reason=rejected.reason).inc()
        raise
    name = uuid.uuid4().hex
    image_key = f"recipes/{name}.{prepared.extension}"
    thumbnail_key = f"recipes/thumbnails/{name}.{prepared.extension}"
    original = secure_filename(upload.filename)[:255]
    # The first failure ends the upload, and only what was stored before it
    # is cleaned up: asking a store that just failed (or hung) to delete the
    # object it failed to write would make the user wait twice for nothing.
    image_store.put(image_key, prepared.full, prepared.content_type, original_filename=original)
    try:
        image_store.put(
            thumbnail_key, prepared.thumbnail, prepared.content_type, original_filename=original
        )
    except StorageError:
        _remove_quietly([image_key])
        raise
    return {
        "image_key": image_key,
        "thumbnail_key": thumbnail_key,
        "image_content_type": prepared.content_type,
        "image_width": prepared.width,
        "image_height": prepared.height,
        "original_filename": original,
    }


@contextmanager
def _undone_on_failure(new_keys: Iterable[str] = ()) -> Iterator[None]:
    """The database work after the upload: if any of it fails (a statement,
    a rule, the commit), roll back and delete the objects this request stored."""
    try:
        yield
    except Exception:
        db.session.rollback()
        _remove_quietly(new_keys)
        raise


def _commit() -> None:
    """Commit. Another request changed the recipe's tags just now: it gave the
    recipe the same new tag (a duplicate key), or it removed a tag this one
    removes too (SQLAlchemy finds no row to delete: StaleDataError)."""
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        raise ChangedMeanwhile from None


def _remove_quietly(keys: Iterable[str]) -> None:
    try:
        image_store.delete(keys)
    except StorageError:
        logger.warning("could not delete %s from the bucket; they are orphans now", keys)
