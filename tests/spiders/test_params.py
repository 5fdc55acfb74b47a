from __future__ import annotations

from pathlib import Path

import pytest

from crawler.spiders.params import DEFAULT_BASE_URL, ArgumentError, CrawlArguments, normalize_base_url


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


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:34207",
        "http://127.0.0.1:034207",
        "HTTP://127.0.0.1:34207/",
        "http://127.0.0.1.:34207/monde/",
        "http://127.1:34207",
        "http://0x7f.0.0.1:34207",
        " http://127.0.0.1:34207 ",
    ],
)
def test_every_spelling_of_one_site_is_one_base_url(spelling: str) -> None:
    assert normalize_base_url(spelling) == "http://127.0.0.1:34207"


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("https://WWW.FranceTVinfo.fr", "https://www.francetvinfo.fr"),
        ("https://www.francetvinfo.fr:443/", "https://www.francetvinfo.fr"),
        ("https://www.francetvinfo.fr:0443", "https://www.francetvinfo.fr"),
        ("http://localhost:80", "http://localhost"),
        ("http://localhost:443", "http://localhost:443"),
        ("https://www.francetvinfo.fr:80", "https://www.francetvinfo.fr:80"),
        ("http://[0:0::1]:8765", "http://[::1]:8765"),
        ("https://www.franceïnfo.fr", "https://www.xn--francenfo-55a.fr"),
    ],
)
def test_base_url_host_and_port_have_one_spelling(spelling: str, expected: str) -> None:
    assert normalize_base_url(spelling) == expected
    assert normalize_base_url(expected) == expected


@pytest.mark.parametrize(
    "spelling", ["http://127.0.0.1:99999", "http://127.0.0.1:port", "http://256.0.0.1", "http://u:p@127.0.0.1"]
)
def test_a_base_url_with_a_bad_host_or_port_is_a_bad_argument(spelling: str) -> None:
    with pytest.raises(ArgumentError, match="base_url"):
        normalize_base_url(spelling)


def test_an_unknown_argument_is_named_with_the_known_ones() -> None:
    with pytest.raises(ArgumentError) as raised:
        CrawlArguments.parse({"sourcs": "rss"})
    message = str(raised.value)
    assert message.startswith("unknown argument 'sourcs' (did you mean sources?)")
    assert "known arguments: site, base_url, sources, sections, since, until, urls, url_file" in message
    assert "\n" not in message


def test_scrapy_internal_arguments_are_kept_apart_not_refused() -> None:
    args = CrawlArguments.parse({"_job": "a1b2", "sources": "rss"})
    assert args.sources == ("rss",) and args.extra == {"_job": "a1b2"}
