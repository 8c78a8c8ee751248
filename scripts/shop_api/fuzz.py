"""``make fuzz``: schemathesis against a live shop API.

Builds a throw-away seeded database, serves it with gunicorn on a free port,
runs schemathesis with a staff token (staff can reach every operation) and
stops the server. Fails on any 5xx or any response that breaks the OpenAPI
document. Extra arguments are passed to ``schemathesis run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # for tests.servers and the app

from tests.servers import free_port  # noqa: E402

EXAMPLES_PER_OPERATION = "50"


def main(extra_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="shop-fuzz-") as workdir:
        env = {
            **os.environ,
            "SHOP_API_DATABASE_URL": f"sqlite:///{Path(workdir) / 'fuzz.sqlite3'}",
            # The fuzzer registers and logs in far faster than a person.
            "SHOP_API_RATELIMIT_ENABLED": "false",
        }
        os.environ.update(env)
        token = prepare_database()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"==> shop API on {base} (gunicorn, 2 workers)", flush=True)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "shop_api:create_app()",
            ],
            env=env,
            # gunicorn.conf.py logs every request; thousands here would drown the report.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            command = [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{base}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                # That check expects every schema-valid body to succeed; the contract
                # refuses some on purpose with 422 (an unknown product, a reused
                # Idempotency-Key, a reserved e-mail domain), which no schema states.
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                EXAMPLES_PER_OPERATION,
                "--seed",
                "1",
                "--no-color",
                # Revoking the current token, all tokens, or changing the password
                # would log the fuzzer out for the rest of the run;
                # tests/shop_api/test_auth.py covers those operations.
                "--exclude-path",
                "/api/auth/tokens/current",
                "--exclude-path",
                "/api/auth/password",
                "--exclude-name",
                "DELETE /api/auth/tokens",
                *extra_args,
            ]
            print("==> " + " ".join(command).replace(token, "<staff token>"), flush=True)
            return subprocess.run(command, env=env, check=False).returncode
        finally:
            server.terminate()
            server.wait(timeout=30)


def prepare_database() -> str:
    from flask_migrate import upgrade

    from shop_api import create_app
    from shop_api.commands import DEMO_STAFF
    from shop_api.extensions import db
    from shop_api.models import User
    from shop_api.services import tokens

    app = create_app()
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["seed-demo"])
        staff = db.session.scalar(db.select(User).where(User.email == DEMO_STAFF))
        assert staff is not None
        token = tokens.issue_token(staff, timedelta(hours=1)).token
        db.engine.dispose()
    return token


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the shop API did not start")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
