"""``make demo``: migrate, seed and serve every app that exists so far.

Each app is prepared with its own CLI (``flask --app APP db upgrade`` and
``seed-demo``, both safe to run again) and then served on its port.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoApp:
    package: str
    title: str
    port: int
    issue: str
    path: str = "/"


APPS = [
    DemoApp("helpdesk", "Help desk", 5001, "the help desk issue"),
    DemoApp("shop_api", "Shop API", 5002, "the shop API issue", path="/api/docs"),
    DemoApp("recipes", "Recipes", 5003, "the recipe site issue"),
]


def main() -> int:
    ready = [app for app in APPS if importlib.util.find_spec(app.package) is not None]
    coming = [app for app in APPS if app not in ready]
    for app in coming:
        print(f"  {app.title:<10} not built yet: it arrives with {app.issue}.")
    if not ready:
        print("\nNo app exists yet, so there is nothing to serve. `make test` runs what exists.")
        return 0
    return serve(ready)


def serve(apps: list[DemoApp]) -> int:
    busy = [app for app in apps if not port_is_free(port_for(app))]
    for app in busy:
        variable = f"{app.package.upper()}_PORT"
        print(
            f"Port {port_for(app)} for {app.title} is in use. Stop what uses it, or set {variable}."
        )
    if busy:
        return 1
    flask = [sys.executable, "-m", "flask"]
    for app in apps:
        print(f"\n==> {app.title}: migrating and seeding")
        subprocess.run([*flask, "--app", app.package, "db", "upgrade"], check=True)
        subprocess.run([*flask, "--app", app.package, "seed-demo"], check=True)
    processes = [
        subprocess.Popen(
            [*flask, "--app", app.package, "run", "--port", str(port_for(app)), "--no-reload"]
        )
        for app in apps
    ]
    print("\n" + "\n".join(f"  {a.title:<10} http://127.0.0.1:{port_for(a)}{a.path}" for a in apps))
    print("\nPress Ctrl-C to stop.")
    try:
        for process in processes:
            process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
    return 0


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port in TIME_WAIT from a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_for(app: DemoApp) -> int:
    return int(os.environ.get(f"{app.package.upper()}_PORT", app.port))


if __name__ == "__main__":
    sys.exit(main())
