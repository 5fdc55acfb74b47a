"""Servers the tests share: one FerretDB (on PostgreSQL) per test session, a fresh
database per test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pymongo
import pytest
from pymongo.database import Database

from devservers.ferretdb import MongoServer


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[MongoServer]:
    with MongoServer() as server:
        yield server


@pytest.fixture
def mongo_db(mongo_server: MongoServer, request: pytest.FixtureRequest) -> Iterator[Database]:
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_server.uri, tz_aware=True)
    client.drop_database(name)
    yield client[name]
    client.drop_database(name)
    client.close()
