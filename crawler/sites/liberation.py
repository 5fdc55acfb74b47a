"""Libération (www.liberation.fr), an Arc XP site since 2020.

Its robots.txt names `/arc/outboundfeeds/sitemap-news/?outputType=xml` and
`/arc/outboundfeeds/sitemap-index/?outputType=xml`; the full feed is
`/arc/outboundfeeds/rss-all/?outputType=xml`, a rubrique's
`/arc/outboundfeeds/rss-all/category/<rubrique>/?outputType=xml`. Articles are
`/<rubrique>/[<sub>/]<slug>_<26-character id>/` today, and were
`/<rubrique>/YYYY/MM/DD/<slug>_<id>` before; both are read.
"""

from crawler.read.generic import GenericArticlePage
from crawler.sites.base import Site


class LiberationArticlePage(GenericArticlePage):
    SOURCE = "liberation"
    AUTHORS = ".banner-headline .info [itemprop~=author] [itemprop=name], .article-header .author a"


SITE = Site(
    key="liberation",
    base_url="https://www.liberation.fr",
    choose_page=LiberationArticlePage,
    hosts=("www.liberation.fr", "liberation.fr"),
    host_aliases={"liberation.fr": "www.liberation.fr"},
    article_path=r"(?:_[A-Z0-9]{20,}|/\d{4}/\d{2}/\d{2}/[^/]+_\d+)/?$",
    news_sitemaps=("/arc/outboundfeeds/sitemap-news/?outputType=xml",),
    archive_sitemaps=("/arc/outboundfeeds/sitemap-index/?outputType=xml",),
    feeds=("/arc/outboundfeeds/rss-all/?outputType=xml",),
    section_feed="/arc/outboundfeeds/rss-all/category/{section}/?outputType=xml",
    section_page="/{section}/",
    sections=("politique", "international", "economie", "societe", "culture", "sports", "environnement", "idees"),
    default_sections=("politique", "international", "economie", "societe"),
    source_note="the site's robots.txt and Arc XP's outbound-feed conventions (public); page markup from tests/read/pages",
)
