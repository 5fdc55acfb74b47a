"""The site registry and each site's rules, without network."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from crawler.sites import GENERIC, SITES, Site, site_for, site_named
from crawler.spiders.news import FranceinfoSpider, NewsSpider
from crawler.spiders.params import ArgumentError, CrawlArguments
from tests.read import PAGES

OTHER_SITES = PAGES / "other-sites"
# Pages of each site that are not articles: a rubrique, a tag, an author.
NOT_ARTICLES = {
    "franceinfo": ["/monde/", "/tag/a_1.html", "/redaction/jean_1.html"],
    "lemonde": ["/international/", "/signataires/martin-untersinger/", "/international/rss_full.xml"],
    "20minutes": ["/societe/", "/feeds/rss-une.xml", "/dossier/marseille"],
    "leparisien": ["/politique/", "/arc/outboundfeeds/news-sitemap/"],
    "lepoint": ["/societe/", "/tags/retraites/", "/rss.xml"],
    "liberation": ["/politique/", "/auteur/service-etranger/"],
}


def real_pages() -> list[tuple[str, str]]:
    found = []
    for meta in sorted(OTHER_SITES.glob("real-*/meta.json")):
        url = json.loads(meta.read_text())["url"]
        found.append((site_for(url).key, url))
    return found


def test_at_least_five_sites_besides_franceinfo_with_distinct_hosts() -> None:
    assert "franceinfo" in SITES and len(SITES) >= 6
    hosts = [host for site in SITES.values() for host in site.hosts]
    assert len(hosts) == len(set(hosts)), "a host belongs to one site"
    for site in SITES.values():
        assert urlsplit(site.base_url).hostname in site.hosts
        assert site.source_note and site.news_sitemaps and site.feeds


@pytest.mark.parametrize(("key", "url"), [page for page in real_pages() if page[0] != "generic"])
def test_each_real_page_of_a_site_is_one_of_its_articles(key: str, url: str) -> None:
    site = SITES[key]
    assert site.is_article_url(url, set(site.hosts)), url


@pytest.mark.parametrize("key", sorted(NOT_ARTICLES))
def test_listings_of_a_site_are_not_articles(key: str) -> None:
    site = SITES[key]
    for path in NOT_ARTICLES[key]:
        assert not site.is_article_url(site.base_url + path, set(site.hosts)), path
    assert not site.is_article_url("https://elsewhere.example/a_1.html", set(site.hosts))


def test_the_registry_names_the_known_sites_when_asked_for_another() -> None:
    assert site_named("lemonde") is SITES["lemonde"]
    assert site_for("https://lemonde.fr/x").key == "lemonde"
    assert site_for("https://www.example.fr/x") is GENERIC
    with pytest.raises(ValueError, match=r"unknown site 'lequipe'; known: 20minutes, franceinfo, lemonde"):
        site_named("lequipe")


def test_site_and_base_url_choose_the_site_and_where_it_is_fetched() -> None:
    assert CrawlArguments.parse({}).site.key == "franceinfo"
    lemonde = CrawlArguments.parse({"site": "lemonde"})
    assert (lemonde.site.key, lemonde.base_url) == ("lemonde", "https://www.lemonde.fr")
    assert CrawlArguments.parse({"base_url": "https://www.20minutes.fr"}).site.key == "20minutes"
    mirror = CrawlArguments.parse({"site": "lepoint", "base_url": "http://127.0.0.1:8080"})
    assert (mirror.site.key, mirror.base_url) == ("lepoint", "http://127.0.0.1:8080")
    assert CrawlArguments.parse({"base_url": "https://journal.example"}).site is GENERIC


def test_sections_are_the_sites_own() -> None:
    assert CrawlArguments.parse({"site": "lemonde", "sections": "pixels"}).sections == ("pixels",)
    with pytest.raises(ArgumentError, match="sections: unknown value"):
        CrawlArguments.parse({"site": "lemonde", "sections": "faits-divers"})
    assert CrawlArguments.parse({"base_url": "https://journal.example", "sections": "actu"}).sections == ("actu",)
    with pytest.raises(ArgumentError, match="has no default sections"):
        CrawlArguments.parse({"base_url": "https://journal.example", "sources": "sections"})


def test_franceinfo_stays_a_spider_for_franceinfo_only() -> None:
    assert FranceinfoSpider.validate_arguments({"base_url": "http://127.0.0.1:8080"}) is None
    assert "use `scrapy crawl news -a site=lemonde`" in FranceinfoSpider.validate_arguments({"site": "lemonde"})
    assert NewsSpider.validate_arguments({"site": "nope"}).startswith("unknown site 'nope'")


def test_one_run_lock_per_site_and_address_whichever_spider_runs_it() -> None:
    assert FranceinfoSpider.run_lock_name({}) == NewsSpider.run_lock_name({"site": "franceinfo"})
    assert NewsSpider.run_lock_name({}) == "franceinfo@https://www.francetvinfo.fr"
    assert NewsSpider.run_lock_name({"site": "lemonde"}) == "lemonde@https://www.lemonde.fr"
    assert NewsSpider.run_lock_name({"base_url": "https://Journal.example:443"}) == "generic@https://journal.example"


def test_feeds_and_section_pages_follow_the_sites_conventions() -> None:
    franceinfo, lemonde = SITES["franceinfo"], SITES["lemonde"]
    assert franceinfo.feeds_for(()) == ["/titres.rss"]
    assert franceinfo.feeds_for(("monde", "sports")) == ["/monde.rss", "/sports.rss"]
    assert lemonde.feeds_for(("pixels",)) == ["/pixels/rss_full.xml"]
    assert franceinfo.section_pages_for(())[0] == "/france/"
    assert GENERIC.section_pages_for(("actu",)) == ["/actu/"]


def test_news_sitemaps_are_told_from_archives_by_name() -> None:
    leparisien = SITES["leparisien"]
    assert leparisien.is_news_sitemap("https://www.leparisien.fr/arc/outboundfeeds/news-sitemap/?outputType=xml")
    assert not leparisien.is_news_sitemap("https://www.leparisien.fr/arc/outboundfeeds/sitemap-index/?outputType=xml")


def test_politeness_overrides_become_download_slots_for_the_hosts_crawled() -> None:
    polite = Site(key="x", base_url="https://www.x.fr", hosts=("www.x.fr",), download_delay=2.0, concurrency=1)
    assert polite.download_slots("http://127.0.0.1:9000") == {
        "127.0.0.1": {"delay": 2.0, "concurrency": 1},
        "www.x.fr": {"delay": 2.0, "concurrency": 1},
    }
    assert SITES["franceinfo"].download_slots("https://www.francetvinfo.fr") == {}
