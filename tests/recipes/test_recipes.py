"""Posting, showing, changing and deleting recipes, with the bucket checked
at every step."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from recipes.extensions import db, image_store
from recipes.models import Recipe, User
from recipes.storage import StorageError
from recipes.views.recipes import STORAGE_DOWN
from tests.auth_client import AuthActions
from tests.identity import assert_the_app_shows_its_identity
from tests.recipes.factories import (
    BAD_FILES,
    BUCKET,
    bucket_keys,
    image_bytes,
    jpeg_with_gps_and_orientation,
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


# --- posting -------------------------------------------------------------------------


def test_new_recipe_form_is_multipart_with_the_contract_fields(
    client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    html = client.get("/recipes/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    for name in ("title", "ingredients", "instructions", "image", "csrf_token"):
        assert f'name="{name}"' in html


def test_posting_a_recipe_stores_the_photo_and_its_thumbnail(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(size=(1200, 900)), filename="My Soup.JPG")
    assert response.status_code == 302
    recipe_id = int(response.headers["Location"].rsplit("/", 1)[1])
    recipe = load_recipe(app, recipe_id)
    assert recipe is not None
    assert re.fullmatch(r"recipes/[0-9a-f]{32}\.jpg", recipe.image_key)
    assert re.fullmatch(r"recipes/thumbnails/[0-9a-f]{32}\.jpg", recipe.thumbnail_key)
    assert recipe.original_filename == "My_Soup.JPG"
    assert recipe.image_content_type == "image/jpeg"
    assert bucket_keys(s3) == sorted([recipe.image_key, recipe.thumbnail_key])

    stored = s3.get_object(Bucket=BUCKET, Key=recipe.image_key)
    assert stored["ContentType"] == "image/jpeg"
    assert stored["CacheControl"] == "private, max-age=3600"  # as long as a link lives
    assert stored["Metadata"] == {"original-filename": "My_Soup.JPG"}
    thumbnail = s3.get_object(Bucket=BUCKET, Key=recipe.thumbnail_key)["Body"].read()
    assert Image.open(io.BytesIO(thumbnail)).size == (400, 300)


def test_the_photo_keeps_its_space_before_it_loads(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    # 3000 x 1500 is stored at most 2000 px wide: the page gives the stored size.
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(size=(3000, 1500)))
    recipe = load_recipe(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert recipe is not None
    assert (recipe.image_width, recipe.image_height) == (2000, 1000)
    stored = s3.get_object(Bucket=BUCKET, Key=recipe.image_key)["Body"].read()
    assert Image.open(io.BytesIO(stored)).size == (2000, 1000)
    page = client.get(f"/recipes/{recipe.id}").get_data(as_text=True)
    photo = re.search(r'<img class="img-fluid rounded recipe-photo"[^>]*>', page)
    assert photo is not None
    assert 'width="2000" height="1000"' in photo.group(0)
    # The list's first card is fetched at once (the largest paint), later ones lazily.
    listing = client.get("/").get_data(as_text=True)
    first_card = re.search(r'<img class="card-img-top recipe-thumbnail"[^>]*>', listing)
    assert first_card is not None
    assert 'fetchpriority="high"' in first_card.group(0)
    assert 'loading="lazy"' not in first_card.group(0)


def test_the_stored_photo_carries_no_gps(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=jpeg_with_gps_and_orientation(), filename="phone.jpg")
    recipe = load_recipe(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert recipe is not None
    for key in (recipe.image_key, recipe.thumbnail_key):
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        exif = Image.open(io.BytesIO(body)).getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(0x8825)  # GPSInfo


@pytest.mark.parametrize("filename", ["ФОТО.JPG", "crème brûlée.jpeg", "IMG_0001.PNG"])
def test_upper_case_and_non_ascii_names_are_accepted(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    filename: str,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    data = image_bytes("PNG" if filename.lower().endswith(".png") else "JPEG")
    response = post_recipe(client, data=data, filename=filename)
    assert response.status_code == 302
    assert len(bucket_keys(s3)) == 2


def test_the_same_file_name_twice_gives_two_objects(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    post_recipe(client, data=image_bytes(), filename="photo.jpg", title="One")
    post_recipe(client, data=image_bytes(), filename="photo.jpg", title="Two")
    assert len(bucket_keys(s3)) == 4
    assert recipe_count(app) == 2


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_files_are_a_form_error_and_nothing_is_written(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    data: bytes,
    filename: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=data, filename=filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "invalid-feedback" in html
    assert re.search(re.escape(message).replace("\\ ", " "), html) or message in html
    assert bucket_keys(s3) == []
    assert recipe_count(app) == 0


def test_the_form_keeps_what_was_typed_after_a_refusal(
    client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=b"", filename="x.jpg", title="Grandma's stew")
    assert "Grandma&#39;s stew" in response.get_data(as_text=True)


def test_a_photo_is_required(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    response = post_recipe(client, data=None)
    assert response.status_code == 422
    assert "Add a photo of the dish." in response.get_data(as_text=True)
    assert recipe_count(app) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the recipe a title."),
        ({"title": "x" * 201}, "Keep the title under 200 characters."),
        ({"ingredients": "  "}, "List the ingredients, one per line."),
        ({"instructions": ""}, "Explain how to make it."),
        ({"title": "Soup\x0bReply-To: x@example.com"}, "Keep this to one line"),
    ],
)
def test_text_fields_are_validated(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    fields: dict[str, str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    """Flask-WTF's ``validate_on_submit`` fails: 422, the field's errors shown
    next to it (``is-invalid``), and nothing stored."""
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(), **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "is-invalid" in html
    assert bucket_keys(s3) == []
    assert recipe_count(app) == 0


def test_posting_is_rate_limited_per_account(
    app: Flask, client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    app.config["POSTING_RATE_LIMIT"] = "2 per minute"
    statuses = [post_recipe(client, data=image_bytes()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert recipe_count(app) == 2


def test_new_and_edited_recipes_share_one_posting_budget(
    app: Flask, client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    edit = f"/recipes/{make_recipe(app, cook).id}/edit"
    auth.login("cook@example.com")
    app.config["POSTING_RATE_LIMIT"] = "2 per minute"
    assert post_recipe(client, data=image_bytes()).status_code == 302
    statuses = [post_recipe(client, edit, title=f"Soup {n}").status_code for n in range(2)]
    assert statuses == [302, 429]  # the new recipe took half of the budget


def test_an_oversize_body_gets_the_413_page(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    token = AuthActions(client).csrf_token("/recipes/new")
    # Encoded by hand: the test client would spool a body this large to a
    # temporary file that the refused request never reads or closes.
    boundary = "----recipe-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\xff\xd8"
        + b"0" * (1024 * 1024 + 10)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/recipes/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert "What you sent is too large. The limit is 1 MB." in response.get_data(as_text=True)
    assert bucket_keys(s3) == []
    assert recipe_count(app) == 0


def test_a_photo_over_the_limit_keeps_the_typed_recipe(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    # Small sizes: past 500 KB the test client spools its request body to a
    # temporary file that nobody closes.
    auth.login("cook@example.com")
    app.config.update(MAX_PHOTO_BYTES=200 * 1024, MAX_CONTENT_LENGTH=400 * 1024)
    photo = b"\xff\xd8" + b"0" * (300 * 1024 - 2)  # 0.3 MB
    response = post_recipe(
        client, data=photo, title="Grandma's borscht", ingredients="3 beetroots\n1 cabbage"
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'value="Grandma&#39;s borscht"' in html
    assert "3 beetroots\n1 cabbage" in html
    error = re.search(r'<div id="image-error"[^>]*>(.*?)</div>', html, re.S)
    assert error is not None
    assert "This photo is 0.3 MB; photos can be up to 0.2 MB." in error.group(1)
    assert bucket_keys(s3) == []
    assert recipe_count(app) == 0


def test_a_photo_at_the_limit_is_kept_whole(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    photo = image_bytes()
    app.config["MAX_PHOTO_BYTES"] = len(photo)
    response = post_recipe(client, data=photo)
    assert response.status_code == 302
    assert recipe_count(app) == 1


def test_the_photo_field_carries_its_limit_for_the_browser_check(
    client: FlaskClient, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    html = client.get("/recipes/new").get_data(as_text=True)
    assert 'data-max-bytes="10485760"' in html
    assert "up to 10 MB." in html
    assert '<script src="/static/photo-size.js" defer></script>' in html


@pytest.mark.parametrize("page", ["new", "edit"])
def test_a_thumbnail_the_store_refuses_takes_the_stored_photo_with_it(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
) -> None:
    """The photo is stored first, then its thumbnail: when the second upload
    fails, the first is removed, and the form says the store is down (503)."""
    url = f"/recipes/{make_recipe(app, cook).id}/edit" if page == "edit" else "/recipes/new"
    before, recipes = bucket_keys(s3), recipe_count(app)
    auth.login("cook@example.com")
    put, stored = image_store.put, []

    def refuse_thumbnails(key: str, *args: Any, **kwargs: Any) -> None:
        if "/thumbnails/" in key:
            raise StorageError("the store went away")
        put(key, *args, **kwargs)
        stored.append(key)

    monkeypatch.setattr(image_store, "put", refuse_thumbnails)
    response = post_recipe(client, url, data=image_bytes())
    assert response.status_code == 503
    assert STORAGE_DOWN in response.get_data(as_text=True)
    assert len(stored) == 1  # the photo was stored...
    assert bucket_keys(s3) == before  # ...and removed again
    assert recipe_count(app) == recipes


def test_a_failed_commit_removes_the_uploaded_objects(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = AuthActions(client).csrf_token("/recipes/new")

    def failing_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post(
        "/recipes/new",
        data={
            "title": "Soup",
            "ingredients": "water",
            "instructions": "boil",
            "csrf_token": token,
            "image": (io.BytesIO(image_bytes()), "soup.jpg"),
        },
        content_type="multipart/form-data",
    )
    monkeypatch.undo()
    assert response.status_code == 500
    assert bucket_keys(s3) == []
    assert recipe_count(app) == 0


@pytest.mark.parametrize(
    ("edit", "failing_statement"),
    [(False, "INSERT INTO tags"), (True, "INSERT INTO tags"), (True, "UPDATE recipes")],
    ids=["publish, the tags", "edit, the tags", "edit, the conditional update"],
)
def test_a_database_error_after_the_upload_removes_the_new_objects(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    edit: bool,
    failing_statement: str,
) -> None:
    # Not only the commit: any statement after the upload may fail ("database is locked").
    auth.login("cook@example.com")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    recipe = make_recipe(app, cook) if edit else None
    kept = sorted([recipe.image_key, recipe.thumbnail_key]) if recipe else []

    def fail(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith(failing_statement):
            raise OperationalError(statement, params, Exception("database is locked"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        url = f"/recipes/{recipe.id}/edit" if recipe else "/recipes/new"
        response = post_recipe(
            client, url, data=image_bytes("PNG"), filename="new.png", tags="soup"
        )
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert response.status_code == 500
    assert bucket_keys(s3) == kept
    assert recipe_count(app) == (1 if recipe else 0)


# --- reading -------------------------------------------------------------------------


def test_the_list_shows_thumbnails_newest_first(app: Flask, client: FlaskClient) -> None:
    cook = make_user(app)
    older = make_recipe(app, cook, "Older soup")
    newer = make_recipe(app, cook, "Newer soup")
    html = client.get("/").get_data(as_text=True)
    assert html.index("Newer soup") < html.index("Older soup")
    for recipe in (older, newer):
        assert f"/{BUCKET}/{recipe.thumbnail_key}?" in html or f"{recipe.thumbnail_key}?" in html


def test_mvc_the_list_view_renders_its_template_with_the_recipe_models(
    app: Flask, client: FlaskClient
) -> None:
    """MVC in Flask: the model (``Recipe`` rows), the view function
    (``list_recipes``) that queries them, the template that shows them."""
    make_recipe(app, make_user(app), "Tomato soup")
    rendered: list[tuple[str | None, dict[str, Any]]] = []

    def record(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
        rendered.append((template.name, context))

    with template_rendered.connected_to(record, app):
        client.get("/")
    name, context = rendered[0]
    assert name == "recipes/list.html"
    recipes = context["pagination"].items
    assert [type(recipe) for recipe in recipes] == [Recipe]
    assert recipes[0].title == "Tomato soup"


def test_images_are_shown_through_short_lived_presigned_urls(
    app: Flask, client: FlaskClient
) -> None:
    recipe = make_recipe(app, make_user(app))
    html = client.get(f"/recipes/{recipe.id}").get_data(as_text=True)
    (url,) = re.findall(r'<img class="img-fluid[^"]*" src="([^"]+)"', html)
    url = url.replace("&amp;", "&")
    assert recipe.image_key in url
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=3600" in url


def test_the_list_has_an_empty_state(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="empty-state"' in html
    assert "No recipes yet." in html


def test_search_covers_title_and_ingredients(app: Flask, client: FlaskClient) -> None:
    cook = make_user(app)
    make_recipe(app, cook, "Tomato soup", ingredients="tomatoes\nonion")
    make_recipe(app, cook, "Bruschetta", ingredients="bread\nTOMATOES")
    make_recipe(app, cook, "Pancakes", ingredients="flour\nmilk")
    html = client.get("/", query_string={"q": "tomato"}).get_data(as_text=True)
    assert "Tomato soup" in html
    assert "Bruschetta" in html
    assert "Pancakes" not in html
    nothing = client.get("/", query_string={"q": "caviar"}).get_data(as_text=True)
    assert "No recipe matches" in nothing


def test_the_list_is_paginated(app: Flask, client: FlaskClient) -> None:
    app.config["RECIPES_PER_PAGE"] = 2
    cook = make_user(app)
    for n in range(3):
        make_recipe(app, cook, f"Recipe {n}")
    assert "Recipe 0" in client.get("/?page=2").get_data(as_text=True)
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 400


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "junk=1"])
def test_the_page_links_keep_the_search_and_tag_and_nothing_else(
    app: Flask, client: FlaskClient, query: str
) -> None:
    """Bootstrap-Flask copies every query parameter into its links by default:
    ``endpoint`` and ``_method`` made url_for() fail (a 500)."""
    app.config["RECIPES_PER_PAGE"] = 1
    cook = make_user(app)
    for n in range(2):
        make_recipe(app, cook, f"Soup {n}", tags=["soup"])
    response = client.get(f"/?q=soup&tag=soup&{query}")
    assert response.status_code == 200
    links = response.get_data(as_text=True).split('aria-label="Page navigation"')[1]
    assert {"page=2", "q=soup", "tag=soup"} <= set(re.findall(r"\w+=\w+", links))
    assert query.split("=")[0] not in links


def test_the_detail_page_lists_ingredients_and_escapes_user_text(
    app: Flask, client: FlaskClient
) -> None:
    recipe = make_recipe(
        app, make_user(app), "<script>alert(1)</script>", ingredients="2 eggs\n\n<b>salt</b>\n"
    )
    html = client.get(f"/recipes/{recipe.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<li>2 eggs</li><li>&lt;b&gt;salt&lt;/b&gt;</li>" in html


def test_authors_are_shown_by_display_name_never_by_address(
    app: Flask, client: FlaskClient
) -> None:
    cook = make_user(app, "cook@example.com", display_name="Chef Nadia")
    recipe = make_recipe(app, cook)
    for page in ("/", f"/recipes/{recipe.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "by Chef Nadia" in html
        assert "cook@example.com" not in html


def test_a_missing_recipe_is_404(client: FlaskClient) -> None:
    assert client.get("/recipes/999").status_code == 404


# --- changing and deleting ------------------------------------------------------------


def test_editing_without_a_new_photo_keeps_the_old_one(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    url = f"/recipes/{recipe.id}/edit"
    response = post_recipe(client, url, title="Better soup")
    assert response.status_code == 302
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert saved.title == "Better soup"
    assert saved.image_key == recipe.image_key
    assert bucket_keys(s3) == sorted([recipe.image_key, recipe.thumbnail_key])


def test_a_new_photo_replaces_the_old_objects(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    url = f"/recipes/{recipe.id}/edit"
    response = post_recipe(client, url, data=image_bytes("PNG"), filename="new.png")
    assert response.status_code == 302
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert saved.image_key != recipe.image_key
    assert saved.image_key.endswith(".png")
    assert saved.image_content_type == "image/png"
    assert bucket_keys(s3) == sorted([saved.image_key, saved.thumbnail_key])


def test_a_bad_new_photo_changes_nothing(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    url = f"/recipes/{recipe.id}/edit"
    response = post_recipe(client, url, data=b"GIF89a", filename="x.gif", title="Changed")
    assert response.status_code == 422
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert saved.title == "Tomato soup"
    assert bucket_keys(s3) == sorted([recipe.image_key, recipe.thumbnail_key])


def test_a_failed_commit_while_replacing_keeps_the_old_photo(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    url = f"/recipes/{recipe.id}/edit"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = AuthActions(client).csrf_token(url)

    def failing_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post(
        url,
        data={
            "title": "New",
            "ingredients": "x",
            "instructions": "y",
            "csrf_token": token,
            "image": (io.BytesIO(image_bytes("PNG")), "new.png"),
        },
        content_type="multipart/form-data",
    )
    monkeypatch.undo()
    assert response.status_code == 500
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert saved.image_key == recipe.image_key
    # The new objects were removed again; the old ones are still there.
    assert bucket_keys(s3) == sorted([recipe.image_key, recipe.thumbnail_key])


def test_delete_asks_first_then_removes_the_row_and_the_objects(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    url = f"/recipes/{recipe.id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": AuthActions(client).csrf_token(url)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert load_recipe(app, recipe.id) is None
    assert bucket_keys(s3) == []


def test_delete_without_csrf_token_is_400(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    recipe = make_recipe(app, cook)
    assert client.post(f"/recipes/{recipe.id}/delete").status_code == 400
    assert load_recipe(app, recipe.id) is not None
    assert len(bucket_keys(s3)) == 2


def test_error_and_login_pages_keep_the_recipe_sites_navigation(client: FlaskClient) -> None:
    for path, status in (("/no/such/page", 404), ("/auth/login", 200), ("/auth/register", 200)):
        response = client.get(path)
        assert response.status_code == status
        assert 'href="/">All recipes</a>' in response.get_data(as_text=True)


def test_the_recipe_site_shows_its_own_logo_colour_and_name(client: FlaskClient) -> None:
    assert_the_app_shows_its_identity(
        client, name="Recipes", stylesheet="recipes.css", accent="#9a3412"
    )
