"""Every file knows which app it belongs to, so ``make fork`` can make a one-app
repository by choosing files rather than editing them: a file under an app's
folder (``<package>/``, ``tests/<package>/``, ``docs/<slug>.md``...) names only
that app, and a file every app shares names none. The apps and the words that
name them come from their manifests (``<package>/app.toml``)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
# Files written for the apps present, which name each of them (a fork's names
# its one app): .env.example by scripts/env_example.py, docker-compose.yml by
# scripts/compose_file.py, docs/interview-map.md by scripts/interview_map.py
# (from each app's part of it), and README.md, which make fork writes for its app.
GENERATED = {".env.example", "docker-compose.yml", "README.md", "docs/interview-map.md"}
# The project's name, which a fork's owner chooses (by default flask-<slug>).
PROJECT_NAME = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [path for path in listed.splitlines() if (ROOT / path).is_file()]


def foreign_apps(path: str) -> list[str]:
    """The apps a file names but does not belong to. The project's own name
    does not count: a fork's is ``flask-<slug>`` unless given another."""
    apps = script("apps")
    every_app = apps.apps(ROOT)
    owner = apps.owner(path, every_app)
    try:
        text = (ROOT / path).read_text()
    except UnicodeDecodeError:  # an image: its name says whose it is
        return []
    text = text.replace(PROJECT_NAME, "")
    if owner is None:  # each app's parts of a shared page are the app's
        text = script("docs_parts").without_parts(text)
    return [app.package for app in every_app if app is not owner and app.names.search(text)]


def test_every_app_has_a_manifest_with_its_own_port_prefix_and_words() -> None:
    every_app = script("apps").apps(ROOT)
    assert every_app, "no <package>/app.toml found"
    for field in ("package", "slug", "prefix", "port"):
        values = [getattr(app, field) for app in every_app]
        assert len(set(values)) == len(values), f"two apps share a {field}"
    for app in every_app:
        assert (ROOT / app.package / "__init__.py").is_file()
        assert app.names.search(app.package.replace("_", " ")), f"{app.package} names itself"


def test_a_file_names_only_the_app_it_belongs_to() -> None:
    problems = {
        path: found
        for path in tracked_files()
        if path not in GENERATED and (found := foreign_apps(path))
    }
    assert problems == {}


def test_a_file_belongs_to_the_app_its_path_names() -> None:
    apps = script("apps")
    every_app = apps.apps(ROOT)
    for app in every_app:
        for path in (
            f"{app.package}/models.py",
            f"tests/{app.package}/test_views.py",
            f"docs/{app.slug}.md",
            f"docs/screenshots/{app.slug}/home.png",
        ):
            assert apps.owner(path, every_app) is app, path
    for path in ("shared/config.py", "tests/deploy/test_docs.py", "Makefile"):
        assert apps.owner(path, every_app) is None, path


def test_words_name_an_app_only_as_whole_words() -> None:
    for app in script("apps").apps(ROOT):
        for word in app.words:
            assert app.names.search(f"the {word.upper()}_PORT setting"), word
            assert app.names.search(f"see docs/{word}-guide.md"), word
            assert not app.names.search(f"un{word}ing"), word
