"""The recipe form. The image is checked in recipes/images.py, by its bytes;
the form only says whether one is required."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from recipes.models import INGREDIENTS_MAX_LENGTH, INSTRUCTIONS_MAX_LENGTH, TITLE_MAX_LENGTH
from shared.forms import Form, strip_whitespace


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
    image = FileField(
        "Photo",
        render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"},
        validators=[FileRequired("Add a photo of the dish.")],
    )
    submit = SubmitField("Publish recipe")


class EditRecipeForm(RecipeForm):
    image = FileField(
        "New photo (optional)",
        render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"},
    )
    submit = SubmitField("Save changes")


class ConfirmDeleteForm(Form):
    submit = SubmitField("Delete this recipe")
