"""Fixtures of the unit tests that need AWS: moto in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_devkit.world import create_lock_table
from support.events import REGION


@pytest.fixture
def dynamodb(aws_credentials: None) -> Iterator[Any]:
    """moto's DynamoDB holding the lock table "lock" as the module creates it (support.lock.make_lock)."""
    with mock_aws():
        create_lock_table("lock")
        yield boto3.client("dynamodb", region_name=REGION)
