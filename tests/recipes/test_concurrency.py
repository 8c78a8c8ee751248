"""Two requests replacing or deleting one recipe at once: every object in the
bucket is either referenced by a row or deleted, and the loser is told (409).

Every UPDATE and DELETE of a recipe is conditional (recipes/services.py): it
applies only while the photo's key is the one the request read.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from typing import Any

import pytest
from flask import Flask

from recipes import services
from recipes.extensions import db, image_store
from recipes.models import Recipe, User
from tests.auth_client import AuthActions
from tests.conftest import TEST_DATABASE_URL
from tests.recipes.factories import (
    bucket_keys,
    image_bytes,
    load_recipe,
    make_recipe,
    make_user,
    post_recipe,
)


def new_photo(colour: str) -> services.Upload:
    return services.Upload(data=image_bytes(colour=colour), filename="new.jpg")


def replace_photo(app: Flask, recipe_id: int, author_id: int, colour: str) -> None:
    """Another request: a new app context, and so a session of its own.
    (A request context would reuse the app context already pushed.)"""
    with app.app_context():
        recipe = db.session.get(Recipe, recipe_id)
        author = db.session.get(User, author_id)
        assert recipe is not None
        assert author is not None
        services.update_recipe(
            recipe,
            author,
            title="Theirs",
            ingredients="x",
            instructions="y",
            upload=new_photo(colour),
        )


def test_the_slower_of_two_photo_replacements_is_refused_and_leaves_no_orphan(
    app: Flask, s3: Any
) -> None:
    author = make_user(app)
    recipe = make_recipe(app, author)
    with app.test_request_context():
        stale = db.session.get(Recipe, recipe.id)  # this request reads the recipe...
        editor = db.session.get(User, author.id)
        assert stale is not None
        assert editor is not None
        replace_photo(app, recipe.id, author.id, "#2e86c1")  # ...another one replaces the photo
        with pytest.raises(services.ChangedMeanwhile):
            services.update_recipe(
                stale,
                editor,
                title="Mine",
                ingredients="x",
                instructions="y",
                upload=new_photo("#28b463"),
            )
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert saved.title == "Theirs"
    # The winner's objects only: the old ones were deleted by the winner,
    # the loser's new ones by the loser.
    assert bucket_keys(s3) == sorted([saved.image_key, saved.thumbnail_key])


def test_a_second_delete_of_the_same_recipe_deletes_nothing_more(app: Flask, s3: Any) -> None:
    author = make_user(app)
    recipe = make_recipe(app, author)
    keeper = make_recipe(app, author, title="Kept")
    with app.test_request_context():
        stale = db.session.get(Recipe, recipe.id)
        actor = db.session.get(User, author.id)
        assert stale is not None
        assert actor is not None
        with app.app_context():  # the first delete, in its own session, finished meanwhile
            first = db.session.get(Recipe, recipe.id)
            assert first is not None
            services.delete_recipe(first, first.author)
        with pytest.raises(services.ChangedMeanwhile):
            services.delete_recipe(stale, actor)
    assert bucket_keys(s3) == sorted([keeper.image_key, keeper.thumbnail_key])


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's one writer at a time")
def test_other_requests_can_write_while_an_edit_uploads_its_photo(
    app: Flask, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite locks the whole database from a transaction's first write to
    # its commit: an edit must not hold that lock through its S3 uploads.
    author = make_user(app)
    recipe = make_recipe(app, author)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writes_possible: list[bool] = []
    real_put = image_store.put

    def put_while_another_writes(*args: Any, **kwargs: Any) -> None:
        # timeout=0: ask for the write lock once, without waiting for it.
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other:
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                writes_possible.append(True)
            except sqlite3.OperationalError:  # "database is locked"
                writes_possible.append(False)
        real_put(*args, **kwargs)

    monkeypatch.setattr(image_store, "put", put_while_another_writes)
    with app.app_context():
        editing = db.session.get(Recipe, recipe.id)
        editor = db.session.get(User, author.id)
        assert editing is not None
        assert editor is not None
        services.update_recipe(
            editing,
            editor,
            title="Mine",
            ingredients="x",
            instructions="y",
            upload=new_photo("#28b463"),
            tags=["soup", "new-tag"],
        )
    assert writes_possible == [True, True]  # the photo and its thumbnail


def test_four_parallel_edits_with_new_photos_leave_only_referenced_objects(
    app: Flask, s3: Any
) -> None:
    make_user(app)
    author = make_user(app, "author@example.com")
    recipe = make_recipe(app, author)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def edit(colour: str) -> None:
        client = app.test_client()
        AuthActions(client).login("author@example.com")
        token_page = f"/recipes/{recipe.id}/edit"
        barrier.wait()
        response = post_recipe(
            client, token_page, data=image_bytes(colour=colour), token_page=token_page
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=edit, args=(colour,))
        for colour in ("#111111", "#444444", "#888888", "#bbbbbb")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 4
    assert set(statuses) <= {302, 409}
    assert 302 in statuses
    saved = load_recipe(app, recipe.id)
    assert saved is not None
    assert bucket_keys(s3) == sorted([saved.image_key, saved.thumbnail_key])


def test_the_losing_request_gets_a_409_page_saying_what_happened(
    app: Flask, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race itself is shown above; here, how the pages answer the loser.
    author = make_user(app, "author@example.com")
    recipe = make_recipe(app, author)
    client = app.test_client()
    AuthActions(client).login("author@example.com")

    def lose(*_args: Any, **_kwargs: Any) -> None:
        raise services.ChangedMeanwhile("Someone changed or deleted this recipe a moment ago.")

    monkeypatch.setattr(services, "update_recipe", lose)
    monkeypatch.setattr(services, "delete_recipe", lose)
    edit_page = f"/recipes/{recipe.id}/edit"
    edited = post_recipe(client, edit_page, data=image_bytes(), token_page=edit_page)
    assert edited.status_code == 409
    assert "changed or deleted this recipe a moment ago" in edited.get_data(as_text=True)
    delete_page = f"/recipes/{recipe.id}/delete"
    token = AuthActions(client).csrf_token(delete_page)
    deleted = client.post(delete_page, data={"csrf_token": token})
    assert deleted.status_code == 409
    assert load_recipe(app, recipe.id) is not None
