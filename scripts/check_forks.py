"""``make check-forks``: what CI runs to show that each app, forked, stands on
its own.

For every app of this repository (scripts/apps.py), ``make fork`` writes it
into a temporary folder, and there, as the fork's owner would:

1. ``make test COVERAGE=yes``, as the fork's own CI runs it (.ci/run):
   every suite, and the coverage total at 90% or more;
2. ``make lint``;
3. ``make demo``, until it prints its table and every app of the fork
   answers ``/healthz`` and ``/readyz``; then Ctrl-C, as a terminal sends it
   (SIGINT to make's process group). It must stop cleanly: make reports no
   failure, the demo says it is stopping, every port is free again and no
   process is left running in the fork.

The forks use this repository's installed ``.venv`` (a symlink; nothing in it
is installed editable, so it serves any checkout), and their make is told that
its install steps are done (``-o``): the forks install nothing. Each fork's
demo gets free ports through the variables it documents (<PREFIX>_PORT,
DEMO_S3_PORT), so a demo already running here is no obstacle. The tests run
on SQLite (no TEST_DATABASE_URL), as ``make test`` does on a fresh clone.

A step's output is shown only when it fails, and a failure does not stop the
run: at the end, each failure is listed by app and step, with a table of how
long each step took. The temporary folders go in every case.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import apps as manifests  # scripts/apps.py, beside this file
from demo import port_is_free  # the check make demo makes before it starts

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("test", "lint", "demo")
# A step's variables: the fork's CI measures its tests (.ci/run), so this does too.
STEP_VARIABLES = {"test": ["COVERAGE=yes"]}
# Seconds a demo may take to come up, and to stop after Ctrl-C.
DEMO_START, DEMO_STOP = 180, 60


class StepFailed(Exception):
    def __init__(self, package: str, step: str, why: str) -> None:
        super().__init__(f"the {package} fork: `make {step}` {why}")


def say(text: str) -> None:
    print(text, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """This environment, without what would make a fork's run differ from a
    user's: the calling make's flags and variables (``make check-forks
    VENV=x`` must not reach the fork's make) and a PostgreSQL URL."""
    unwanted = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "TEST_DATABASE_URL"}
    return {**{k: v for k, v in os.environ.items() if k not in unwanted}, **extra}


def installed_as_done(venv: Path) -> list[str]:
    """``make -o`` for each extra installed in ``venv``: the fork's make leaves
    the shared environment alone (its lock names the fork, so it looks newer)."""
    return [f"--old-file=.venv/{stamp.name}" for stamp in sorted(venv.glob(".installed-*"))]


def run(command: list[str], cwd: Path, log: Path, env: dict[str, str]) -> int:
    with log.open("w") as output:
        return subprocess.run(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, check=False
        ).returncode


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- our own localhost URL
            return bool(response.status == 200)
    except OSError:
        return False


