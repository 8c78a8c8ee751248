"""The recipe form. The image is checked in recipes/images.py, by its bytes;
the form says whether one is required and whether it was too large to keep
(recipes/uploads.py)."""

from __future__ import annotations

from flask import current_app
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from recipes.models import INGREDIENTS_MAX_LENGTH, INSTRUCTIONS_MAX_LENGTH, TITLE_MAX_LENGTH
from recipes.services import BadTags, parse_tags
from recipes.uploads import received_bytes
from shared.errors import megabytes
from shared.forms import Form, strip_whitespace


def photo_fits(_form: Form, field: Field) -> None:
    """A photo past MAX_PHOTO_BYTES arrives cut short (recipes/uploads.py): say so."""
    received = received_bytes(field.data) if isinstance(field.data, FileStorage) else None
    if received is not None:
        limit = current_app.config["MAX_PHOTO_BYTES"]
        raise StopValidation(
            f"This photo is {megabytes(received)}; photos can be up to {megabytes(limit)}. "
            "Choose a smaller one (your phone's share menu can usually send a smaller copy)."
        )


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
            Length(
                max=TITLE_MAX_LENGTH, message=f"Keep the title under {TITLE_MAX_LENGTH} characters."
            ),
        ],
    )
    ingredients = TextAreaField(
        "Ingredients",
        filters=[strip_whitespace],
        render_kw={"rows": 8},
        validators=[
            DataRequired("List the ingredients, one per line."),
            Length(
                max=INGREDIENTS_MAX_LENGTH,
                message=f"Keep the ingredients under {INGREDIENTS_MAX_LENGTH:,} characters.",
            ),
        ],
    )
    instructions = TextAreaField(
        "Instructions",
        filters=[strip_whitespace],
        render_kw={"rows": 10},
        validators=[
            DataRequired("Explain how to make it."),
            Length(
                max=INSTRUCTIONS_MAX_LENGTH,
                message=f"Keep the instructions under {INSTRUCTIONS_MAX_LENGTH:,} characters.",
            ),
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
        render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"},
        validators=[FileRequired("Add a photo of the dish."), photo_fits],
    )
    submit = SubmitField("Publish recipe")

    def photo_too_large(self) -> bool:
        """Refused for its size: answered 413 rather than 422."""
        return (
            isinstance(self.image.data, FileStorage) and received_bytes(self.image.data) is not None
        )

    def tag_names(self) -> list[str]:
        """The tags as the service takes them (the field is valid by now)."""
        return parse_tags(self.tags.data or "")


class EditRecipeForm(RecipeForm):
    image = FileField(
        "New photo (optional)",
        render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"},
        validators=[photo_fits],
    )
    submit = SubmitField("Save changes")


class ConfirmDeleteForm(Form):
    submit = SubmitField("Delete this recipe")
