"""Recipe tags, a many-to-many: typed on the form as one comma-separated
field, shown as links on the recipe page and the cards, filtered with
``GET /?tag=NAME``, loaded without N+1 queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, inspect, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import MANYTOMANY, MANYTOONE, joinedload

from recipes import services
from recipes.extensions import db
from recipes.models import Recipe, Tag, User, recipe_tags
from tests.auth_client import AuthActions
from tests.query_count import count_queries
from tests.recipes.factories import (
    bucket_keys,
    image_bytes,
    load_recipe,
    make_recipe,
    make_user,
    post_recipe,
    recipe_count,
)


@pytest.fixture
def cook(app: Flask) -> User:
    """A member who posts recipes (cook@example.com), not logged in."""
    return make_user(app, "cook@example.com")


def tag_names(app: Flask, recipe_id: int) -> list[str]:
    with app.app_context():
        recipe = db.session.get(Recipe, recipe_id)
        assert recipe is not None
        return [tag.name for tag in recipe.tags]


def titles_on(client: FlaskClient, url: str) -> list[str]:
    html = client.get(url).get_data(as_text=True)
    return re.findall(r'<h2 class="h5 card-title">([^<]+)</h2>', html)


# --- the rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("", []),
        ("Soup", ["soup"]),
        ("Soup, quick  dinner,soup, ,SOUP", ["soup", "quick dinner"]),
        ("ＶＥＧＡＮ, crème brûlée, one-pot", ["vegan", "crème brûlée", "one-pot"]),  # noqa: RUF001
        ("x" * 30, ["x" * 30]),
    ],
)
def test_tags_are_split_normalised_and_deduplicated(typed: str, names: list[str]) -> None:
    assert services.parse_tags(typed) == names


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("x" * 31, "30 characters"),
        ("soup; drop table recipes", "letters, digits, spaces and hyphens"),
        ("<script>", "letters, digits, spaces and hyphens"),
        ("-leading", "letters, digits, spaces and hyphens"),
        (", ".join(f"tag{n}" for n in range(11)), "at most 10 tags"),
        ("s\u043eup", "mixes alphabets"),  # a Cyrillic o: passes for "soup" on screen
        ("soup\u1160", "hides a character"),  # a Hangul filler shows nothing
        ("x," * 251, "under 500 characters"),
    ],
)
def test_tags_breaking_the_rule_are_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(services.BadTags, match=reason):
        services.parse_tags(typed)


@pytest.mark.parametrize("typed", ["Борщ", "お好み焼き", "Tシャツ", "crème brûlée"])
def test_a_tag_in_one_script_is_accepted(typed: str) -> None:
    assert services.parse_tags(typed) == [typed.lower()]


@pytest.mark.parametrize(
    "typed",
    [
        ",".join(f"t{n}" for n in range(40_000)),  # 150 kB of distinct names
        ",".join(f"t{n}" for n in range(120)),  # under 500 characters, many names
    ],
    ids=["far past the field's length", "past the tag count"],
)
def test_parsing_tags_is_bounded_whatever_the_field_holds(
    typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalised: list[str] = []
    normalise = services.normalise_tag

    def counting(text: str) -> str:
        normalised.append(text)
        return normalise(text)

    monkeypatch.setattr(services, "normalise_tag", counting)
    with pytest.raises(services.BadTags):
        services.parse_tags(typed)
    # Refused unread past the length; otherwise at the first tag too many.
    assert len(normalised) <= services.MAX_TAGS_PER_RECIPE + 1


# --- the form --------------------------------------------------------------------------


def test_tags_typed_on_the_form_are_saved_and_shown_as_links(
    app: Flask, client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(), tags="Soup, Vegetarian, soup")
    assert response.status_code == 302
    recipe_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert tag_names(app, recipe_id) == ["soup", "vegetarian"]  # by name

    html = client.get(f"/recipes/{recipe_id}").get_data(as_text=True)
    assert '<a class="badge' in html
    assert 'href="/?tag=soup"' in html
    assert 'href="/?tag=vegetarian"' in html


def test_bad_tags_are_a_form_error_and_nothing_is_saved(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(), tags="soup, <b>bold</b>", title="Kept")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use letters, digits, spaces and hyphens in a tag" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # what was typed comes back, escaped
    assert 'value="Kept"' in html
    assert recipe_count(app) == 0
    assert bucket_keys(s3) == []


def test_a_huge_tags_field_is_a_form_error(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(), tags=",".join(map(str, range(30_000))))
    assert response.status_code == 422
    assert "Keep the tags under 500 characters." in response.get_data(as_text=True)
    assert recipe_count(app) == 0


def test_the_edit_form_shows_the_tags_and_saves_new_ones(
    app: Flask, client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook, tags=["soup", "winter"])
    html = client.get(f"/recipes/{recipe.id}/edit").get_data(as_text=True)
    assert 'value="soup, winter"' in html

    response = post_recipe(
        client, f"/recipes/{recipe.id}/edit", tags="winter, Quick", title=recipe.title
    )
    assert response.status_code == 302
    assert tag_names(app, recipe.id) == ["quick", "winter"]

    response = post_recipe(client, f"/recipes/{recipe.id}/edit", tags="", title=recipe.title)
    assert response.status_code == 302
    assert tag_names(app, recipe.id) == []


def test_an_edit_posted_without_a_tags_field_reads_it_as_empty(
    app: Flask, client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    # The form holds what was posted, nothing from the recipe: its tags are
    # Tag rows, not the text the field parses.
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook, tags=["soup"])
    response = post_recipe(client, f"/recipes/{recipe.id}/edit", title=recipe.title)
    assert response.status_code == 302
    assert tag_names(app, recipe.id) == []


def test_one_tag_row_per_name_shared_by_every_recipe(
    app: Flask, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    make_recipe(app, cook, "Tomato soup", tags=["soup"])
    make_recipe(app, cook, "Leek soup", tags=["soup", "winter"])
    with app.app_context():
        assert db.session.scalars(select(Tag.name).order_by(Tag.name)).all() == ["soup", "winter"]


def test_the_database_refuses_a_second_tag_of_one_name(app: Flask) -> None:
    """``Tag.name`` is ``unique=True``: a unique constraint, so the database
    keeps one row per name whatever code writes it, which the ``ON CONFLICT``
    below relies on."""
    with app.app_context():
        db.session.add(Tag(name="soup"))
        db.session.commit()
        db.session.add(Tag(name="soup"))
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 1


def test_adding_a_tag_that_appeared_meanwhile_uses_the_existing_row(app: Flask) -> None:
    # INSERT ... ON CONFLICT DO NOTHING: a tag another request created a
    # moment ago is not an error, whoever commits first.
    with app.app_context():
        db.session.add(Tag(name="soup"))
        db.session.commit()
        first = services._tags_named(["soup", "new"])
        again = services._tags_named(["new", "soup"])
        assert [tag.id for tag in again] == [first[1].id, first[0].id]
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 2


def test_new_tags_are_inserted_in_one_order_whatever_order_they_were_typed_in(
    app: Flask,
) -> None:
    # Two requests adding "soup, quick" and "quick, soup" at once take the rows
    # in the same order: neither waits for a row the other holds (a deadlock).
    inserted: list[list[str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO tags"):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            inserted.append([value for value in values if isinstance(value, str)])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            tags = services._tags_named(["soup", "quick", "easy"])
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert [tag.name for tag in tags] == ["soup", "quick", "easy"]  # as typed
    assert inserted == [["easy", "quick", "soup"]]


@pytest.mark.parametrize("tags_before", [[], ["quick", "soup"]], ids=["adding", "removing"])
def test_the_same_tag_change_saved_at_once_by_two_requests_is_a_409_for_the_second(
    app: Flask, cook: User, auth: AuthActions, tags_before: list[str]
) -> None:
    """Two tabs, or a double click on "Save changes", both saving the tags
    "soup". Adding it: the second INSERT of the link is a duplicate key.
    Removing "quick": the second DELETE of the link finds no row."""
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook, tags=tags_before)
    with app.test_request_context():
        slow = db.session.get(Recipe, recipe.id)
        assert slow is not None
        assert [tag.name for tag in slow.tags] == tags_before  # read before the other save
        with app.app_context():  # another request, its own session
            fast = db.session.get(Recipe, recipe.id)
            assert fast is not None
            fast.tags = services._tags_named(["soup"])
            db.session.commit()
        author = db.session.get(User, cook.id)
        assert author is not None
        with pytest.raises(services.ChangedMeanwhile):
            services.update_recipe(
                slow,
                author,
                title=slow.title,
                ingredients=slow.ingredients,
                instructions=slow.instructions,
                tags=["soup"],
            )
    assert tag_names(app, recipe.id) == ["soup"]


def test_deleting_a_recipe_removes_its_tag_links_not_the_tags(
    app: Flask, client: FlaskClient, auth: AuthActions, cook: User
) -> None:
    auth.login("cook@example.com")
    gone = make_recipe(app, cook, "Leek soup", tags=["soup", "winter"])
    kept = make_recipe(app, cook, "Tomato soup", tags=["soup"])
    response = client.post(
        f"/recipes/{gone.id}/delete",
        data={"csrf_token": auth.csrf_token(f"/recipes/{gone.id}/delete")},
    )
    assert response.status_code == 302
    with app.app_context():
        links = db.session.execute(select(recipe_tags.c.recipe_id, recipe_tags.c.tag_id)).all()
        assert [recipe_id for recipe_id, _ in links] == [kept.id]
        assert db.session.scalars(select(Tag.name).order_by(Tag.name)).all() == ["soup", "winter"]
    assert load_recipe(app, kept.id) is not None


# --- filtering -------------------------------------------------------------------------


def test_the_home_page_filters_by_tag(app: Flask, client: FlaskClient) -> None:
    cook = make_user(app)
    make_recipe(app, cook, "Tomato soup", tags=["soup", "quick"])
    make_recipe(app, cook, "Leek soup", tags=["soup"], ingredients="3 leeks")
    make_recipe(app, cook, "Apple pie", tags=["dessert"])

    assert titles_on(client, "/?tag=soup") == ["Leek soup", "Tomato soup"]
    assert titles_on(client, "/?tag=%20SOUP%20") == ["Leek soup", "Tomato soup"]  # normalised
    assert titles_on(client, "/?tag=soup&q=tomato") == ["Tomato soup"]
    assert titles_on(client, "/?tag=") == ["Apple pie", "Leek soup", "Tomato soup"]

    html = client.get("/?tag=soup").get_data(as_text=True)
    assert "<title>Recipes tagged “soup”" in html
    assert 'data-testid="clear-tag"' in html
    # Each card links its tags; the tag filter survives a search.
    assert 'href="/?tag=quick"' in html
    assert '<input type="hidden" name="tag" value="soup">' in html


@pytest.mark.parametrize("tag", ["caviar", "x" * 200, "soup'; DROP TABLE tags; --", "<b>"])
def test_a_tag_no_recipe_has_is_an_empty_state(app: Flask, client: FlaskClient, tag: str) -> None:
    make_recipe(app, make_user(app), "Tomato soup", tags=["soup"])
    response = client.get("/", query_string={"tag": tag})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="empty-state"' in html
    assert "No recipe is tagged" in html
    assert "<b>" not in html.split("<main", 1)[-1]  # escaped, never markup
    assert recipe_count(app) == 1  # and the tables are all still there
    assert titles_on(client, "/?tag=soup") == ["Tomato soup"]


def test_pagination_links_keep_the_tag(app: Flask, client: FlaskClient) -> None:
    app.config["RECIPES_PER_PAGE"] = 2
    cook = make_user(app)
    for number in range(3):
        make_recipe(app, cook, f"Soup {number}", tags=["soup"])
    html = client.get("/?tag=soup").get_data(as_text=True)
    navigation = html.split('aria-label="Page navigation"')[1]
    assert "tag=soup" in navigation
    assert "page=2" in navigation


# --- no N+1 ----------------------------------------------------------------------------


def test_the_home_page_runs_the_same_queries_for_any_number_of_tagged_recipes(
    app: Flask, client: FlaskClient
) -> None:
    cook = make_user(app)

    def queries() -> list[str]:
        with count_queries(app, db) as statements:
            assert client.get("/").status_code == 200
        return statements

    make_recipe(app, cook, "One", tags=["a"])
    few = queries()
    for number in range(5):
        make_recipe(app, cook, f"Recipe {number}", tags=["a", "b", f"c{number}"])
    many = queries()
    assert len(many) == len(few)
    # count, recipes JOIN users (joinedload), tags WHERE recipe_id IN (selectinload)
    page = next(
        statement for statement in many if "FROM recipes" in statement and "LIMIT" in statement
    )
    assert "JOIN users" in page
    assert any("recipe_tags" in s and " IN (" in s for s in many)


def test_joined_tags_would_keep_a_full_page_but_send_each_recipe_once_per_tag(
    app: Flask,
) -> None:
    # Why recipes_query uses selectinload for the tags, not the textbook joinedload.
    cook = make_user(app)
    for number in range(3):
        make_recipe(app, cook, f"Recipe {number}", tags=["a", "b", "c"])
    joined = (
        select(Recipe)
        .options(joinedload(Recipe.author), joinedload(Recipe.tags))
        .order_by(Recipe.id)
        .limit(2)
    )
    with app.app_context():
        sql = str(joined.compile(db.engine, compile_kwargs={"literal_binds": True}))
        # SQLAlchemy limits recipes in a subquery and joins the tags outside it.
        assert re.search(r"FROM \(SELECT .* LIMIT 2.*\) AS anon_1 .*JOIN tags", sql, re.S)
        rows = db.session.connection().exec_driver_sql(sql).all()
        assert len(rows) == 6  # 2 recipes x 3 tags: each recipe's columns sent 3 times
        with pytest.raises(InvalidRequestError, match=r"unique\(\)"):
            db.session.scalars(joined).all()
        recipes = db.session.scalars(joined).unique().all()
        assert [len(recipe.tags) for recipe in recipes] == [3, 3]


def test_the_recipe_page_loads_recipe_and_author_in_one_query_and_tags_in_one_more(
    app: Flask, client: FlaskClient
) -> None:
    recipe = make_recipe(app, make_user(app), tags=["soup", "winter"])
    with count_queries(app, db) as statements:
        assert client.get(f"/recipes/{recipe.id}").status_code == 200
    assert len(statements) == 2
    assert "JOIN users" in statements[0]
    assert "recipe_tags" in statements[1]


def test_tags_are_a_many_to_many_relationship_and_the_author_a_foreign_key(
    app: Flask, cook: User
) -> None:
    """A recipe has many tags and a tag many recipes, through the secondary
    table ``recipe_tags``; each recipe has one author (one-to-many, seen from
    the user)."""
    tags = inspect(Recipe).relationships["tags"]
    assert tags.direction is MANYTOMANY
    assert tags.secondary is recipe_tags
    assert inspect(Recipe).relationships["author"].direction is MANYTOONE
    first = make_recipe(app, cook, title="Soup", tags=["quick"])
    second = make_recipe(app, cook, title="Salad", tags=["quick"])
    with app.app_context():
        quick = db.session.execute(select(Tag).where(Tag.name == "quick")).scalar_one()
        recipes = db.session.scalars(
            select(Recipe).join(Recipe.tags).where(Tag.id == quick.id).order_by(Recipe.id)
        ).all()
        assert [recipe.id for recipe in recipes] == [first.id, second.id]
