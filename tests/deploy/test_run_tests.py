"""``make test`` (scripts/run_tests.py): suites run side by side, and the one
total at the end fails when any suite failed, fell under its coverage
threshold or collected no tests (pytest's exit code 5)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return script("run_tests")


def suite_dir(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"test_{name}.py").write_text(source)
    return folder


def pytest_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", "-q"]


def test_a_green_suite_is_counted_from_pytests_own_report(
    runner: ModuleType, tmp_path: Path
) -> None:
    source = (
        "import pytest\n"
        "def test_one(): assert 1\n"
        "def test_two(): assert 2\n"
        "@pytest.mark.skip(reason='a skipped test, for the runner to count')\n"
        "def test_three(): pass\n"
    )
    folder = suite_dir(tmp_path, "green", source)
    result = runner.run_suite("green", pytest_command(folder), tmp_path)
    assert result.ok
    assert (result.passed, result.failed, result.skipped) == (2, 0, 1)
    assert "generated xml file" not in result.output
    assert runner.summarise([result], 1.0) == 0


def test_a_failure_or_an_empty_suite_fails_the_total(
    runner: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    red = runner.run_suite(
        "red", pytest_command(suite_dir(tmp_path, "red", "def test_no(): assert 0\n")), tmp_path
    )
    empty = runner.run_suite(
        "empty", pytest_command(suite_dir(tmp_path, "empty", "x = 1\n")), tmp_path
    )
    assert (red.ok, red.passed, red.failed) == (False, 0, 1)
    assert (empty.ok, empty.exit_code) == (False, runner.NO_TESTS_COLLECTED)
    assert empty.counts() == "no tests collected"

    assert runner.summarise([red, empty], 1.0) == 1
    total = capsys.readouterr().out.splitlines()[-1]
    assert "1 failed" in total
    assert "FAILED in red, empty" in total


def test_a_suite_that_passes_its_tests_but_exits_non_zero_fails(runner: ModuleType) -> None:
    # e.g. coverage under --cov-fail-under: every test passed, pytest exits 1
    under_threshold = runner.SuiteResult("shared", 1, 1.0, "", passed=239)
    assert not under_threshold.ok
    assert under_threshold.counts() == "239 passed, exit code 1"


def test_one_more_suite_than_cores_runs_at_once_unless_told(
    runner: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_JOBS", raising=False)
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    assert runner.job_count(5) == 3
    assert runner.job_count(2) == 2  # never more than there are suites
    monkeypatch.setenv("TEST_JOBS", "1")
    assert runner.job_count(5) == 1
    monkeypatch.setenv("TEST_JOBS", "4")
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://127.0.0.1/test")
    assert runner.job_count(5) == 1  # the suites would empty one another's database
