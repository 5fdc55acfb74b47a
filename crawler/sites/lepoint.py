"""Le Point (www.lepoint.fr).

Its robots.txt names `/sitemap-news.xml` and `/sitemap.xml` (an index); feeds are
`/rss.xml` and `/<rubrique>/rss.xml`. Articles are
`/<rubrique>/<slug>-DD-MM-YYYY-<id>_<rubrique id>.php`. The meta `author` often
names the magazine, not a journalist: what the page signs is what is stored.
"""

from crawler.read.generic import GenericArticlePage
from crawler.sites.base import Site


class LepointArticlePage(GenericArticlePage):
    """The signature (`SigatureAuthorNames`, so spelt) and the breadcrumb say what
    the meta do not: who wrote it, under which rubrique."""

    SOURCE = "lepoint"
    AUTHORS = ".SigatureAuthorNames"
    SECTION = ".BreadcrumbList .ListItem"


SITE = Site(
    key="lepoint",
    base_url="https://www.lepoint.fr",
    choose_page=LepointArticlePage,
    hosts=("www.lepoint.fr", "lepoint.fr"),
    host_aliases={"lepoint.fr": "www.lepoint.fr"},
    article_path=r"-\d{2}-\d{2}-\d{4}-\d+_\d+\.php$",
    news_sitemaps=("/sitemap-news.xml",),
    archive_sitemaps=("/sitemap.xml",),
    feeds=("/rss.xml",),
    section_feed="/{section}/rss.xml",
    section_page="/{section}/",
    sections=("politique", "monde", "economie", "societe", "culture", "sport", "sciences-nature", "sante", "debats"),
    default_sections=("politique", "monde", "economie", "societe"),
    source_note="the site's robots.txt and feed page (public); page markup from tests/read/pages/other-sites",
)
