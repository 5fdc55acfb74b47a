from __future__ import annotations

from pathlib import Path

import pytest

from crawler.params import DEFAULT_BASE_URL, ArgumentError, CrawlArguments


def test_defaults_point_at_the_real_site_news_sources() -> None:
    args = CrawlArguments.parse({})
    assert args.base_url == DEFAULT_BASE_URL == "https://www.francetvinfo.fr"
    assert args.sources == ("sitemap", "rss")
    assert args.since is None and args.max_articles is None


def test_since_and_until_are_paris_days_in_utc() -> None:
    args = CrawlArguments.parse({"since": "2020-10-01", "until": "2020-10-31"})
    assert args.since.isoformat() == "2020-09-30T22:00:00+00:00"
    assert args.until.isoformat().startswith("2020-10-31T22:59:59")


def test_urls_alone_mean_only_those_urls(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# a comment\nhttps://www.francetvinfo.fr/b_2.html\n\n", encoding="utf-8")
    args = CrawlArguments.parse({"urls": "https://www.francetvinfo.fr/a_1.html", "url_file": str(listing)})
    assert args.sources == ("urls",)
    assert args.urls == ("https://www.francetvinfo.fr/a_1.html", "https://www.francetvinfo.fr/b_2.html")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"since": "2020-13-01"}, "since must be a date YYYY-MM-DD"),
        ({"until": "hier"}, "until must be a date YYYY-MM-DD"),
        ({"since": "2020-10-02", "until": "2020-10-01"}, "is after until"),
        ({"sections": "monde,mars"}, "sections: unknown value(s) mars"),
        ({"sources": "sitemap,twitter"}, "sources: unknown value(s) twitter"),
        ({"sources": "urls"}, "sources=urls needs urls="),
        ({"url_file": "/nonexistent/urls.txt"}, "url_file '/nonexistent/urls.txt' can't be read"),
        ({"urls": "ftp://x/a_1.html"}, "is not an http(s) URL"),
        ({"max_articles": "0"}, "max_articles must be a positive whole number"),
        ({"max_articles": "ten"}, "max_articles must be a positive whole number"),
        ({"base_url": "127.0.0.1:8765"}, "base_url must be an http(s) URL"),
    ],
)
def test_bad_arguments_say_what_is_expected(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        CrawlArguments.parse(arguments)
    assert message in str(raised.value)
