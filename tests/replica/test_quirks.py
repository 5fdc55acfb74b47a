"""Every quirk URL the replica lists behaves as `replica/README.md` documents."""

from __future__ import annotations

import http.client
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from tests.replica.client import fetch, json_ld, of_type, post_json

RECORD_CASES = {
    "server_error_then_ok",
    "slow",
    "wrong_encoding",
    "huge",
    "truncated",
    "not_html",
    "future_date",
    "no_title",
    "http_404",
    "http_410",
    "redirect_loop",
    "redirect_chain",
    "render_hang",
}


def _one(quirks: dict, case: str) -> dict:
    return next(e for e in quirks["quirks"] if e["case"] == case)


def test_every_case_is_listed(quirks, truth):
    cases = {e["case"] for e in quirks["quirks"]}
    assert cases >= RECORD_CASES | {"edited", "tracking_query", "trailing_slash", "amp_variant"}
    stored = {a["quirk"] for a in truth["articles"] if a["quirk"]}
    assert stored == {"server_error_then_ok", "slow", "wrong_encoding", "huge"}
    for entry in quirks["quirks"]:
        assert entry["listed_in"], entry
        assert entry["stored"] == (entry["case"] not in RECORD_CASES - stored), entry


def test_not_found_and_gone(quirks):
    assert fetch(_one(quirks, "http_404")["url"]).status == 404
    assert fetch(_one(quirks, "http_410")["url"]).status == 410


def test_redirect_chain_ends_on_the_article(quirks):
    entry = _one(quirks, "redirect_chain")
    url, hops = entry["url"], [entry["url"]]
    while True:
        response = fetch(url)
        if response.status != 301:
            break
        url = response.header("location")
        hops.append(url)
    assert response.status == 200
    assert hops == entry["chain"] and url == entry["canonical"]
    assert response.tree().xpath('//link[@rel="canonical"]/@href') == [entry["canonical"]]


def test_redirect_loop_comes_back(quirks):
    entry = _one(quirks, "redirect_loop")
    first = fetch(entry["url"])
    second = fetch(first.header("location"))
    assert first.status == second.status == 301
    assert second.header("location") == entry["url"]


def test_server_errors_then_ok_and_reset(base, quirks):
    entries = [e for e in quirks["quirks"] if e["case"] == "server_error_then_ok"]
    assert {e["status"] for e in entries} == {500, 503}
    for entry in entries:
        for _ in range(entry["failures"]):
            response = fetch(entry["url"])
            assert response.status == entry["status"]
            assert response.header("retry-after") == "1"
        assert fetch(entry["url"]).status == 200
        assert fetch(entry["url"]).status == 200
    post_json(f"{base}/_replica/quirks/reset")
    assert fetch(entries[0]["url"]).status == entries[0]["status"]
    post_json(f"{base}/_replica/quirks/reset")


def test_slow_page_does_not_block_others(base, quirks):
    entry = _one(quirks, "slow")
    result = {}

    def slow_fetch() -> None:
        started = time.perf_counter()
        result["status"] = fetch(entry["url"], timeout=10).status
        result["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=slow_fetch)
    thread.start()
    time.sleep(0.1)
    started = time.perf_counter()
    assert fetch(f"{base}/robots.txt").status == 200
    assert time.perf_counter() - started < 0.5
    thread.join()
    assert result["status"] == 200 and result["elapsed"] >= entry["delay_s"]


def test_slow_page_times_out_a_short_timeout(quirks):
    with pytest.raises(TimeoutError):
        fetch(_one(quirks, "slow")["url"], timeout=0.3)


def test_truncated_page(quirks):
    with pytest.raises(http.client.IncompleteRead) as raised:
        fetch(_one(quirks, "truncated")["url"])
    assert b'<div class="c-body">' in raised.value.partial
    assert b"</html>" not in raised.value.partial


def test_wrong_encoding_is_utf8_declared_latin1(quirks, truth):
    entry = _one(quirks, "wrong_encoding")
    response = fetch(entry["url"])
    assert response.header("content-type") == "text/html; charset=iso-8859-1"
    assert b'<meta charset="iso-8859-1">' in response.body
    title = next(a["title"] for a in truth["articles"] if a["url"] == entry["url"])
    assert not title.isascii()
    text = response.body.decode("utf-8")
    assert f'<span class="c-title__main">{title}</span>' in text.replace("&#x27;", "'")


def test_huge_page(quirks):
    response = fetch(_one(quirks, "huge")["url"], timeout=30)
    assert response.status == 200
    assert 5_500_000 <= len(response.body) <= 6_500_000


def test_not_html(quirks):
    response = fetch(_one(quirks, "not_html")["url"])
    assert response.status == 200
    assert response.header("content-type") == "application/pdf"
    assert response.body.startswith(b"%PDF")


def test_future_date(quirks, truth):
    response = fetch(_one(quirks, "future_date")["url"])
    news = of_type(json_ld(response.tree()), "NewsArticle")
    published = datetime.strptime(news["datePublished"], "%Y-%m-%dT%H:%M:%S%z")
    assert published > datetime.fromisoformat(truth["now"])


def test_no_title(quirks):
    tree = fetch(_one(quirks, "no_title")["url"]).tree()
    assert "headline" not in of_type(json_ld(tree), "NewsArticle")
    assert tree.xpath("string(//h1)") == ""
    assert not tree.xpath("//meta[@property='og:title']")
    assert tree.xpath("string(//title)") == ""


def test_quirk_records_are_in_their_day_sitemap(quirks):
    for entry in quirks["quirks"]:
        if entry["case"] in RECORD_CASES:
            day = next(p for p in entry["listed_in"] if p.startswith("/sitemaps/"))
            parts = urlsplit(entry["url"])
            sitemap = fetch(f"{parts.scheme}://{parts.netloc}{day}").body.decode()
            assert f"<loc>{entry['url']}</loc>" in sitemap


def test_render_hang_page_ships_an_empty_body_whose_xhr_never_answers_in_time(base, quirks):
    entry = _one(quirks, "render_hang")
    tree = fetch(entry["url"]).tree()
    body = tree.xpath("//div[contains(@class,'c-body')]")[0]
    assert body.get("data-client-rendered") == "true" and len(body) == 0
    assert body.get("data-body-url") == f"/_body/{entry['id']}.json"
