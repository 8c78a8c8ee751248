"""The recipe form. The image is checked in recipes/images.py, by its bytes;
the form says whether one is required and whether it is too large
(Flask-WTF's ``FileSize``, against ``MAX_PHOTO_BYTES``)."""

from __future__ import annotations

from flask import current_app
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from recipes.models import INGREDIENTS_MAX_LENGTH, INSTRUCTIONS_MAX_LENGTH, TITLE_MAX_LENGTH
from recipes.services import BadTags, parse_tags
from shared.errors import megabytes
from shared.forms import Form, strip_whitespace


def photo_fits(form: RecipeForm, field: Field) -> None:
    """Flask-WTF's ``FileSize``, with the limit from config and a message in
    sizes people use. The whole request is capped by ``MAX_CONTENT_LENGTH``
    (32 MB: the 413 page); a photo under that but over this limit is read,
    then refused here with the typed recipe kept (and a 413 status)."""
    limit = current_app.config["MAX_PHOTO_BYTES"]
    try:
        FileSize(max_size=limit)(form, field)
    except ValidationError:
        form.photo_too_large = True
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

    photo_too_large = False  # refused for its size: answered 413 rather than 422

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