def processes_in(folder: Path) -> list[int]:
    """The processes whose working directory is in ``folder`` (the demo runs
    its children there, each in a session of its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = Path(os.readlink(entry / "cwd"))
            except OSError:
                continue  # gone, or not ours to look at
            if cwd == folder or folder in cwd.parents:
                found.append(int(entry.name))
    return found


def check_demo(package: str, fork: Path, make: list[str], log: Path) -> None:
    """``make demo`` in ``fork`` up to healthy, then Ctrl-C, and a clean stop."""
    every_app = manifests.apps(fork)
    ports = {f"{app.prefix}_PORT": free_port() for app in every_app}
    if any(app.demo.get("s3") for app in every_app):
        ports["DEMO_S3_PORT"] = free_port()
    urls = [
        f"http://127.0.0.1:{ports[f'{app.prefix}_PORT']}{path}"
        for app in every_app
        for path in ("/healthz", "/readyz")
    ]

    def failed(why: str) -> StepFailed:
        return StepFailed(package, "demo", why)

    with log.open("w") as output:
        # A session of its own, as a terminal gives a command: Ctrl-C reaches
        # make and the demo alike.
        demo = subprocess.Popen(
            [*make, "demo"],
            cwd=fork,
            env=clean_env(**{name: str(port) for name, port in ports.items()}),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + DEMO_START
        while not ("Press Ctrl-C" in log.read_text() and all(answers(url) for url in urls)):
            if demo.poll() is not None:
                raise failed(f"ended before it was healthy (exit status {demo.returncode})")
            if time.monotonic() > deadline:
                raise failed(f"was not healthy within {DEMO_START} s: {' '.join(urls)}")
            time.sleep(0.5)
        os.killpg(demo.pid, signal.SIGINT)
        try:
            status = demo.wait(timeout=DEMO_STOP)
        except subprocess.TimeoutExpired:
            raise failed(f"did not stop within {DEMO_STOP} s of Ctrl-C") from None
        # make waits for the demo, then ends by the SIGINT itself (a shell
        # shows 130); "make: ***" is how it reports a command that failed.
        output_text = log.read_text()
        if status not in (0, -signal.SIGINT) or "make: ***" in output_text:
            raise failed(f"did not stop cleanly on Ctrl-C (exit status {status})")
        if "Stopping" not in output_text or "Traceback" in output_text:
            raise failed("did not stop as the demo stops on Ctrl-C")
        if busy := [port for port in ports.values() if not port_is_free(port)]:
            raise failed(f"left ports {busy} in use after Ctrl-C")
        if left := processes_in(fork):
            raise failed(f"left processes {left} running after Ctrl-C")
    finally:
        # Whatever happened, nothing of this demo outlives the check: make's
        # process group, and what the demo started in sessions of their own.
        with suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGKILL)
        for pid in processes_in(fork):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        demo.wait()


def check_fork(package: str, workdir: Path) -> tuple[dict[str, float], list[str]]:
    """Fork ``package`` and run each step in the fork, the next one even when
    one failed (CI then names every failure at once). Returns each step's
    seconds, and what failed."""
    fork, logs = workdir / package, workdir / "logs"
    logs.mkdir(exist_ok=True)
    times: dict[str, float] = {}
    failures: list[str] = []

    say(f"==> {package}: make fork APP={package} DEST={fork}")
    started = time.monotonic()
    log = logs / f"{package}-fork.log"
    command = ["make", "--no-print-directory", "fork", f"APP={package}", f"DEST={fork}"]
    forked = run(command, ROOT, log, clean_env())
    times["fork"] = time.monotonic() - started
    say("\n".join(f"    {line}" for line in log.read_text().splitlines()))
    if forked != 0:
        return times, [f"the {package} fork: `make fork` failed (exit status {forked})"]
    (fork / ".venv").symlink_to(Path(sys.prefix))  # this repository's installed .venv
    make = ["make", "--no-print-directory", *installed_as_done(Path(sys.prefix))]

    for step in STEPS:
        variables = STEP_VARIABLES.get(step, [])
        say(f"==> {package}: make {' '.join([step, *variables])}")
        started = time.monotonic()
        log = logs / f"{package}-{step}.log"
        outcome = "passed"
        try:
            if step == "demo":
                check_demo(package, fork, make, log)
            elif (status := run([*make, step, *variables], fork, log, clean_env())) != 0:
                raise StepFailed(package, step, f"failed (exit status {status})")
        except StepFailed as failure:
            say(log.read_text())
            outcome = f"FAILED: {failure} (its output above)"
            failures.append(str(failure))
        times[step] = time.monotonic() - started
        say(f"    {package}: make {step} {outcome}, {times[step]:.0f} s")
    return times, failures


def print_timings(timings: dict[str, dict[str, float]]) -> None:
    columns = ("fork", *STEPS)
    say(f"\n  {'seconds':<12}" + "".join(f"{column:>8}" for column in (*columns, "total")))
    for package, times in timings.items():
        cells = [f"{times[column]:>8.0f}" if column in times else f"{'-':>8}" for column in columns]
        say(f"  {package:<12}" + "".join(cells) + f"{sum(times.values()):>8.0f}")


def main() -> int:
    packages = [app.package for app in manifests.apps(ROOT)]
    steps = ", ".join(f"make {step}" for step in STEPS)
    say(f"==> check-forks: {', '.join(packages)}, each forked from HEAD; in each, {steps}")
    timings: dict[str, dict[str, float]] = {}
    failures: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="check-forks-")).resolve()
    try:
        for package in packages:
            timings[package], failed = check_fork(package, workdir)
            failures += failed
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_timings(timings)
    if failures:
        say("\ncheck-forks failed:\n" + "\n".join(f"  {failure}" for failure in failures))
        return 1
    say(f"==> check-forks: every fork passed ({', '.join(packages)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
