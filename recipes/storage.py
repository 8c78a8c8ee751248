"""Recipe images in S3: the one module that talks to the bucket.

Why S3 and not ``static/uploads``? On hosts with an ephemeral disk (Heroku,
Render, containers) files written next to the app vanish at the next deploy
or restart. A bucket outlives the process, and every app process sees it.

The bucket is private. Browsers get short-lived presigned GET URLs, so a
leaked link stops working within the hour. The same code talks to AWS, to
SeaweedFS (docker-compose) and to moto (tests and ``make demo``); only the
settings differ. The boto3 client is built on first use, never at import,
so tests can start moto first and settings can change per app.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

ALLOWED_CONTENT_TYPES = frozenset({"image/jpeg", "image/png"})
S3_ATTEMPTS = 2  # a call and one retry


class StorageError(Exception):
    """The bucket could not be reached or refused the request."""


class ImageStore:
    """``image_store.init_app(app)``, then ``image_store.put(...)`` in a request."""

    def init_app(self, app: Flask) -> None:
        app.extensions["image_store"] = {"client": None, "public_client": None}
        app.jinja_env.globals["image_url"] = self.url_for

    # --- writing ---------------------------------------------------------------

    def put(self, key: str, data: bytes, content_type: str, *, original_filename: str = "") -> None:
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise ValueError(f"refusing to store {content_type!r}")
        metadata = {"original-filename": original_filename} if original_filename else {}
        try:
            self._client().put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=image_cache_control(),
                Metadata=metadata,
            )
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error

    def delete(self, keys: Iterable[str | None]) -> None:
        """Delete the objects; missing ones are not an error."""
        objects: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys if key]
        if not objects:
            return
        try:
            self._client().delete_objects(Bucket=self.bucket, Delete={"Objects": objects})
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error

    # --- reading ---------------------------------------------------------------

    def url_for(self, key: str) -> str:
        """A presigned GET URL, valid for ``S3_PRESIGNED_EXPIRY`` seconds."""
        return str(
            self._public_client().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseCacheControl": image_cache_control(),
                },
                ExpiresIn=int(current_app.config["S3_PRESIGNED_EXPIRY"]),
            )
        )

    def check_bucket(self) -> None:
        """For ``/readyz``: raises unless the bucket exists and we may use it."""
        try:
            self._client().head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error

    def create_bucket(self) -> bool:
        """Create the bucket if it is missing (demo and compose). True if created."""
        try:
            self._client().head_bucket(Bucket=self.bucket)
            return False
        except ClientError:
            pass  # not there (or not visible to us): try to create it below
        except BotoCoreError as error:
            raise StorageError(str(error)) from error
        region = current_app.config["S3_REGION"]
        options: dict[str, Any] = {}
        if region != "us-east-1":
            options["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._client().create_bucket(Bucket=self.bucket, **options)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error
        return True

    # --- clients -------------------------------------------------------------------

    @property
    def bucket(self) -> str:
        return str(current_app.config["S3_BUCKET"])

    def _client(self) -> S3Client:
        state = current_app.extensions["image_store"]
        if state["client"] is None:
            state["client"] = _make_client(current_app.config["S3_ENDPOINT_URL"])
        return state["client"]

    def _public_client(self) -> S3Client:
        """Presigned URLs are signed for the host the browser will use, which
        can differ from the one the app uses (``seaweedfs:8333`` inside compose,
        ``localhost:8333`` on the host)."""
        public_endpoint = current_app.config["S3_PUBLIC_ENDPOINT_URL"]
        if not public_endpoint:
            return self._client()
        state = current_app.extensions["image_store"]
        if state["public_client"] is None:
            state["public_client"] = _make_client(public_endpoint)
        return state["public_client"]


def image_cache_control() -> str:
    """How long a browser may keep a photo: as long as its link is valid, and
    only the browser (``private``), so no shared cache serves a photo after its
    link has expired or its recipe was deleted. A key never changes content,
    so within that time there is nothing to revalidate."""
    return f"private, max-age={int(current_app.config['S3_PRESIGNED_EXPIRY'])}"


def image_origins(config: Mapping[str, Any]) -> list[str]:
    """Where browsers fetch images from, for the CSP's ``img-src``: the public
    endpoint's origin, or for AWS the bucket's two host names."""
    endpoint = config["S3_PUBLIC_ENDPOINT_URL"] or config["S3_ENDPOINT_URL"]
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket, region = config["S3_BUCKET"], config["S3_REGION"]
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


# One boto3 session per process. A client made from a fresh session parses
# the S3 service model again (about 0.1 s, for every app instance the tests
# create); made from this one, it reuses the parsed model. Sessions are not
# thread-safe (their clients are), hence the lock around making a client.
_session_lock = threading.Lock()


@cache
def _boto3_session() -> boto3.session.Session:
    return boto3.session.Session()


def _make_client(endpoint_url: str) -> S3Client:
    config = current_app.config
    s3_compatible = bool(endpoint_url)
    settings = Config(
        signature_version="s3v4",
        # SeaweedFS and moto serve buckets by path (host:8333/bucket/key), not by
        # subdomain; AWS picks its own default.
        s3={"addressing_style": "path" if s3_compatible else "auto"},
        # Newer boto3 adds CRC checksums to every upload; S3-compatible
        # stores may not accept them, and AWS does not require them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # A store that accepts connections and never answers must not hold
        # a gunicorn worker (30 s timeout): a call gives up after
        # S3_ATTEMPTS x (S3_CONNECT_TIMEOUT + S3_READ_TIMEOUT) seconds, 10 s
        # with the defaults, and a failed upload ends at its first failed call.
        connect_timeout=float(config["S3_CONNECT_TIMEOUT"]),
        read_timeout=float(config["S3_READ_TIMEOUT"]),
        retries={"mode": "standard", "total_max_attempts": S3_ATTEMPTS},
    )
    with _session_lock:
        return _boto3_session().client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=config["S3_REGION"],
            aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
            aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
            config=settings,
        )
