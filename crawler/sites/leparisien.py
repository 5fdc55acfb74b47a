"""Le Parisien (www.leparisien.fr), an Arc XP site.

Its robots.txt names Arc's outbound feeds: the news sitemap
`/arc/outboundfeeds/news-sitemap/?outputType=xml` and the index
`/arc/outboundfeeds/sitemap-index/?outputType=xml`; the front-page feed is
`/arc/outboundfeeds/rss/?outputType=xml`, a rubrique's
`/arc/outboundfeeds/rss/category/<rubrique>/?outputType=xml`. Articles are
`/<rubrique>/[<sub>/]<slug>-DD-MM-YYYY-<26-character id>.php`.
"""

from crawler.read.generic import GenericArticlePage
from crawler.sites.base import Site


class LeparisienArticlePage(GenericArticlePage):
    """The breadcrumb names the section (JSON-LD's `articleSection` is an internal
    slug); a correspondent's role follows the name after a comma."""

    SOURCE = "leparisien"
    SECTION = ".tag_breadcrumb"

    def author_name(self, name: str) -> str:
        return name.split(",", 1)[0].strip()


SITE = Site(
    key="leparisien",
    base_url="https://www.leparisien.fr",
    choose_page=LeparisienArticlePage,
    hosts=("www.leparisien.fr", "leparisien.fr"),
    host_aliases={"leparisien.fr": "www.leparisien.fr"},
    article_path=r"-\d{2}-\d{2}-\d{4}-[A-Z0-9]{20,}\.php$",
    news_sitemaps=("/arc/outboundfeeds/news-sitemap/?outputType=xml",),
    archive_sitemaps=("/arc/outboundfeeds/sitemap-index/?outputType=xml",),
    feeds=("/arc/outboundfeeds/rss/?outputType=xml",),
    section_feed="/arc/outboundfeeds/rss/category/{section}/?outputType=xml",
    section_page="/{section}/",
    sections=(
        "politique",
        "economie",
        "societe",
        "faits-divers",
        "international",
        "sports",
        "culture-loisirs",
        "environnement",
        "paris-75",
        "seine-saint-denis-93",
        "hauts-de-seine-92",
        "val-de-marne-94",
    ),
    default_sections=("politique", "economie", "societe", "faits-divers"),
    source_note="the site's robots.txt and Arc XP's outbound-feed conventions (public); page markup from tests/read/pages",
)
