"""The franceinfo spider against a 200-article replica: every article exactly once,
over each source, and every broken case under its own reason."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import run_crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(articles=200, seed=1, slow_seconds=6, hang_seconds=8), port=0) as server:
        yield server


def get_json(replica: ReplicaServer, path: str) -> dict:
    with urllib.request.urlopen(replica.base_url + path) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def truth(replica: ReplicaServer) -> dict:
    return get_json(replica, "/_replica/articles.json")


@pytest.fixture(scope="module")
def quirks(replica: ReplicaServer) -> list[dict]:
    return get_json(replica, "/_replica/quirks.json")["quirks"]


def storable(truth: dict) -> dict[str, dict]:
    """Articles a crawl can store: all but the page slower than the download timeout."""
    return {a["url"]: a for a in truth["articles"] if a["quirk"] != "slow"}


@pytest.fixture(scope="module")
def full_crawl(replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory, truth: dict):
    sections = ",".join(sorted({a["section"] for a in truth["articles"]}))
    return run_crawl(
        tmp_path_factory.mktemp("full"),
        f"base_url={replica.base_url}",
        "sources=sitemap,rss,sections",
        f"sections={sections}",
        "since=2026-01-01",
    )


def test_full_crawl_finds_every_article_exactly_once(full_crawl, truth: dict) -> None:
    assert full_crawl.returncode == 0, full_crawl.stderr[-2000:]
    counts = Counter(full_crawl.urls)
    assert [url for url, n in counts.items() if n > 1] == []
    assert set(counts) == set(storable(truth))


def test_url_variants_cost_no_second_request(
    replica: ReplicaServer, tmp_path: Path, quirks: list[dict], truth: dict
) -> None:
    """Sections and feeds link variants (tracking query, trailing slash, AMP); each
    article page is still requested once, at its canonical URL."""
    variants = [q for q in quirks if q["case"] in ("tracking_query", "trailing_slash", "amp_variant", "uppercase_host")]
    assert variants, "the replica serves URL variants"
    replica.reset_stats()
    sections = ",".join(sorted({a["section"] for a in truth["articles"]}))
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", "sources=rss,sections", f"sections={sections}")
    assert result.stat("discovered/duplicate_url") > 0
    assert {q["canonical"] for q in variants} <= set(result.urls)
    requests_by_path = replica.stats()["by_path"]
    by_url = {a["url"]: a for a in truth["articles"]}
    for quirk in variants:
        canonical_path = urllib.parse.urlsplit(quirk["canonical"]).path
        variant_path = urllib.parse.urlsplit(quirk["url"]).path
        article = by_url[quirk["canonical"]]
        static_and_rendered = article["client_rendered"] and article["kind"] == "article"
        assert requests_by_path.get(canonical_path) == (2 if static_and_rendered else 1), quirk
        if variant_path != canonical_path:
            assert variant_path not in requests_by_path, quirk


@pytest.mark.parametrize(
    ("case", "stat"),
    [
        ("http_404", "failed/http_404"),
        ("http_410", "failed/http_410"),
        ("redirect_loop", "failed/redirect_loop"),
        ("slow", "failed/timeout"),
        ("truncated", "failed/truncated"),
        ("not_html", "dropped/not_html"),
        ("future_date", "dropped/invalid/published_at"),
        ("no_title", "dropped/no_title"),
        ("render_hang", "failed/render_timeout"),
    ],
)
def test_each_broken_case_has_its_own_reason(full_crawl, quirks: list[dict], case: str, stat: str) -> None:
    cases = [q for q in quirks if q["case"] == case]
    assert cases, f"the replica serves {case}"
    assert full_crawl.stat(stat) == len(cases)
    assert not {q["url"] for q in cases} & set(full_crawl.urls)


def test_pages_that_recover_or_are_odd_are_stored_right(full_crawl, quirks: list[dict], truth: dict) -> None:
    by_url = {item["url"]: item for item in full_crawl.items}
    titles = {a["url"]: a["title"] for a in truth["articles"]}
    for case in ("server_error_then_ok", "wrong_encoding", "huge", "redirect_chain"):
        for quirk in [q for q in quirks if q["case"] == case]:
            url = quirk.get("canonical", quirk["url"])
            assert url in by_url, case
            assert by_url[url]["title"] == titles[url].replace("\xa0", " "), case
    assert full_crawl.stat("retry/reason_count/503 Service Unavailable") >= 1


@pytest.mark.parametrize("source", ["sitemap", "rss", "sections", "urls"])
def test_each_source_alone_finds_what_it_lists(
    replica: ReplicaServer, truth: dict, tmp_path: Path, source: str
) -> None:
    articles = storable(truth)
    sections = sorted({a["section"] for a in articles.values()})
    arguments = [f"base_url={replica.base_url}"]
    if source == "sitemap":
        arguments += ["sources=sitemap"]
        expected = {u for u, a in articles.items() if a["sources"]["news_sitemap"]}
    elif source == "rss":
        arguments += ["sources=rss", f"sections={','.join(sections)}"]
        expected = {u for u, a in articles.items() if set(a["sources"]["rss"]) - {"/titres.rss"}}
    elif source == "sections":
        arguments += ["sources=sections", f"sections={','.join(sections)}"]
        expected = {
            u for u, a in articles.items() if any(p.split("/")[1] in sections for p in a["sources"]["section_pages"])
        }
    else:
        chosen = sorted(articles)[:25]
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join(url + "?xtor=RSS-3" for url in chosen), encoding="utf-8")
        arguments += [f"url_file={listing}"]
        expected = set(chosen)
    result = run_crawl(tmp_path, *arguments)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.urls) == len(set(result.urls))
    assert set(result.urls) == expected


def test_max_articles_bounds_the_crawl(replica: ReplicaServer, tmp_path: Path) -> None:
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", "sources=sitemap", "max_articles=7")
    assert len(result.urls) == 7
    assert result.stat("discovered/over_max_articles") > 0


def test_a_clean_run_is_quiet(replica: ReplicaServer, truth: dict, mongo_server, mongo_db, tmp_path: Path) -> None:
    """A run every five minutes must not fill the logs: a run where nothing goes
    wrong logs no warning. And it opens no console: Scrapy 2.19's remote control
    (an HTTP server running the Python it is sent, with a job file per run that a
    killed run leaves behind) is off, as the Telnet console is."""
    plain = next(a["url"] for a in truth["articles"] if a["quirk"] is None and a["kind"] == "article")
    jobs = tmp_path / "remote-control-jobs"
    result = run_crawl(
        tmp_path, f"base_url={replica.base_url}", f"urls={plain}",
        settings={"STATS_FILE": "", "REMOTE_CONTROL_JOBS_DIR": str(jobs)},
        env={"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": mongo_db.name},
    )  # fmt: skip
    assert result.returncode == 0 and result.urls == [plain], result.stderr[-2000:]
    assert mongo_db.articles.count_documents({}) == 1
    noisy = [line for line in result.stderr.splitlines() if "] WARNING:" in line or "] ERROR:" in line]
    assert noisy == []
    assert "Remote control" not in result.stderr
    assert not jobs.exists()


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("since=2026-13-01", "since must be a date YYYY-MM-DD"),
        ("sections=monde,atlantide", "sections: unknown value(s) atlantide"),
        ("url_file=/nonexistent/list.txt", "url_file '/nonexistent/list.txt' can't be read"),
    ],
)
def test_argument_errors_stop_at_start_with_one_line(tmp_path: Path, argument: str, message: str) -> None:
    result = run_crawl(tmp_path, argument, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert result.stats == {}
