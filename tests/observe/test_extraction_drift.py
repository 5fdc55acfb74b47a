"""A redesign seen within one run, end to end on the replica and FerretDB: clean
runs stay quiet (exit 0, no alert over five re-crawls); a run where the replica
renames the standfirst's markup on half its pages exits 8, names site, layout and
field, quarantines those pages (which `crawler.fixtures add` turns into a test
case) and still stores every article once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import DESCENDING

from crawler.observe.exitcodes import EXTRACTION_DRIFT, OK
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import REPO, run_crawl

pytestmark = pytest.mark.slow

LAYOUT = "FranceinfoArticlePage"


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(articles=60, seed=5, client_rendered_every=0), port=0) as server:
        yield server


def truth(replica: ReplicaServer) -> list[dict]:
    with urllib.request.urlopen(replica.base_url + "/_replica/articles.json") as response:
        return json.load(response)["articles"]


def command(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_drift_alerts_within_one_run_and_clean_runs_stay_quiet(
    replica: ReplicaServer, mongo_server, mongo_db, tmp_path: Path
) -> None:
    plain = [a["url"] for a in truth(replica) if a["quirk"] is None and a["kind"] == "article"]
    assert len(plain) >= 40
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(plain))
    env = {"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": mongo_db.name}
    env_all = {**os.environ, **env}

    def crawl(name: str):
        return run_crawl(
            tmp_path / name,
            f"base_url={replica.base_url}",
            f"url_file={url_file}",
            settings={"INCREMENTAL_ENABLED": "False"},
            env=env,
        )

    def health() -> subprocess.CompletedProcess[str]:
        """The cron health check, freshness aside: the replica's articles are weeks old."""
        return command("crawler.health", "--max-lag-minutes", str(60 * 24 * 365), env=env_all)

    def last_run() -> dict:
        return mongo_db.crawl_runs.find_one({}, sort=[("started_at", DESCENDING)])

    for n in range(6):  # the first run, then five re-crawls
        result = crawl(f"clean-{n}")
        assert result.returncode == OK, result.stderr[-3000:]
        run = last_run()
        assert run["health_alerts"] == []
        row = next(r for r in run["fill_rates"] if r["layout"] == LAYOUT)
        assert row["pages"] == len(plain) and row["filled"]["lead"] == len(plain)
        assert "health:" not in result.stderr
    assert mongo_db.quarantine.count_documents({}) == 0

    replica.site.set_drift("lead", 0.5)
    drifted = [a["url"] for a in truth(replica) if a["url"] in plain and a.get("drifted")]
    assert len(plain) * 0.3 < len(drifted) < len(plain) * 0.7
    result = crawl("drift")
    assert result.returncode == EXTRACTION_DRIFT, result.stderr[-3000:]
    message = f"health: franceinfo {LAYOUT} lead: filled on"
    assert message in result.stderr
    run = last_run()
    assert [(a["site"], a["layout"], a["field"]) for a in run["health_alerts"]] == [("franceinfo", LAYOUT, "lead")]
    assert run["status"] == "finished"
    assert mongo_db.articles.count_documents({}) == len(plain)  # nothing lost, nothing twice

    verdict = health()
    assert verdict.returncode == 1
    assert verdict.stderr.strip().count("\n") == 0 and f"franceinfo {LAYOUT} lead" in verdict.stderr

    quarantined = list(mongo_db.quarantine.find())
    assert sorted(doc["url"] for doc in quarantined) == sorted(drifted)
    assert {doc["reason"] for doc in quarantined} == {"missing lead"}
    sample = quarantined[0]
    with urllib.request.urlopen(sample["url"]) as response:
        assert bytes(sample["body"]) == response.read()
    added = command("crawler.fixtures", "add", sample["_id"], "--pages-dir", str(tmp_path / "pages"), env=env_all)
    assert added.returncode == 0, added.stderr
    case = tmp_path / "pages" / "franceinfo" / f"real-quarantine-{sample['_id']}"
    assert (case / "input.html").read_bytes() == bytes(sample["body"])
    assert json.loads((case / "meta.json").read_text())["page"] == LAYOUT
    assert json.loads((case / "output.json").read_text())["lead"].startswith("TODO")

    replica.site.set_drift(None)
    result = crawl("fixed")
    assert result.returncode == OK, result.stderr[-3000:]  # the drifted run is not the new normal
    assert health().returncode == 0, health().stderr
