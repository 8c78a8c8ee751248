"""Recipe pages: the list, a recipe, and the forms to post, change and delete.

Anyone can read. Posting needs an account; changing is for the author;
deleting is for the author or staff (moderation).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from recipes import services
from recipes.extensions import db, limiter
from recipes.forms import ConfirmDeleteForm, EditRecipeForm, RecipeForm
from recipes.images import ImageRejected
from recipes.models import Recipe
from recipes.storage import StorageError
from shared.auth import rate_limits
from shared.forms import form_status
from shared.pagination import paginate

bp = Blueprint("recipes", __name__)


# Recipes posted or edited per account, one budget for both (a shared limit):
# each one costs an image decode.
posting_rate_limit = rate_limits.limit_from_config("POSTING_RATE_LIMIT")


def by_account() -> str:
    """The logged-in poster's account; not ``rate_limits.by_account``, which keys
    on the e-mail a login form names."""
    return f"account:{current_user.id}"


posting = limiter.shared_limit(
    posting_rate_limit, scope="posting", methods=["POST"], key_func=by_account
)


STORAGE_DOWN = (
    "The photo could not be stored right now. Nothing was saved; please try again in a minute."
)


@bp.get("/")
def list_recipes() -> ResponseReturnValue:
    search = request.args.get("q", "").strip()[:200] or None
    tag = services.tag_filter(request.args.get("tag", ""))
    pagination = paginate(
        db, services.recipes_query(search, tag), per_page=current_app.config["RECIPES_PER_PAGE"]
    )
    return render_template("recipes/list.html", pagination=pagination, search=search or "", tag=tag)


@bp.get("/recipes/<id:recipe_id>")
def show_recipe(recipe_id: int) -> ResponseReturnValue:
    recipe = _recipe_or_404(recipe_id)
    return render_template(
        "recipes/detail.html",
        recipe=recipe,
        can_edit=services.can_edit(recipe, current_user),
        can_delete=services.can_delete(recipe, current_user),
    )


@bp.route("/recipes/new", methods=["GET", "POST"])
@login_required
@posting
def new_recipe() -> ResponseReturnValue:
    form = RecipeForm()
    if not form.validate_on_submit():
        return _render_form(form, None)
    try:
        recipe = services.publish_recipe(current_user, **form.recipe_fields())
    except ImageRejected as error:
        return _render_form(form, None, 422, photo_error=str(error))
    except StorageError:
        current_app.logger.exception("storing a recipe image failed")
        return _render_form(form, None, 503, photo_error=STORAGE_DOWN)
    flash("Your recipe is published.", "success")
    return redirect(url_for(".show_recipe", recipe_id=recipe.id))


@bp.route("/recipes/<id:recipe_id>/edit", methods=["GET", "POST"])
@login_required
@posting
def edit_recipe(recipe_id: int) -> ResponseReturnValue:
    recipe = _recipe_or_404(recipe_id)
    if not services.can_edit(recipe, current_user):
        abort(403, "Only the author can change this recipe.")
    if request.method == "POST":
        # Only what was sent: with obj=, a field left out of the POST would
        # keep the recipe's value (for tags, a list of Tag rows, not text).
        form = EditRecipeForm()
    else:
        form = EditRecipeForm(obj=recipe)
        form.tags.data = ", ".join(tag.name for tag in recipe.tags)
    if not form.validate_on_submit():
        return _render_form(form, recipe)
    try:
        services.update_recipe(recipe, current_user, **form.recipe_fields())
    except ImageRejected as error:
        return _render_form(form, recipe, 422, photo_error=str(error))
    except StorageError:
        current_app.logger.exception("storing a recipe image failed")
        return _render_form(form, recipe, 503, photo_error=STORAGE_DOWN)
    except services.ChangedMeanwhile as conflict:
        abort(409, str(conflict))
    flash("Your changes are saved.", "success")
    return redirect(url_for(".show_recipe", recipe_id=recipe_id))


@bp.route("/recipes/<id:recipe_id>/delete", methods=["GET", "POST"])
@login_required
def delete_recipe(recipe_id: int) -> ResponseReturnValue:
    """GET asks "are you sure?"; POST (with the form's CSRF token) deletes."""
    recipe = _recipe_or_404(recipe_id)
    if not services.can_delete(recipe, current_user):
        abort(403, "Only the author or staff can delete this recipe.")
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        title = recipe.title
        try:
            services.delete_recipe(recipe, current_user)
        except services.ChangedMeanwhile as conflict:
            abort(409, str(conflict))
        flash(f"“{title}” is deleted.", "success")
        return redirect(url_for(".list_recipes"))
    return render_template("recipes/delete.html", recipe=recipe, form=form)


def _render_form(
    form: RecipeForm, recipe: Recipe | None, status: int | None = None, photo_error: str = ""
) -> ResponseReturnValue:
    """The form page, as sent. A photo too large to keep is a 413; a photo
    refused (422) or not stored (503) gets its message by the field."""
    if photo_error:
        form.image.errors = [photo_error]
    if status is None:
        status = 413 if form.photo_too_large else form_status(form)
    return render_template("recipes/form.html", form=form, recipe=recipe), status


def _recipe_or_404(recipe_id: int) -> Recipe:
    return db.first_or_404(services.one_recipe(recipe_id), description="There is no such recipe.")
