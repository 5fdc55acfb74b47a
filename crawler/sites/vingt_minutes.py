"""20 Minutes (www.20minutes.fr).

Its robots.txt names `/sitemap-news.xml` and `/sitemap-index.xml`; feeds are
`/feeds/rss-une.xml` and one per rubrique (`/feeds/rss-monde.xml`). Articles are
`/<rubrique>/[<sub>/]<id>-<YYYYMMDD>-<slug>`, with no extension; live pages are
served whole. Topics are listed in the `news_keywords` meta tag.
"""

from crawler.read.generic import GenericArticlePage
from crawler.sites.base import Site


class VingtMinutesArticlePage(GenericArticlePage):
    SOURCE = "20minutes"
    KEYWORDS_META = "news_keywords"
    AUTHORS = "address.authorsign .authorsign-label"


SITE = Site(
    key="20minutes",
    base_url="https://www.20minutes.fr",
    choose_page=VingtMinutesArticlePage,
    hosts=("www.20minutes.fr", "20minutes.fr"),
    host_aliases={"20minutes.fr": "www.20minutes.fr"},
    article_path=r"/\d{5,}-\d{8}-[^/]+$",
    news_sitemaps=("/sitemap-news.xml",),
    archive_sitemaps=("/sitemap-index.xml",),
    feeds=("/feeds/rss-une.xml",),
    section_feed="/feeds/rss-{section}.xml",
    section_page="/{section}/",
    section_links="article a[href], a.teaser-link[href]",
    sections=(
        "france",
        "monde",
        "societe",
        "politique",
        "economie",
        "sport",
        "culture",
        "sante",
        "planete",
        "high-tech",
        "paris",
        "lyon",
        "marseille",
        "toulouse",
        "bordeaux",
        "lille",
        "nantes",
        "faits_divers",
    ),
    default_sections=("france", "monde", "societe", "politique"),
    source_note="the site's robots.txt and feed list (public); page markup from tests/read/pages/other-sites",
)
