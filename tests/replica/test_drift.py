"""The replica's redesign switch: one field's markup changes on a stable share of
the plain articles, while serving, and the page objects no longer find it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from crawler.sites import page_for
from replica import ReplicaServer, ReplicaSite
from tests.replica.client import fetch, get_json, post_json


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(articles=120, seed=3, client_rendered_every=0), port=0) as running:
        yield running


def plain(truth: dict) -> list[dict]:
    return [a for a in truth["articles"] if a["kind"] == "article" and a["quirk"] is None]


def test_drift_changes_one_field_on_a_stable_share_of_plain_articles(server: ReplicaServer) -> None:
    base = server.base_url
    before = get_json(f"{base}/_replica/articles.json")
    assert all(a["drifted"] is None for a in before["articles"])
    page = fetch(plain(before)[0]["url"])
    assert page_for(plain(before)[0]["url"], page.body, "franceinfo").lead()

    server.site.set_drift("lead", 0.5)
    truth = get_json(f"{base}/_replica/articles.json")
    drifted = [a for a in plain(truth) if a["drifted"] == "lead"]
    assert 0.3 < len(drifted) / len(plain(truth)) < 0.7
    assert all(a["drifted"] is None for a in truth["articles"] if a["kind"] != "article" or a["quirk"])
    assert drifted == [a for a in plain(get_json(f"{base}/_replica/articles.json")) if a["drifted"]]

    for record in plain(truth)[:20]:
        body = fetch(record["url"]).body
        lead = page_for(record["url"], body, "franceinfo").lead()
        if record["drifted"]:
            assert lead is None and b'class="c-article-intro"' in body and b'class="c-chapo"' not in body
        else:
            assert lead
    server.site.set_drift("lead", 1.0)
    assert all(a["drifted"] == "lead" for a in plain(get_json(f"{base}/_replica/articles.json")))
    server.site.set_drift(None)
    assert all(a["drifted"] is None for a in get_json(f"{base}/_replica/articles.json")["articles"])


def test_a_drifted_page_has_a_new_etag(server: ReplicaServer) -> None:
    record = plain(get_json(f"{server.base_url}/_replica/articles.json"))[0]
    first = fetch(record["url"])
    server.site.set_drift("authors", 1.0)
    assert fetch(record["url"], headers={"If-None-Match": first.header("etag")}).status == 200
    drifted = fetch(record["url"])
    assert drifted.header("etag") != first.header("etag")
    authors = page_for(record["url"], drifted.body, "franceinfo").authors()
    assert authors == [] and b"c-byline__people" in drifted.body
    assert page_for(record["url"], first.body, "franceinfo").authors()


def test_drift_switched_over_http_and_checked(server: ReplicaServer) -> None:
    base = server.base_url
    assert post_json(f"{base}/_replica/drift", {"field": "lead", "share": 1.0}) == {"ok": True}
    assert all(a["drifted"] == "lead" for a in plain(get_json(f"{base}/_replica/articles.json")))
    assert fetch(f"{base}/_replica/drift", method="POST", body=b'{"field": "title"}').status == 400
    assert fetch(f"{base}/_replica/drift", method="POST", body=b'{"field": "lead", "share": 2}').status == 400
    assert post_json(f"{base}/_replica/drift", {"field": None}) == {"ok": True}
    assert all(a["drifted"] is None for a in get_json(f"{base}/_replica/articles.json")["articles"])


def test_the_command_line_starts_drifted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0", "--articles", "40", "--drift", "authors:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base = process.stdout.readline().strip().removeprefix("REPLICA_URL=")
        assert {a["drifted"] for a in plain(get_json(f"{base}/_replica/articles.json"))} == {"authors"}
    finally:
        process.terminate()
        process.wait(10)
