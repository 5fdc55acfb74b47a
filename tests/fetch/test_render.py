"""Pages that need JavaScript, rendered in real Chromium through scrapy-playwright,
against the replica's client-rendered pages."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest

from crawler.article.normalize import clean_text
from crawler.observe import exitcodes
from devservers.ferretdb import MongoServer
from replica.model import ReplicaSite
from replica.server import ReplicaServer
from tests.crawling import run_crawl

pytestmark = pytest.mark.slow
PROFILE_MARKER = "playwright_chromiumdev_profile"


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(articles=150, seed=4, hang_seconds=8)


@pytest.fixture(scope="module")
def replica(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, port=0) as server:
        yield server


@pytest.fixture(scope="module")
def truth(replica: ReplicaServer) -> dict:
    with urllib.request.urlopen(replica.base_url + "/_replica/articles.json?full=1") as response:
        return json.load(response)


def browser_pids(scratch: Path) -> set[int]:
    """Chromium processes Playwright started with its profile under `scratch`: the
    crawl's own, not those of anything else running on the machine."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if PROFILE_MARKER in line and str(scratch) in line:
            found.add(int(cmdline.parent.name))
    return found


@pytest.fixture
def no_browser_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """After the test's crawl, none of the browser processes it started survive.
    The crawl's temporary directory (where Playwright puts the browser profile) is
    the test's own, so the check counts this crawl's browsers only. It is short:
    Chromium's socket in the profile must fit a Unix socket path (108 bytes)."""
    scratch = Path(tempfile.mkdtemp(prefix="render-"))
    monkeypatch.setenv("TMPDIR", str(scratch))
    try:
        yield
        assert browser_pids(scratch) == set(), "a Chromium process outlived the crawl"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.usefixtures("no_browser_left")
def test_live_page_posts_arrive_by_xhr_and_are_extracted(replica: ReplicaServer, truth: dict, tmp_path: Path) -> None:
    live = next(a for a in truth["articles"] if a["kind"] == "live")
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={live['url']}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stat("render/reason/live") == 1 and result.stat("playwright/page_count") == 1
    [item] = result.items
    expected = [(clean_text(p["title"]), clean_text(p["text"])) for p in live["live_posts"]]
    assert [(p["title"], p["text"]) for p in item["live_posts"]] == expected
    published = [p["published_at"] for p in item["live_posts"]]
    assert published == sorted(published, reverse=True), "newest first"
    assert item["paragraphs"][:2] == [expected[0][0], expected[0][1]]
    assert item["kind"] == "live"


@pytest.mark.usefixtures("no_browser_left")
def test_client_rendered_article_is_detected_statically_and_rendered_once(
    replica: ReplicaServer, truth: dict, tmp_path: Path
) -> None:
    article = next(a for a in truth["articles"] if a["kind"] == "article" and a["client_rendered"])
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={article['url']}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stat("render/reason/client_side") == 1
    assert result.stat("playwright/page_count") == 1, "rendered once"
    assert result.stat("downloader/request_count") == 3, "robots.txt, the static page, the rendered page"
    [item] = result.items
    assert item["paragraphs"] == [clean_text(block) for block in article["body"]]


@pytest.mark.usefixtures("no_browser_left")
def test_a_page_whose_content_never_comes_times_out_and_is_counted(replica: ReplicaServer, tmp_path: Path) -> None:
    with urllib.request.urlopen(replica.base_url + "/_replica/quirks.json") as response:
        hang = next(q for q in json.load(response)["quirks"] if q["case"] == "render_hang")
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={hang['url']}")
    assert result.returncode == exitcodes.NOTHING_PARSED, "its only page failed: an alert"
    assert result.stat("failed/render_timeout") == 1
    assert result.stat("playwright/page_count") == 2, "one try and one retry, then the crawl goes on"
    assert result.stat("playwright/page_count/closed") == 2, "pages closed on failure too"
    assert result.items == []


def test_static_articles_never_start_the_browser(replica: ReplicaServer, truth: dict, tmp_path: Path) -> None:
    static = [a["url"] for a in truth["articles"] if not a["client_rendered"] and a["quirk"] is None][:20]
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={','.join(static)}")
    assert result.returncode == 0
    assert len(result.items) == 20
    assert "playwright/browser_count" not in result.stats
    assert not any(key.startswith("render/") for key in result.stats)
    assert "Starting download handler" not in result.stderr, "Playwright's driver started for nothing"


def test_forced_urls_are_rendered_even_when_static(replica: ReplicaServer, truth: dict, tmp_path: Path) -> None:
    static = next(a["url"] for a in truth["articles"] if not a["client_rendered"] and a["quirk"] is None)
    result = run_crawl(tmp_path, f"base_url={replica.base_url}", f"render_urls={static}")
    assert result.stat("render/reason/forced") == 1 and len(result.items) == 1


def test_a_live_page_that_gained_posts_is_a_new_revision(
    site: ReplicaSite, replica: ReplicaServer, truth: dict, mongo_server: MongoServer, tmp_path: Path
) -> None:
    live = next(a for a in truth["articles"] if a["kind"] == "live")
    env = {"STORE_ENABLED": "1", "MONGO_URI": mongo_server.uri, "MONGO_DATABASE": "render_live_revision"}
    client = pymongo.MongoClient(mongo_server.uri, tz_aware=True)
    client.drop_database("render_live_revision")
    try:
        first = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={live['url']}", env=env)
        assert first.stat("store/new") == 1
        site.advance(edit_ids=(live["id"],))
        second = run_crawl(tmp_path, f"base_url={replica.base_url}", f"urls={live['url']}", env=env)
        assert second.stat("store/updated") == 1
        db = client["render_live_revision"]
        document = db.articles.find_one({"url": live["url"]})
        old = db.article_revisions.find_one({"article_id": document["_id"]})
        assert document["revision"] == 2
        assert len(document["live_posts"]) > len(old["live_posts"])
    finally:
        client.drop_database("render_live_revision")
        client.close()
