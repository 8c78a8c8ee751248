"""``make test``: every suite in its own pytest process, one more at once than
the machine has cores, and one total at the end.

Each suite runs through its own make target (``make test-helpdesk``, ...),
so the pytest command, its coverage options and its threshold are written
once, in the Makefile, and the output of each suite starts with the command
that reruns it alone. A suite's output is printed whole when it ends, never
interleaved with another's.

    python scripts/run_tests.py shared helpdesk shop_api recipes deploy
    TEST_JOBS=1 python scripts/run_tests.py ...   # one suite at a time

With ``TEST_DATABASE_URL`` set the suites run one at a time: each one starts
by emptying that database, so two at once would pull it from under each other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pytest's exit code when it collected no tests: a failure here, not a pass.
NO_TESTS_COLLECTED = 5


@dataclass
class SuiteResult:
    suite: str
    exit_code: int
    seconds: float
    output: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.passed > 0

    def counts(self) -> str:
        parts = [f"{self.passed} passed"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.exit_code == NO_TESTS_COLLECTED:
            parts = ["no tests collected"]
        elif self.exit_code and not self.failed:
            parts.append(f"exit code {self.exit_code}")  # e.g. coverage under its threshold
        return ", ".join(parts)


def make_target(suite: str) -> list[str]:
    return ["make", "--no-print-directory", f"test-{suite}"]


def run_suite(suite: str, command: list[str], workdir: Path) -> SuiteResult:
    """Run one suite's pytest ``command`` and count its tests."""
    report = workdir / f"{suite}.xml"
    env = {
        **os.environ,
        # Each process writes its own JUnit report (for the totals) and its own
        # coverage data file: they would overwrite one another's in one place.
        "PYTEST_ADDOPTS": f"{os.environ.get('PYTEST_ADDOPTS', '')} --junitxml={report}".strip(),
        "COVERAGE_FILE": str(ROOT / f".coverage.{suite}"),
    }
    started = time.monotonic()
    finished = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    # The report is ours, not the reader's: drop pytest's line that names it.
    output = "".join(
        line
        for line in finished.stdout.splitlines(keepends=True)
        if "generated xml file:" not in line
    )
    result = SuiteResult(suite, finished.returncode, time.monotonic() - started, output)
    if report.exists():
        count_tests(result, report)
    return result


def count_tests(result: SuiteResult, junit_report: Path) -> None:
    """Passed, failed and skipped, from the JUnit XML report pytest wrote."""
    totals = ET.parse(junit_report).getroot()  # noqa: S314 -- pytest's own file, just written
    if totals.tag == "testsuites":
        totals = totals[0]
    tests, skipped = int(totals.get("tests", 0)), int(totals.get("skipped", 0))
    result.failed = int(totals.get("failures", 0)) + int(totals.get("errors", 0))
    result.skipped = skipped
    result.passed = tests - result.failed - skipped


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"


def job_count(suites: int) -> int:
    """How many suites run at once: ``TEST_JOBS``, else one more than the
    cores. Part of each suite's time is spent waiting (for the servers and
    workers it starts, for sockets, for the disk), and a third suite fills
    those gaps: 1 min 35 s instead of 2 min 04 s on two cores. One at a time
    on a shared TEST_DATABASE_URL (each suite starts by emptying it)."""
    if os.environ.get("TEST_DATABASE_URL"):
        return 1
    jobs = int(os.environ.get("TEST_JOBS") or (os.cpu_count() or 1) + 1)
    return max(1, min(jobs, suites))


def main(suites: list[str]) -> int:
    if not suites:
        print("usage: run_tests.py SUITE [SUITE ...]", file=sys.stderr)
        return 2
    jobs = job_count(len(suites))
    print(f"Running {len(suites)} test suites, {jobs} at a time: {' '.join(suites)}", flush=True)
    started = time.monotonic()
    results: dict[str, SuiteResult] = {}
    with tempfile.TemporaryDirectory() as workdir, ThreadPoolExecutor(jobs) as pool:
        pending = {
            pool.submit(run_suite, suite, make_target(suite), Path(workdir)): suite
            for suite in suites
        }
        for done in as_completed(pending):
            result = done.result()
            results[result.suite] = result
            mark = "ok  " if result.ok else "FAIL"
            print(f"\n==> {mark} {result.suite}: {result.counts()} in {duration(result.seconds)}")
            print(result.output.rstrip(), flush=True)
    return summarise([results[suite] for suite in suites], time.monotonic() - started)


def summarise(results: list[SuiteResult], seconds: float) -> int:
    print("\n" + "=" * 72)
    for result in results:
        mark = "ok  " if result.ok else "FAIL"
        print(f"  {mark} {result.suite:<10} {result.counts():<34} {duration(result.seconds):>12}")
    passed = sum(result.passed for result in results)
    failed = sum(result.failed for result in results)
    skipped = sum(result.skipped for result in results)
    total = f"{passed} passed" + (f", {failed} failed" if failed else "")
    total += f", {skipped} skipped" if skipped else ""
    broken = [result.suite for result in results if not result.ok]
    verdict = f"FAILED in {', '.join(broken)}" if broken else "all suites passed"
    print(f"Every suite: {total} in {duration(seconds)} -- {verdict}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
