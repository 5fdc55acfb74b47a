"""One replica per test module, on a free port; module-scoped so a module's
`advance()` calls never leak into another module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replica import ReplicaServer, ReplicaSite
from tests.replica.client import get_json

ARTICLES = 300


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(articles=ARTICLES, seed=1, slow_seconds=1.0)


@pytest.fixture(scope="module")
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, port=0) as running:
        yield running


@pytest.fixture(scope="module")
def base(server: ReplicaServer) -> str:
    return server.base_url


@pytest.fixture(scope="module")
def truth(base: str) -> dict:
    return get_json(f"{base}/_replica/articles.json")


@pytest.fixture(scope="module")
def quirks(base: str) -> dict:
    return get_json(f"{base}/_replica/quirks.json")


@pytest.fixture(scope="module")
def canonical_of(quirks: dict):
    """Maps a URL a listing gives (maybe a variant) to the article's clean URL."""
    variants = {entry["url"]: entry["canonical"] for entry in quirks["quirks"] if "canonical" in entry}

    def canonical(url: str) -> str:
        url = url.split("#", 1)[0]
        return variants.get(url, url)

    return canonical
