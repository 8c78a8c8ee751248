"""Recipe images in S3, not ``static/uploads``: an ephemeral disk (Heroku,
containers) loses files at the next deploy, and other processes never see them.
The bucket is private: browsers get presigned GET URLs that expire. The same
code talks to AWS, SeaweedFS (compose) and moto (tests, ``make demo``)."""

# S3Client below is a type from the boto3 stubs, imported only for mypy.
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
    """``image_store.init_app(app)``, then ``image_store.put(...)`` in a request.
    The boto3 clients are made on first use from the app's config, never at import."""

    def init_app(self, app: Flask) -> None:
        app.extensions["image_store"] = {}  # endpoint URL -> client
        app.jinja_env.globals["image_url"] = self.url_for

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
            answer = self._client().delete_objects(Bucket=self.bucket, Delete={"Objects": objects})
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error
        # DeleteObjects answers 200 even when it deleted nothing: each key it
        # could not delete (AccessDenied, say) is listed under Errors instead.
        failed = [error for error in answer.get("Errors", []) if error.get("Code") != "NoSuchKey"]
        if failed:
            raise StorageError(
                "could not delete "
                + ", ".join(f"{error.get('Key')} ({error.get('Code')})" for error in failed)
            )

    def url_for(self, key: str) -> str:
        """A presigned GET URL, valid for ``S3_PRESIGNED_EXPIRY`` seconds, signed for
        the browser's host (``localhost:8333``, where the app uses ``seaweedfs:8333``)."""
        client = self._client(current_app.config["S3_PUBLIC_ENDPOINT_URL"] or None)
        params = {"Bucket": self.bucket, "Key": key, "ResponseCacheControl": image_cache_control()}
        expiry = int(current_app.config["S3_PRESIGNED_EXPIRY"])
        return str(client.generate_presigned_url("get_object", Params=params, ExpiresIn=expiry))

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

    @property
    def bucket(self) -> str:
        return str(current_app.config["S3_BUCKET"])

    def _client(self, endpoint_url: str | None = None) -> S3Client:
        endpoint_url = endpoint_url or current_app.config["S3_ENDPOINT_URL"]
        clients: dict[str, S3Client] = current_app.extensions["image_store"]
        if endpoint_url not in clients:
            clients[endpoint_url] = _make_client(endpoint_url)
        return clients[endpoint_url]


def image_cache_control() -> str:
    """Only the browser may keep a photo (``private``), and only while its link
    is valid: no shared cache serves it after the link expired."""
    return f"private, max-age={int(current_app.config['S3_PRESIGNED_EXPIRY'])}"


def image_origins(config: Mapping[str, Any]) -> list[str]:
    """Where browsers fetch images from, for the CSP's ``img-src``: the public
    endpoint's origin, or for AWS the bucket's two host names (its two paths
    for a bucket name with dots, which botocore addresses by path: the
    wildcard certificate of ``*.s3.amazonaws.com`` covers one label only)."""
    endpoint = config["S3_PUBLIC_ENDPOINT_URL"] or config["S3_ENDPOINT_URL"]
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket, region = config["S3_BUCKET"], config["S3_REGION"]
    if "." in bucket:
        return [
            f"https://s3.amazonaws.com/{bucket}/",
            f"https://s3.{region}.amazonaws.com/{bucket}/",
        ]
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


# One boto3 session per process: its clients reuse the parsed S3 service
# model (a fresh session parses it again, about 0.1 s). Sessions are not
# thread-safe (their clients are), hence the lock around making a client.
_session_lock = threading.Lock()


@cache
def _boto3_session() -> boto3.session.Session:
    return boto3.session.Session()


def _make_client(endpoint_url: str) -> S3Client:
    config = current_app.config
    settings = Config(
        signature_version="s3v4",
        # SeaweedFS and moto serve buckets by path (host:8333/bucket/key), not
        # by subdomain; AWS picks its own default.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        # Newer boto3 adds CRC checksums to every upload, which S3-compatible
        # stores may refuse and AWS does not require.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # A store that accepts connections and never answers must not hold a
        # gunicorn worker (30 s timeout): a call gives up after S3_ATTEMPTS x
        # (S3_CONNECT_TIMEOUT + S3_READ_TIMEOUT) seconds, 10 s by default.
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
