"""docs/examples/: the textbook idioms that docs/textbook-answers.md sets
beside ours run, and do what they teach (an app's own examples,
docs/examples/<package>/, are tested in that app's suite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Config

from tests.examples import EXAMPLES, LoadExample, load_example
from tests.scripts import script

__all__ = ["load_example"]  # the fixture, for pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def test_the_answers_page_names_every_example_and_each_has_tests() -> None:
    answers = (ROOT / "docs" / "textbook-answers.md").read_text()
    own = {app.package for app in script("apps").apps(ROOT)}
    test_files = [
        Path(__file__),
        *(TESTS / package / "test_textbook_examples.py" for package in own),
    ]
    tests = "".join(path.read_text() for path in test_files if path.is_file())
    examples = sorted(
        path.relative_to(EXAMPLES).with_suffix("").as_posix() for path in EXAMPLES.rglob("*.py")
    )
    assert examples
    for name in examples:
        assert f"`docs/examples/{name}.py`" in answers
        assert f'load_example("{name}")' in tests


# --- Config classes chosen by FLASK_CONFIG ----------------------------------------


@pytest.fixture
def production_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db/app")


@pytest.mark.parametrize(
    ("name", "testing", "secure_cookies"),
    [("development", False, False), ("testing", True, False), ("production", False, True)],
)
@pytest.mark.usefixtures("production_environment")
def test_flask_config_picks_the_class(
    load_example: LoadExample,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    testing: bool,
    secure_cookies: bool,
) -> None:
    monkeypatch.setenv("FLASK_CONFIG", name)
    example = load_example("config_classes")
    app = example.create_app()
    assert app.config["TESTING"] is testing
    assert app.config["SESSION_COOKIE_SECURE"] is secure_cookies
    assert app.test_client().get("/").json == {
        "config": name,
        "testing": testing,
        "secure_cookies": secure_cookies,
    }


def test_without_flask_config_the_app_runs_as_development_with_the_development_key(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FLASK_CONFIG", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = load_example("config_classes").create_app()
    assert app.config["SECRET_KEY"] == "dev"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///dev.sqlite3"
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.usefixtures("production_environment")
def test_production_uses_the_environments_key_and_never_the_development_one(
    load_example: LoadExample,
) -> None:
    app = load_example("config_classes").create_app("production")
    assert app.config["SECRET_KEY"] == "s" * 48
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/app"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
@pytest.mark.usefixtures("production_environment")
def test_production_refuses_to_start_without_a_secret_key_or_a_database(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    example = load_example("config_classes")
    with pytest.raises(RuntimeError, match=f"needs {missing}"):
        example.create_app("production")
    assert example.create_app("development").config["SECRET_KEY"]  # a fallback there only


def test_class_attributes_read_the_environment_once_at_import(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    example = load_example("config_classes")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)  # too late: the class body has run
    with pytest.raises(RuntimeError, match="needs SECRET_KEY"):
        example.create_app("production")
    assert load_example("config_classes").create_app("production").config["SECRET_KEY"]


def test_from_object_reads_a_property_only_from_an_instance() -> None:
    class ProductionConfig:
        DB_SERVER = "db.internal"

        @property
        def DATABASE_URI(self) -> str:
            return f"postgresql://app@{self.DB_SERVER}/app"

    from_class, from_instance = Config(ROOT), Config(ROOT)
    from_class.from_object(ProductionConfig)
    from_instance.from_object(ProductionConfig())
    assert isinstance(from_class["DATABASE_URI"], property)
    assert from_instance["DATABASE_URI"] == "postgresql://app@db.internal/app"


def test_an_unknown_config_name_stops_the_app(load_example: LoadExample) -> None:
    with pytest.raises(KeyError, match="prod"):
        load_example("config_classes").create_app("prod")
