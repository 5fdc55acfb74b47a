"""crawler.report: the computations and the page from hand-made data, `gather` on
FerretDB, then the report of a real crawl opened in headless Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymongo
import pytest

from crawler.report.data import FillRate, HealthAlert, ReportData, Run, gather
from crawler.report.figures import FILL_FIELDS, LAG_BUCKETS, failure_reasons, lag_histogram, percentile, time_buckets
from crawler.report.page import nice_ceiling, render
from crawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS
from tests.crawling import REPO
from tests.deploy.conftest import CrawledDatabase

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = PLAYWRIGHT_LAUNCH_OPTIONS["args"]


def run(minutes_ago: float, status: str = "finished", **counts: int) -> Run:
    started = NOW - timedelta(minutes=minutes_ago)
    return Run(
        run_id=f"franceinfo-{minutes_ago:g}",
        spider="franceinfo",
        arguments={"sources": "sitemap"},
        started_at=started,
        finished_at=None if status == "running" else started + timedelta(minutes=2),
        status=status,
        finish_reason=None if status == "running" else "finished" if status == "finished" else "closespider_timeout",
        counts={key.replace("__", "/"): value for key, value in counts.items()},
    )


LEAD_ALERT = HealthAlert(
    site="franceinfo",
    layout="FranceinfoArticlePage",
    field="lead",
    kind="fill_rate",
    rate=0.4,
    baseline=0.98,
    pages=25,
    message="franceinfo FranceinfoArticlePage lead: filled on 40% of 25 pages, 98% over the previous 5 runs",
)


def fill(layout: str, pages: int, site: str = "franceinfo", **filled: int) -> FillRate:
    """Every field filled on every page unless said otherwise."""
    return FillRate(site, layout, pages, {name: filled.get(name, pages) for name in FILL_FIELDS})


def sample(**changes: object) -> ReportData:
    runs = [
        run(5, store__new=12, store__updated=3, store__unchanged=40, failed__http_404=2),
        run(65, "failed", store__new=7, failed__timeout=1, failed__http_404=1, dropped__invalid__published_at=1),
        run(3 * 24 * 60, store__new=1234),
    ]
    data = {
        "generated_at": NOW,
        "database": "news",
        "days": 14,
        "runs": runs,
        "last_success": runs[0],
        "total_articles": 98765,
        "total_revisions": 321,
        "section_days": {"2026/11/25": {"monde": 5, "sports": 2}, "2026/11/20": {"monde": 1, "culture": 4}},
        "lags_s": [120, 600, 4000, 90000, 700000],
    }
    data.update(changes)
    return ReportData(**data)


def test_failure_reasons_sum_failed_and_dropped_counts_over_the_runs() -> None:
    assert failure_reasons(sample().runs) == [
        ("failed/http_404", 3, 2),
        ("dropped/invalid/published_at", 1, 1),
        ("failed/timeout", 1, 1),
    ]


def test_the_lag_histogram_puts_each_lag_in_one_bucket() -> None:
    histogram = dict(lag_histogram([0, 299, 300, 3599, 3600, 7 * 86400, 10**9]))
    assert list(histogram) == [label for label, _ in LAG_BUCKETS]
    assert histogram["< 5 min"] == 2 and histogram["5–15 min"] == 1 and histogram["30–60 min"] == 1
    assert histogram["1–2 h"] == 1 and histogram["≥ 7 d"] == 2
    assert sum(histogram.values()) == 7


def test_percentiles_and_axis_tops() -> None:
    assert percentile([], 50) is None
    assert percentile([5, 1, 3], 50) == 3 and percentile([5, 1, 3], 100) == 5 and percentile([5, 1, 3], 0) == 1
    assert [nice_ceiling(v) for v in (0, 1, 7, 11, 214, 251, 999)] == [1, 1, 8, 15, 250, 300, 1000]


def test_runs_fall_into_equal_time_buckets_with_the_gaps_kept() -> None:
    data = sample()
    buckets = time_buckets(data.runs, data.since, NOW)
    assert len(buckets) <= 169 and buckets[0].end - buckets[0].start == timedelta(hours=2)
    assert buckets[0].start <= data.since < buckets[0].end and buckets[-1].start <= NOW < buckets[-1].end
    assert sum(len(b.runs) for b in buckets) == 3
    filled = [(b.start.strftime("%d %H:%M"), len(b.runs)) for b in buckets if b.runs]
    assert filled == [("22 12:00", 1), ("25 10:00", 2)], "runs 3 days, 65 and 5 minutes ago"
    day = time_buckets([], NOW - timedelta(days=1), NOW)
    assert day[0].end - day[0].start == timedelta(minutes=15)


def test_the_page_shows_the_numbers_as_text_next_to_the_charts() -> None:
    page = render(sample())
    assert page.count("<svg") >= 4 and page.count('class="chart"') == 4
    for heading in (
        "Runs over time",
        "Last runs",
        "Top failure reasons",
        "Articles per section per day",
        "Freshness lag",
    ):
        assert f"{heading}" in page
    assert "Last successful run finished 3 min ago" in page
    assert '<div class="value">98,765</div>' in page and '<div class="value">321</div>' in page
    assert re.search(r"<code>failed/http_404</code></td><td class='num'>3</td><td class='num'>2</td>", page)
    assert "closespider_timeout" in page
    assert "median 1 h 06 min" in page


def test_the_page_is_self_contained_and_escapes_what_it_prints() -> None:
    hostile = replace(
        run(1, status="failed"),
        finish_reason="<script>alert(1)</script>",
        fill_rates=(fill("<b>x</b>", 1, site="<b>x</b>"),),
        health_alerts=(replace(LEAD_ALERT, kind="<b>x</b>", message="<script>alert(2)</script>"),),
    )
    page = render(sample(runs=[hostile], section_days={"2026/11/25": {"<b>x</b>": 1}}))
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page
    assert not re.search(r"""(src|href)\s*=|<link|@import|url\(""", page)


def test_an_empty_database_still_gives_a_page() -> None:
    page = render(sample(runs=[], last_success=None, total_articles=0, section_days={}, lags_s=[]))
    assert "No crawl run has finished successfully yet." in page
    assert "No run started in the window." in page and "No failures in the window." in page
    assert "No article was first seen in the window." in page
    assert page.count('class="chart"') == 4


def measured(
    last_alerts: tuple[HealthAlert, ...] = (LEAD_ALERT,), older_alerts: tuple[HealthAlert, ...] = ()
) -> ReportData:
    """`sample` whose two latest runs read pages: franceinfo's lead drops from 40 of 40
    pages to 10 of 25, lemonde is read by the older run only, the oldest run predates
    fill rates."""
    last, older, oldest = sample().runs
    last = replace(
        last,
        fill_rates=(fill("FranceinfoArticlePage", 25, lead=10), fill("GenericArticlePage", 2, images=1)),
        health_alerts=last_alerts,
    )
    older = replace(
        older,
        fill_rates=(fill("FranceinfoArticlePage", 40), fill("GenericArticlePage", 3, site="lemonde")),
        health_alerts=older_alerts,
    )
    return sample(runs=[last, older, oldest], last_success=last)


def health_section(page: str) -> str:
    start = page.index('<section id="extraction-health">')
    return page[start : page.index("</section>", start)]


def panel_rows(page: str, site: str, layout: str) -> dict[str, list[str]]:
    """The text cells of one panel's rows by their first cell (the sparkline cell has none)."""
    block = health_section(page).split(f"<h3>{site}</h3>", 1)[1].split("<h3>", 1)[0]
    panel = block.split(f'<div class="health-panel"><h4><code>{layout}</code>', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in panel.split("<tr")[2:]]
    return {cells[0]: cells[1:] for cells in rows}


def test_a_run_document_with_missing_or_garbled_health_fields_still_reads() -> None:
    old = Run.from_document({"run_id": "old", "counts": {"store/new": 1}})
    assert (old.fill_rates, old.health_alerts) == ((), ())
    wrong_types = Run.from_document({"run_id": "w", "fill_rates": {"site": "franceinfo"}, "health_alerts": "drift"})
    assert (wrong_types.fill_rates, wrong_types.health_alerts) == ((), ())
    garbled = Run.from_document(
        {
            "run_id": "g",
            "fill_rates": [
                None,
                3,
                {"site": "franceinfo", "layout": "FranceinfoArticlePage", "pages": 4.0,
                 "filled": {"title": 4, "lead": True, "images": -2, "authors": float("nan"), "section": "x"}},
                {"pages": "40", "filled": ["title"]},
            ],
            "health_alerts": [[], {"kind": "new_layout", "site": "franceinfo", "layout": "X", "rate": "high"}],
        }
    )  # fmt: skip
    assert garbled.fill_rates == (
        FillRate(
            "franceinfo", "FranceinfoArticlePage", 4, {"title": 4, "lead": 0, "images": 0, "authors": 0, "section": 0}
        ),
        FillRate("(none)", "(none)", 0, {}),
    )
    assert garbled.health_alerts == (
        HealthAlert("franceinfo", "X", None, "new_layout", None, None, 0, "franceinfo X: new_layout"),
    )
    assert garbled.fill_rates[1].percent("title") is None
    assert "<h4><code>FranceinfoArticlePage</code> · 4 pages in 1 run</h4>" in render(sample(runs=[garbled]))


def test_extraction_health_has_a_panel_per_site_and_layout_with_the_rates_as_text() -> None:
    page = render(measured())
    headings = re.findall(r"<h3>([^<(]+)</h3>|<h4><code>([^<]+)</code>", health_section(page))
    assert headings == [
        ("franceinfo", ""), ("", "FranceinfoArticlePage"), ("", "GenericArticlePage"),
        ("lemonde", ""), ("", "GenericArticlePage"),
    ]  # fmt: skip
    rows = panel_rows(page, "franceinfo", "FranceinfoArticlePage")
    assert list(rows) == ["pages read", *FILL_FIELDS]
    assert rows["pages read"] == ["65", "40", "25"], "the window, then the runs oldest first"
    assert rows["lead"] == ["76%", "100%", "40%"] and rows["title"] == ["100%", "100%", "100%"]
    assert panel_rows(page, "lemonde", "GenericArticlePage")["pages read"] == ["3", "3", "–"]
    assert panel_rows(page, "franceinfo", "GenericArticlePage")["images"] == ["50%", "–", "50%"]
    assert '<td class="num fill alert" style="background:rgba(197,48,48,0.60)">40%</td>' in page
    assert '<td class="num fill">100%</td>' in page, "a full field is not shaded"


def test_the_alerts_of_the_window_are_listed_the_last_runs_first_and_marked() -> None:
    new_layout = HealthAlert(
        "lemonde", "GenericArticlePage", None, "new_layout", None, None, 3, "lemonde: 3 pages read with a new layout"
    )
    page = render(measured(older_alerts=(new_layout,)))
    rows = re.findall(r"<tr( class=\"current\")?><td>([^<]+)</td><td><code>([^<]+)</code>.*?<td>([^<]+)</td></tr>",
                      health_section(page))  # fmt: skip
    assert rows == [
        (' class="current"', "2026-11-25 11:55 UTC", "franceinfo-5", LEAD_ALERT.message),
        ("", "2026-11-25 10:55 UTC", "franceinfo-65", new_layout.message),
    ]
    assert "<h3>Alerts (2, newest run first)</h3>" in page


def test_the_header_warns_when_the_last_successful_run_has_alerts() -> None:
    warning = re.search(r'<div class="status warn" id="health-warning">(.*?)</div>', render(measured()))
    assert warning, "no warning in the header"
    assert "1 extraction health alert on the last successful run" in warning[1]
    assert LEAD_ALERT.message in warning[1]
    assert 'id="health-warning"' not in render(measured(last_alerts=(), older_alerts=(LEAD_ALERT,)))


def test_without_fill_rates_the_health_section_says_so_in_one_line() -> None:
    section = health_section(render(sample()))
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip() == (
        "Extraction health No run in the window recorded fill rates."
    )
    assert "No extraction health alert in the window." in health_section(render(measured(last_alerts=())))


@pytest.mark.slow
def test_gather_reads_runs_sections_and_lags(mongo_db: pymongo.database.Database) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.strftime("%Y/%m/%d")
    mongo_db.crawl_runs.insert_many(
        [
            {"_id": "a", "run_id": "a", "status": "finished", "started_at": now - timedelta(hours=1),
             "finished_at": now - timedelta(minutes=50), "counts": {"store/new": 3, "failed/http_404": 1},
             "fill_rates": [{"site": "franceinfo", "layout": "FranceinfoArticlePage", "pages": 25,
                             "filled": {"title": 25, "lead": 10}}],
             "health_alerts": [{"site": "franceinfo", "layout": "FranceinfoArticlePage", "field": "lead",
                                "kind": "fill_rate", "rate": 0.4, "baseline": 0.98, "pages": 25,
                                "message": LEAD_ALERT.message}]},
            {"_id": "b", "run_id": "b", "status": "failed", "started_at": now - timedelta(minutes=10),
             "finished_at": now - timedelta(minutes=9), "counts": {"store/new": 1}},
            {"_id": "old", "run_id": "old", "status": "finished", "started_at": now - timedelta(days=30),
             "finished_at": now - timedelta(days=30), "counts": {"store/new": 99}},
        ]
    )  # fmt: skip
    mongo_db.articles.insert_many(
        [
            {"url": "u1", "date_path": today, "section": "monde", "first_seen_at": now, "freshness_lag_s": 60},
            {"url": "u2", "date_path": today, "section": "monde", "first_seen_at": now, "freshness_lag_s": 600},
            {"url": "u3", "date_path": today, "section": "sports", "first_seen_at": now},
            {"url": "u4", "date_path": "2020/01/01", "section": "monde", "first_seen_at": now - timedelta(days=99)},
        ]
    )
    data = gather(mongo_db, days=14, now=now)
    assert [r.run_id for r in data.runs] == ["b", "a"], "the window's runs, newest first"
    assert data.last_success.run_id == "a"
    assert data.last_success.health_alerts == (LEAD_ALERT,)
    assert data.runs[1].fill_rates == (FillRate("franceinfo", "FranceinfoArticlePage", 25, {"title": 25, "lead": 10}),)
    assert (data.runs[0].fill_rates, data.runs[0].health_alerts) == ((), ())
    assert data.section_days == {today: {"monde": 2, "sports": 1}}
    assert sorted(data.lags_s) == [60, 600]
    assert (data.total_articles, data.total_revisions) == (4, 0)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.slow
def test_the_report_of_a_real_crawl_in_chromium(crawled: CrawledDatabase, browser, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    process = subprocess.run(
        [sys.executable, "-m", "crawler.report", "--out", str(out), "--days", "14"],
        cwd=REPO,
        env={**os.environ, "MONGO_URI": crawled.uri, "MONGO_DATABASE": crawled.name},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    stats = crawled.crawl.stats
    stored = stats["store/new"]

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(out.as_uri())
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert requested == [out.as_uri()], "the page fetches nothing"

    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 80
    for chart in ("#runs-chart", "#failures-chart", "#sections-chart", "#lag-chart"):
        drawn = page.eval_on_selector_all(f"{chart} rect", "rects => rects.map(r => r.getBBox().height)")
        assert sum(drawn) > 0, f"{chart} draws no bar"

    def card(label: str) -> str:
        return page.locator(f'.card:has(> .label:text-is("{label}")) > .value').inner_text()

    assert card("Articles stored") == f"{stored:,}" == card("New articles")
    assert card("Runs") == "1"
    last_run = page.inner_text("#last-run")
    assert last_run.startswith("Last successful run finished ") and stats["crawl_run/id"] in last_run
    cells = page.locator("#runs-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[3:9] == ["finished", "finished", f"{stored:,}", "0", "0", str(sum_failures(stats))]

    reasons = {
        row[0]: int(row[1])
        for row in (r.locator("td").all_inner_texts() for r in page.locator("#failure-reasons tbody tr").all())
    }
    assert reasons["failed/http_404"] == stats["failed/http_404"] == 1
    assert reasons == {k: v for k, v in stats.items() if k.startswith(("failed/", "dropped/"))}
    totals = page.locator("#sections-table tbody td.total").all_inner_texts()
    assert sum(int(t.replace(",", "")) for t in totals) == stored
    assert f"{stored} articles first seen in the window: median " in page.inner_text("#freshness")


def sum_failures(stats: dict) -> int:
    return sum(v for k, v in stats.items() if k.startswith(("failed/", "dropped/")))


def test_with_several_sites_sections_and_runs_are_named_by_site(mongo_db: pymongo.database.Database) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.strftime("%Y/%m/%d")
    mongo_db.crawl_runs.insert_many(
        [
            {"_id": "f", "run_id": "f", "spider": "franceinfo", "status": "finished", "started_at": now},
            {"_id": "l", "run_id": "l", "spider": "news", "site": "lemonde", "arguments": {"site": "lemonde"},
             "status": "finished", "started_at": now - timedelta(minutes=5)},
        ]
    )  # fmt: skip
    mongo_db.articles.insert_many(
        [
            {"url": "u1", "date_path": today, "source": "franceinfo", "section": "monde", "first_seen_at": now},
            {"url": "u2", "date_path": today, "source": "lemonde", "section": "international", "first_seen_at": now},
            {"url": "u3", "date_path": today, "source": "lemonde", "section": "international", "first_seen_at": now},
        ]
    )
    data = gather(mongo_db, days=14, now=now)
    assert data.section_days == {today: {"franceinfo · monde": 1, "lemonde · international": 2}}
    assert [run.site for run in data.runs] == ["franceinfo", "lemonde"]
    page = render(data)
    assert "<td>lemonde <code>(defaults)</code></td>" in page
    assert "lemonde · international" in page
