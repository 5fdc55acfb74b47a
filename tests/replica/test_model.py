"""The seeded model and its clock: determinism, advance(), edits, scale."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from replica import ReplicaServer, ReplicaSite
from replica.model import QUIRK_CASES
from tests.replica.client import fetch, get_json, json_ld, of_type, post_json

BASE = "http://replica.test"


def _strip_base(truth: dict) -> list[tuple]:
    return [(a["id"], a["title"], a["published"], a["modified"], a["revision"]) for a in truth["articles"]]


def test_same_seed_same_site_other_seed_other_site():
    first, second, other = ReplicaSite(200, seed=7), ReplicaSite(200, seed=7), ReplicaSite(200, seed=8)
    assert first.truth(BASE, full=True) == second.truth(BASE, full=True)
    assert first.quirks(BASE) == second.quirks(BASE)
    assert _strip_base(first.truth(BASE)) != _strip_base(other.truth(BASE))


def test_articles_spread_over_days_before_the_clock():
    site = ReplicaSite(articles=400, seed=1, now="2026-11-20T10:00:00Z", per_day=40)
    articles = site.articles()
    now = datetime.fromisoformat("2026-11-20T10:00:00+00:00")
    published = [datetime.fromisoformat(a["published"]) for a in site.truth(BASE)["articles"]]
    assert all(now - timedelta(days=10) <= p < now for p in published)
    ids = [a.id for a in articles]
    assert ids == sorted(ids) and 7_500_000 < ids[0] < 7_800_000
    kinds = {a.kind for a in articles}
    assert kinds == {"article", "live", "video"}
    assert all(a.slug.startswith("direct-") for a in articles if a.kind == "live")
    assert all(a.slug.startswith("video-") for a in articles if a.kind == "video")
    assert len({a.section for a in articles}) >= 10
    assert any(a.revision > 1 for a in articles if a.kind == "article")


def test_smallest_site_has_every_quirk():
    site = ReplicaSite(articles=10, seed=1)
    assert len(site.quirk_articles()) == len(QUIRK_CASES)
    assert len(site.articles()) == 10
    assert {e["case"] for e in site.quirks(BASE)["quirks"]} >= {case for case, _ in QUIRK_CASES} | {"edited"}


def test_advance_publishes_and_edits_deterministically():
    results = []
    for _ in range(2):
        site = ReplicaSite(articles=300, seed=5)
        before = {a.id: a for a in site.articles()}
        done = site.advance(publish=20, edit=50, minutes=10)
        results.append((done, site.truth(BASE, full=True)))
        assert len(done.published) == 20
        assert len(done.edited) == 51 and site.edited_id in done.edited
        assert site.now == done.now
        for article_id in done.edited:
            old, new = before[article_id], site.article(article_id)
            assert new.revision == old.revision + 1
            assert done.now - 600 < new.modified <= done.now
            if new.kind == "live":
                assert len(site.content(new).live_posts) > len(site.content(old).live_posts)
            else:
                assert site.content(new).blocks[: len(site.content(old).blocks)] == site.content(old).blocks
                assert len(site.content(new).blocks) == len(site.content(old).blocks) + 1
        for article_id in done.published:
            assert article_id > max(before)
            assert site.article(article_id).published > done.now - 600
    assert results[0] == results[1]


@pytest.fixture
def fresh_base() -> Iterator[str]:
    """A replica of its own: tests that move the clock must not see each other's moves."""
    with ReplicaServer(ReplicaSite(articles=300, seed=1, slow_seconds=1.0), port=0) as server:
        yield server.base_url


def test_advance_over_http_matches_python(fresh_base):
    base = fresh_base
    twin = ReplicaSite(articles=300, seed=1, slow_seconds=1.0)
    expected = twin.advance(publish=5, edit=7, minutes=30)
    answer = post_json(f"{base}/_replica/advance", {"publish": 5, "edit": 7, "minutes": 30})
    assert len(answer["published"]) == 5 and len(answer["edited"]) == 8
    assert [twin.article(i).path for i in expected.published] == [u.removeprefix(base) for u in answer["published"]]
    assert [twin.article(i).path for i in expected.edited] == [u.removeprefix(base) for u in answer["edited"]]
    truth = get_json(f"{base}/_replica/articles.json")
    assert _strip_base(truth) == _strip_base(twin.truth(BASE))
    news = fetch(f"{base}/sitemap_news.xml").body.decode()
    assert all(f"<loc>{url}</loc>" in news for url in answer["published"])
    titres = fetch(f"{base}/titres.rss").body.decode()
    assert answer["published"][-1] in titres or answer["published"][-1].replace(".html", ".amp") in titres


def test_edited_article_changes_on_the_page(fresh_base):
    base = fresh_base
    quirks = get_json(f"{base}/_replica/quirks.json")
    entry = next(e for e in quirks["quirks"] if e["case"] == "edited")
    before = fetch(entry["url"])
    post_json(f"{base}/_replica/advance", {"publish": 1, "edit": 0, "minutes": 5})
    after = fetch(entry["url"])
    assert after.header("etag") != before.header("etag")
    assert fetch(entry["url"], headers={"If-None-Match": before.header("etag")}).status == 200
    old, new = of_type(json_ld(before.tree()), "NewsArticle"), of_type(json_ld(after.tree()), "NewsArticle")
    compact = "%Y-%m-%dT%H:%M:%S%z"
    assert datetime.strptime(new["dateModified"], compact) > datetime.strptime(old["dateModified"], compact)
    old_body = before.tree().xpath("//div[@class='c-body']/p")
    new_body = after.tree().xpath("//div[@class='c-body']/p")
    assert len(new_body) == len(old_body) + 1
    truth = {a["url"]: a for a in get_json(f"{base}/_replica/articles.json")["articles"]}
    assert truth[entry["url"]]["revision"] == entry["revision"] + 1
    sitemap = fetch(base + truth[entry["url"]]["sources"]["archive_sitemap"]).body.decode()
    assert f"<loc>{entry['url']}</loc><lastmod>{truth[entry['url']]['lastmod']}</lastmod>" in sitemap


def test_advance_rejects_bad_input(base):
    response = fetch(f"{base}/_replica/advance", "POST", body=b'{"minutes": 0}')
    assert response.status == 400
    with pytest.raises(ValueError):
        ReplicaSite(articles=50).advance(minutes=0)


def test_generating_50000_articles_is_fast():
    started = time.perf_counter()
    site = ReplicaSite(articles=50_000, seed=1)
    elapsed = time.perf_counter() - started
    print(f"\n50,000-article site model built in {elapsed:.2f} s")
    assert len(site.articles()) == 50_000
    assert elapsed < 30


def test_a_whole_site_walk_generates_each_article_text_once():
    """A crawl reads the truth list, then every page, in the same order: a cache
    smaller than the site would generate every text twice."""
    site = ReplicaSite(articles=5000, seed=2)
    for _ in range(2):
        for article in site.articles():
            site.content(article)
    assert site.content.cache_info().misses == 5000
