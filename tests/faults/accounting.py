"""What a fault cost, counted against the replica's truth list: articles lost (in the
truth, not stored), and duplicated, by (url, date_path) and by article id (the
number franceinfo ends each article URL with), so that one article stored under two
URL spellings or two days counts too."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass

from pymongo.database import Database

from devservers.ferretdb import MongoServer
from replica.server import ReplicaServer

ARTICLE_ID = re.compile(r"_(\d+)\.html$")


def store_env(mongo: MongoServer, database: Database) -> dict[str, str]:
    return {"STORE_ENABLED": "1", "MONGO_URI": mongo.uri, "MONGO_DATABASE": database.name}


def replica_json(server: ReplicaServer, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(server.base_url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def storable_urls(server: ReplicaServer) -> set[str]:
    """The truth: every URL the crawler must end up storing."""
    return {a["url"] for a in replica_json(server, "/_replica/articles.json")["articles"]}


def article_fetches(server: ReplicaServer) -> int:
    """Article pages the replica served (plain and quirk pages) since its last reset."""
    by_kind = replica_json(server, "/_replica/stats.json")["by_kind"]
    return by_kind.get("article", 0) + by_kind.get("quirk", 0)


@dataclass(frozen=True)
class Accounting:
    stored: int
    lost: tuple[str, ...]
    duplicated_by_key: tuple[tuple[str, str], ...]
    duplicated_by_id: tuple[str, ...]
    unexpected: tuple[str, ...]

    @classmethod
    def of(cls, database: Database, expected: set[str]) -> Accounting:
        docs = list(database.articles.find({}, {"url": 1, "date_path": 1}))
        keys = Counter((doc["url"], doc["date_path"]) for doc in docs)
        ids = Counter(match[1] for doc in docs if (match := ARTICLE_ID.search(doc["url"])))
        urls = {doc["url"] for doc in docs}
        return cls(
            stored=len(docs),
            lost=tuple(sorted(expected - urls)),
            duplicated_by_key=tuple(sorted(key for key, n in keys.items() if n > 1)),
            duplicated_by_id=tuple(sorted(i for i, n in ids.items() if n > 1)),
            unexpected=tuple(sorted(urls - expected)),
        )

    def summary(self) -> str:
        return (
            f"stored {self.stored}, lost {len(self.lost)}, duplicated {len(self.duplicated_by_key)} by (url, date_path)"
            f" and {len(self.duplicated_by_id)} by id, {len(self.unexpected)} not in the truth"
        )


def assert_stored_exactly_once(database: Database, expected: set[str]) -> Accounting:
    """Every expected article stored, once by (url, date_path) and once by id, and nothing else."""
    counted = Accounting.of(database, expected)
    assert not (counted.lost or counted.duplicated_by_key or counted.duplicated_by_id or counted.unexpected), (
        counted.summary(),
        counted.lost[:5],
        counted.duplicated_by_key[:5],
        counted.duplicated_by_id[:5],
        counted.unexpected[:5],
    )
    print(f"accounting: {counted.summary()}")  # shown by `pytest -rP`: the figures of each case
    return counted


def assert_nothing_duplicated(database: Database) -> Accounting:
    """For a run that stopped early: what it stored, it stored once."""
    counted = Accounting.of(database, set())
    assert not (counted.duplicated_by_key or counted.duplicated_by_id), counted.summary()
    print(f"accounting: {counted.summary()}")
    return counted
