"""Le Monde (www.lemonde.fr).

Its robots.txt names `/sitemap_news.xml` (the last two days) and
`/sitemap_index.xml` (monthly archives); one full feed per rubrique
(`/international/rss_full.xml`, `/rss/une.xml` for the front page). Articles
live under `/<rubrique>/article/YYYY/MM/DD/<slug>_<id>_<rubrique id>.html`, live
pages under `/live/`. The 2015 template signs in `.signature_article`, the 2019+
one in `.article__author-link` (less its `.author__desc` role); the rubrique is the
meta's, else the path's first segment.
"""

from crawler.read.generic import GenericArticlePage
from crawler.sites.base import COMMON_NOT_ARTICLE, Site


class LemondeArticlePage(GenericArticlePage):
    SOURCE = "lemonde"
    AUTHORS = ".signature_article [itemprop=author], .meta__author .article__author-link"
    AUTHORS_WITHOUT = ".author__desc"
    SECTION_FROM_PATH = True


SITE = Site(
    key="lemonde",
    base_url="https://www.lemonde.fr",
    choose_page=LemondeArticlePage,
    hosts=("www.lemonde.fr", "lemonde.fr"),
    host_aliases={"lemonde.fr": "www.lemonde.fr"},
    article_path=r"/(?:article|live)/\d{4}/\d{2}/\d{2}/[^/]+_\d+_\d+\.html$",
    not_article_prefixes=(*COMMON_NOT_ARTICLE, "/signataires/", "/journaliste/"),
    news_sitemaps=("/sitemap_news.xml",),
    archive_sitemaps=("/sitemap_index.xml",),
    feeds=("/rss/une.xml",),
    section_feed="/{section}/rss_full.xml",
    section_page="/{section}/",
    section_links="a.teaser__link[href], .teaser a[href], h3 a[href]",
    sections=(
        "international",
        "politique",
        "societe",
        "economie",
        "planete",
        "sport",
        "culture",
        "sciences",
        "pixels",
        "idees",
        "m-le-mag",
        "les-decodeurs",
    ),
    default_sections=("international", "politique", "societe", "economie"),
    render_always=(r"^/[^/]+/live/",),
    render_wait_selector="#post-container .post, .article__content",
    source_note="the site's robots.txt and feed pages (public); page markup from tests/read/pages/other-sites",
)
