"""The teaching pages cannot rot: every ```python block that
docs/flask-in-ten-minutes.md or docs/outdated-answers.md marks ``<!-- run -->``
runs here (with warnings as errors, as every test, so a deprecated API fails
too), every other block says why it is not run, docs/diagrams.md has its four
Mermaid diagrams, and every file, function and test the pages name exists."""

from __future__ import annotations

import ast
import re
import sys
import types
from functools import cache
from pathlib import Path

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RUNNABLE_PAGES = ("flask-in-ten-minutes.md", "outdated-answers.md")
PAGES = (*RUNNABLE_PAGES, "diagrams.md")
# The comment before a fence: "<!-- run -->", or "<!-- not run: why -->".
FENCE = re.compile(r"(?:<!-- (run|not run[^>]*) -->\n)?```python\n(.*?)^```", re.M | re.S)
# `path.py:name`, `path.py:Class.method`, `tests/...py::test_name` or a plain path.
FOLDERS = ("shared", *(app.package for app in script("apps").apps(ROOT)), "scripts", "tests")
REFERENCE = re.compile(rf"`((?:{'|'.join(FOLDERS)})/[\w./-]+)(?:::?([\w.]+))?`")


def blocks(page: str) -> list[tuple[str | None, str]]:
    """(marker, code) for each ```python block of ``page``, in order."""
    return [(marker or None, code) for marker, code in FENCE.findall((DOCS / page).read_text())]


def runnable() -> list[object]:
    return [
        pytest.param(code, id=f"{page}-{number}")
        for page in RUNNABLE_PAGES
        for number, (marker, code) in enumerate(blocks(page), 1)
        if marker == "run"
    ]


@pytest.mark.parametrize("code", runnable())
def test_the_snippet_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A module of its own, so Flask(__name__) and SQLAlchemy's annotations resolve
    # as in a file; the working directory is the app's root (its instance folder).
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType("docs_snippet")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, module.__name__, "exec"), module.__dict__)  # noqa: S102 -- our own docs


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_every_snippet_runs_or_says_why_not(page: str) -> None:
    found = blocks(page)
    assert found, f"{page} has no python block"
    assert [code[:60] for marker, code in found if marker is None] == []
    assert any(marker == "run" for marker, _ in found)


def test_the_ten_minutes_page_runs_a_snippet_for_each_concept() -> None:
    assert sum(marker == "run" for marker, _ in blocks("flask-in-ten-minutes.md")) >= 8


def test_the_diagrams_page_draws_the_shared_diagrams_and_each_apps() -> None:
    """The request's hooks and the mail's way out, which every app shares, and
    the pictures each app adds (docs/<slug>/parts/diagrams.md)."""
    text = (DOCS / "diagrams.md").read_text()
    own = [
        part.read_text().count("```mermaid\n")
        for app in script("apps").apps(ROOT)
        if (part := DOCS / app.slug / "parts" / "diagrams.md").is_file()
    ]
    assert text.count("```mermaid\n") == 2 + sum(own)


@cache
def names_in(path: Path) -> set[str]:
    """Top-level functions, classes and assignments, and ``Class.method``."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


@pytest.mark.parametrize("page", PAGES)
def test_every_file_function_and_test_a_page_names_exists(page: str) -> None:
    references = REFERENCE.findall((DOCS / page).read_text())
    assert references
    missing = [
        f"{path}:{name}" if name else path
        for path, name in references
        if not (ROOT / path).exists()
        or (name and (not path.endswith(".py") or name not in names_in(ROOT / path)))
    ]
    assert missing == []
