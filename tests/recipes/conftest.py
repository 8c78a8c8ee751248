"""The recipe site's ``app``, on moto's in-process S3 (started once per run,
an empty bucket per test). ``client``, ``runner`` and ``auth`` come from
tests/conftest.py; factories for users, images and recipes from
factories.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from flask import Flask
from moto import mock_aws

from recipes import create_app
from recipes.extensions import db
from tests.app_fixtures import app_on_fresh_tables
from tests.recipes.factories import (
    BUCKET,
    S3_SETTINGS,
)


@pytest.fixture(scope="session")
def aws() -> Iterator[Any]:
    """moto's in-process AWS, started once: starting it costs more than most
    tests. Yields a client for the tests' own look into the bucket."""
    with mock_aws():
        yield boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture
def s3(aws: Any) -> Iterator[Any]:
    """moto's S3 with the test bucket, empty; nothing in it outlives the test."""
    aws.create_bucket(Bucket=BUCKET)
    yield aws
    for bucket in aws.list_buckets()["Buckets"]:
        for listing in aws.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for item in listing.get("Contents", []):
                aws.delete_object(Bucket=bucket["Name"], Key=item["Key"])
        aws.delete_bucket(Bucket=bucket["Name"])


@pytest.fixture
def app(s3: Any, database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url, **S3_SETTINGS) as app:
        yield app
