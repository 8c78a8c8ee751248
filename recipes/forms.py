"""The recipe form. The photo's bytes are checked in recipes/images.py; the
form says whether one is required and whether it is too large."""

from typing import Any

from flask import current_app
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, StopValidation, ValidationError

from recipes.metrics import UPLOADS_REFUSED
from recipes.models import INGREDIENTS_MAX_LENGTH, INSTRUCTIONS_MAX_LENGTH, TITLE_MAX_LENGTH
from recipes.services import BadTags, Upload, parse_tags
from shared.errors import megabytes
from shared.forms import Form, at_most, strip_whitespace

PHOTO_TYPES = {"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}


def photo_fits(form: "RecipeForm", field: Field) -> None:
    """Flask-WTF's ``FileSize`` against ``MAX_PHOTO_BYTES``. A request past
    ``MAX_CONTENT_LENGTH`` is refused unread (the 413 page); a photo under that
    but over this limit is refused here, with the typed recipe kept (413 too)."""
    limit = current_app.config["MAX_PHOTO_BYTES"]
    try:
        FileSize(max_size=limit)(form, field)
    except ValidationError:
        form.photo_too_large = True
        UPLOADS_REFUSED.labels(app=current_app.name, reason="too_big").inc()
        size = field.data.stream.seek(0, 2)
        raise StopValidation(
            f"This photo is {megabytes(size)}; photos can be up to {megabytes(limit)}. "
            "Choose a smaller one (your phone's share menu can usually send a smaller copy)."
        ) from None


def valid_tags(_form: Form, field: Field) -> None:
    """The tag rules live in recipes/services.py; here they become a message."""
    try:
        parse_tags(field.data or "")
    except BadTags as problem:
        raise ValidationError(str(problem)) from None


class RecipeForm(Form):
    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the recipe a title."),
            at_most(TITLE_MAX_LENGTH, "the title"),
        ],
    )
    ingredients = TextAreaField(
        "Ingredients",
        filters=[strip_whitespace],
        render_kw={"rows": 8},
        validators=[
            DataRequired("List the ingredients, one per line."),
            at_most(INGREDIENTS_MAX_LENGTH, "the ingredients"),
        ],
    )
    instructions = TextAreaField(
        "Instructions",
        filters=[strip_whitespace],
        render_kw={"rows": 10},
        validators=[
            DataRequired("Explain how to make it."),
            at_most(INSTRUCTIONS_MAX_LENGTH, "the instructions"),
        ],
    )
    tags = StringField(
        "Tags (optional)",
        filters=[strip_whitespace],
        render_kw={"placeholder": "soup, vegetarian, quick"},
        validators=[valid_tags],  # the length, too, is a rule of parse_tags
    )
    image = FileField(
        "Photo",
        render_kw=PHOTO_TYPES,
        validators=[FileRequired("Add a photo of the dish."), photo_fits],
    )
    submit = SubmitField("Publish recipe")

    photo_too_large = False  # refused for its size: answered 413 rather than 422

    def recipe_fields(self) -> dict[str, Any]:
        """The valid form as the services take it; ``upload`` is None without a photo."""
        photo = self.image.data  # Flask-WTF: a FileStorage with a file name, or None
        return {
            "title": self.title.data or "",
            "ingredients": self.ingredients.data or "",
            "instructions": self.instructions.data or "",
            "tags": parse_tags(self.tags.data or ""),
            "upload": Upload(data=photo.read(), filename=photo.filename) if photo else None,
        }


class EditRecipeForm(RecipeForm):
    image = FileField("New photo (optional)", render_kw=PHOTO_TYPES, validators=[photo_fits])
    submit = SubmitField("Save changes")


class ConfirmDeleteForm(Form):
    submit = SubmitField("Delete this recipe")
