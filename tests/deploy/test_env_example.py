""".env.example is put together from its parts (docker/env/) for the apps
present, so a fork's names only its app and this repository's cannot drift
from the parts (scripts/env_example.py)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = script("apps").apps(ROOT)


def test_env_example_is_the_parts_put_together() -> None:
    rendered = script("env_example").render(APPS)
    assert (ROOT / ".env.example").read_text() == rendered, (
        ".env.example is out of date: run python scripts/env_example.py"
    )


def test_env_example_shows_each_apps_secret_key_port_and_own_settings() -> None:
    text = (ROOT / ".env.example").read_text()
    for app in APPS:
        assert f"# {app.prefix}_SECRET_KEY=\n" in text
        assert f"# {app.prefix}_PORT={app.port}\n" in text
        own = ROOT / "docker" / "env" / app.package / "settings.env"
        if own.is_file():
            assert own.read_text().strip() in text, "run python scripts/env_example.py"


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.package)
def test_one_apps_env_example_names_no_other_app(app: object) -> None:
    rendered = script("env_example").render([app])
    assert f"{app.prefix}_ENV=development" in rendered  # type: ignore[attr-defined]
    others = [other.package for other in APPS if other is not app and other.names.search(rendered)]
    assert others == []


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.package)
def test_every_setting_an_app_adds_is_shown_in_env_example(app: Any) -> None:
    """An operator finds every setting in one place: each of the app's own
    ``DEFAULTS`` is there, commented out, with what it means (but those its
    app.toml says are ``set_in_code``)."""
    rendered = script("env_example").render([app])
    defaults = importlib.import_module(app.package).DEFAULTS
    shown = [name for name in defaults if name not in app.set_in_code]
    missing = [name for name in shown if f"_{name}=" not in rendered]
    assert missing == [], (
        f"add them to docker/env/{app.package}/settings.env, then run python scripts/env_example.py"
    )
