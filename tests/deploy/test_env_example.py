""".env.example is put together from its parts (docker/env/) for the apps
present, so a fork's names only its app and this repository's cannot drift
from the parts (scripts/env_example.py)."""

from __future__ import annotations

from pathlib import Path

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
            assert own.read_text().strip() in text


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.package)
def test_one_apps_env_example_names_no_other_app(app: object) -> None:
    rendered = script("env_example").render([app])
    assert f"{app.prefix}_ENV=development" in rendered  # type: ignore[attr-defined]
    others = [other.package for other in APPS if other is not app and other.names.search(rendered)]
    assert others == []
