"""franceinfo (www.francetvinfo.fr): the site the crawler was built for.

Discovery as the site publishes it (docs/FRANCEINFO.md): robots.txt lists the
news sitemap (latest articles) and the sitemap index (daily archives); a feed per
section (`/monde.rss`, `/titres.rss` for all); section pages with article cards
and `<link rel="next">`. Live pages are drawn by scripts: they go to the browser.
"""

from crawler.read import franceinfo as pages
from crawler.sites.base import Site

SECTIONS = (
    "france", "politique", "societe", "faits-divers", "justice", "monde", "afrique", "ameriques", "europe",
    "proche-orient", "environnement", "tendances", "entreprises", "marches", "immobilier", "economie", "sports",
    "foot", "rugby", "f1", "decouverte", "sciences", "sante", "animaux", "bizarre", "culture", "medias", "cinema",
    "musique", "internet", "elections", "meteo",
)  # fmt: skip

SITE = Site(
    key="franceinfo",
    base_url="https://www.francetvinfo.fr",
    choose_page=pages.choose_page,
    hosts=pages.HOSTS,
    host_aliases=pages.HOST_ALIASES,
    article_path=r"_\d+\.(?:html|amp)/?$",
    not_article_prefixes=("/tag/", "/tags/", "/redaction/", "/auteur/", "/esi-block/", "/recherche", "/_"),
    news_sitemaps=("/sitemap_news.xml",),
    archive_sitemaps=("/sitemap_index.xml",),
    feeds=("/titres.rss",),
    section_feed="/{section}.rss",
    section_page="/{section}/",
    section_links=(
        "a[class*='card-article'][href], article[class*='card-article'] a[href], "
        ".card-article-m__link, .card-article-l__link, .card-article-list-s__link"
    ),
    sections=SECTIONS,
    default_sections=("france", "politique", "societe", "monde", "economie", "sports", "culture", "sciences", "sante"),
    render_always=(r"/direct-[^/]*_\d+\.html$",),
    render_wait_selector=".c-body > *, .c-live__posts > *",
    source_note="docs/FRANCEINFO.md: gathered from public scrapers of the site and its saved pages",
)
