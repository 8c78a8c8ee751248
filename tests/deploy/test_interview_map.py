"""docs/interview-map.md is written from its data (docs/interview-map.toml and
each app's docs/<slug>/parts/interview-map.toml) by scripts/interview_map.py,
so a fork's map holds its one app's rows, numbered afresh, and this
repository's cannot drift from the data. (tests/deploy/test_docs.py checks
what the page says: that its code, tests and links exist and fit.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = script("apps").apps(ROOT)
PAGE = ROOT / "docs" / "interview-map.md"


def test_the_map_is_written_from_its_data() -> None:
    assert PAGE.read_text() == script("interview_map").render(ROOT, APPS), (
        "docs/interview-map.md is out of date: run python scripts/interview_map.py"
    )


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.package)
def test_one_apps_map_names_no_other_app_and_numbers_its_rows_afresh(app: Any) -> None:
    page = script("interview_map").render(ROOT, [app])
    assert [
        other.package for other in APPS if other.package != app.package and other.names.search(page)
    ] == []
    rows = page.split("## Every question", 1)[0]
    numbers = [int(number) for number in re.findall(r"^\| (\d+) \|", rows, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert app.names.search(page), "the app's own capstone brief is in its map"


def write_data(root: Path, shared: str, parts: dict[str, str]) -> None:
    (root / "docs").mkdir()
    (root / "docs" / "interview-map.toml").write_text(shared)
    for slug, text in parts.items():
        (root / "docs" / slug / "parts").mkdir(parents=True)
        (root / "docs" / slug / "parts" / "interview-map.toml").write_text(text)


SHARED = """
intro = '''**{questions} questions** ({per_guide}), {rows} rows: {covered} covered, \
{left_out} left out. {unasked}'''
guides_intro = "The guides."
questions_intro = "The questions."
topics = ["Basics"]

[[guide]]
id = "S0"
name = "A guide"
what = "Questions"

[[row]]
key = "factory"
topic = "Basics"
question = "What is the application factory?"
guides = ["S0"]
terms = ["create_app"]
code = []
tests = ["tests/test_factory.py::test_it"]
why = ["[Factory](shared.md#factory)"]

[[row]]
key = "uploads"
topic = "Basics"
question = "Where do uploads go?"
guides = ["S0"]
terms = ["S3"]
code = []
tests = []
why = []

[[left_out]]
key = "websockets"
topic = "WebSockets"
guides = ["S0"]
why_not = "Nothing pushes live."

[[question]]
guide = "S0"
number = "Q1"
text = "Why a factory?"
rows = ["factory"]

[[question]]
guide = "S0"
number = "Q2"
text = "Where did the uploads go?"
rows = ["uploads"]
"""


def test_each_app_adds_its_evidence_to_a_shared_row_and_a_row_without_any_is_left_out(
    tmp_path: Path,
) -> None:
    apps = script("apps")
    first = apps.App("first", "First", "first", "FIRST", 5001, ("first",))
    second = apps.App("second", "Second", "second", "SECOND", 5002, ("second",))
    write_data(
        tmp_path,
        SHARED,
        {
            "first": '[evidence.factory]\ncode = ["first/__init__.py:create_app"]\n',
            "second": (
                '[evidence.factory]\ncode = ["second/__init__.py:create_app"]\n\n'
                '[evidence.uploads]\ncode = ["second/storage.py"]\n'
                'tests = ["tests/second/test_storage.py::test_s3"]\n'
                'why = ["[S3](second.md#s3)"]\n'
            ),
        },
    )
    render = script("interview_map").render

    both = render(tmp_path, [first, second])
    assert "**2 questions** (S0 2), 3 rows: 2 covered, 1 left out." in both
    assert "`first/__init__.py:create_app`<br>`second/__init__.py:create_app`" in both
    assert "| 2 | Where do uploads go? | S0 | `second/storage.py` |" in both
    assert "| 3 | WebSockets | S0 | Nothing pushes live. |" in both
    assert "One row (3) answers topics the guides name without asking a question" in both

    first_only = render(tmp_path, [first])
    assert "second" not in first_only
    assert "3 rows: 1 covered, 2 left out." in first_only
    # The row no app present shows is left out, as something to add, and
    # the question still points at it.
    assert f"| 3 | Where do uploads go? | S0 | {script('interview_map').NOT_SHOWN} |" in first_only
    assert "| Q2 | Where did the uploads go? | 3 |" in first_only


def test_a_question_pointing_at_no_row_is_an_error(tmp_path: Path) -> None:
    write_data(tmp_path, SHARED.replace('rows = ["uploads"]', 'rows = ["upload"]'), {})
    with pytest.raises(KeyError, match="S0 Q2: no row"):
        script("interview_map").render(tmp_path, [])
