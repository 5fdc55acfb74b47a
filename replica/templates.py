"""Every page, feed and sitemap the replica serves, rendered to bytes.

All markup lives here so a template change (or a new page type, such as a
client-rendered live page) is made in one module. Article markup follows the
2021–2026 franceinfo template that `crawler/read/franceinfo.py` reads: keep
class names in sync with it and with the fixtures in `tests/read/pages/franceinfo/`.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

from replica import words
from replica.chrome import chrome
from replica.content import Content, slugify
from replica.dates import clock_time, display, iso, iso_compact, rfc822
from replica.model import Article, section_page_path

if TYPE_CHECKING:
    from replica.model import ReplicaSite

PLACEHOLDER = "/assets/common/images/placeholder-36b69ec8.png"
LOGO = "/assets/common/images/logos/franceinfo-b8b1b6a0.png"
MAIN_JS = '<script src="/assets/common/js/main-2f1c7d3e.js" defer></script>'
FUTURE_SHIFT_S = 400 * 86400
HUGE_SIZE = 6_000_000


def _ld(data: dict) -> str:
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _relative(url: str, base: str) -> str:
    return url[len(base) :] if url.startswith(base + "/") else url


def _section_label(article: Article) -> tuple[str, str]:
    label, subsections = words.SECTIONS[article.section]
    return label, subsections[article.subsection]


def _duration(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"PT{minutes}M{secs}S" if minutes else f"PT{secs}S"


# -- article pages ---------------------------------------------------------------


class _ArticleView:
    """What an article page shows, with the quirks that change it applied."""

    def __init__(self, site: ReplicaSite, article: Article, base: str) -> None:
        self.site = site
        self.article = article
        self.base = base
        self.content: Content = site.content(article)
        self.canonical = f"{base}{article.path}"
        self.title = "" if article.quirk == "no_title" else article.title
        shift = FUTURE_SHIFT_S if article.quirk == "future_date" else 0
        self.published = article.published + shift
        self.modified = article.modified + shift
        self.section_label, self.subsection_label = _section_label(article)
        self.previous = site.previous_in_section(article)
        self.drifted = site.drifted(article)

    def image(self, size: str = "752x423") -> str:
        return self.base + self.content.image.path.replace("752x423", size)

    @property
    def keywords(self) -> str:
        return ", ".join([*self.content.tags, self.section_label])


def _head_meta(view: _ArticleView) -> str:
    content, article = view.content, view.article
    og_type = "video.other" if article.kind == "video" else "article"
    title_tag = f"VIDEO. {view.title}" if article.kind == "video" and view.title else view.title
    parts = [
        f"<title>{escape(title_tag)}</title>",
        f'<meta name="description" content="{escape(content.standfirst)}">',
        '<meta name="robots" content="index, follow, noarchive">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<link rel="canonical" href="{view.canonical}">',
        f'<link rel="amphtml" href="{view.base}{article.amp_path}">',
        f'<meta property="og:type" content="{og_type}">',
        '<meta property="og:site_name" content="Franceinfo">',
        '<meta property="og:locale" content="fr_FR">',
    ]
    if view.title:
        parts.append(f'<meta property="og:title" content="{escape(view.title)}">')
    parts += [
        f'<meta property="og:description" content="{escape(content.standfirst)}">',
        f'<meta property="og:url" content="{view.canonical}">',
        f'<meta property="og:image" content="{view.image("1200x675")}">',
        f'<meta property="article:published_time" content="{iso(view.published)}">',
        f'<meta property="article:modified_time" content="{iso(view.modified)}">',
        f'<meta property="article:section" content="{escape(view.section_label)}">',
        *(f'<meta property="article:tag" content="{escape(tag)}">' for tag in content.tags),
        '<meta property="twitter:card" content="summary_large_image">',
        '<meta property="twitter:site" content="@franceinfo">',
    ]
    return "\n".join(parts)


def _publisher(base: str) -> dict:
    return {"@type": "Organization", "name": "Franceinfo", "logo": {"@type": "ImageObject", "url": base + LOGO}}


def _news_article_ld(view: _ArticleView) -> dict:
    content = view.content
    data: dict = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": view.canonical},
        "headline": view.title,
        "description": content.standfirst,
        "datePublished": iso_compact(view.published),
        "dateModified": iso_compact(view.modified),
        "image": [
            {"@type": "ImageObject", "url": view.image(size), "width": int(size[:4]), "height": int(size[5:])}
            for size in ("1200x675", "1200x900", "1200x1200")
        ],
        "Publisher": _publisher(view.base),
        "author": {"@type": "Person", "name": content.desk},
        "keywords": view.keywords,
        "wordcount": content.wordcount,
        "articleBody": content.first_sentence,
        "isAccessibleForFree": "True",
    }
    if not view.title:
        del data["headline"]
    if view.drifted == "lead":
        del data["description"]
    if view.drifted == "authors":
        del data["author"]
    return data


def _live_ld(view: _ArticleView) -> dict:
    content = view.content
    return {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": view.canonical},
        "headline": view.title,
        "description": content.standfirst,
        "datePublished": iso_compact(view.published),
        "dateModified": iso_compact(view.modified),
        "coverageStartTime": iso_compact(view.published),
        "image": [{"@type": "ImageObject", "url": view.image("1200x675"), "width": 1200, "height": 675}],
        "Publisher": _publisher(view.base),
        "author": {"@type": "Person", "name": content.desk},
        "keywords": view.keywords,
    }


def _video_ld(view: _ArticleView) -> dict:
    video = view.content.video
    assert video is not None
    return {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": view.title,
        "description": view.content.standfirst,
        "uploadDate": iso_compact(view.published),
        "duration": _duration(video.duration_s),
        "embedUrl": f"https://embed.francetv.fr/?ue={video.uuid}",
        "thumbnailUrl": view.base + video.thumbnail_path,
    }


def _breadcrumb_ld(view: _ArticleView) -> dict:
    trail = [
        (f"{view.base}/", "Franceinfo"),
        (f"{view.base}/{view.article.section}/", view.section_label),
        (f"{view.base}/{view.article.section}/{view.article.subsection}/", view.subsection_label),
    ]
    return {
        "@context": "http://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "item": {"@id": url, "name": name}}
            for n, (url, name) in enumerate(trail, start=1)
        ],
    }


def _dates(view: _ArticleView) -> str:
    published = (
        f'<span class="publication-date__published">Publié <time datetime="{iso(view.published)}">'
        f"{display(view.published)}</time></span>"
    )
    modified = ""
    if view.article.revision > 1:
        modified = (
            f'<span class="publication-date__modified">Mis à jour <time class="publication-date__time" '
            f'datetime="{iso(view.modified)}">{display(view.modified)}</time></span>'
        )
    return f'<div class="c-time"><div class="publication-date">{published}{modified}</div></div>'


def _signature(view: _ArticleView) -> str:
    content = view.content
    desk_slug = slugify(content.desk)
    return (
        '<div class="c-signature-wrapper"><section class="c-signature">'
        '<span class="text-only-for-screen-reader">Article rédigé par </span>'
        '<div class="c-signature__authors">'
        f'<div class="{"c-byline__people" if view.drifted == "authors" else "c-signature__names"}">'
        f"<span>{escape(', '.join(content.signers))}</span> - "
        f'<a href="/redaction/{desk_slug}/" class="author-link">{escape(content.desk)}</a></div>'
        '<div class="c-signature__group-team-wrapper"><span class="c-signature__groups">France Télévisions</span>'
        "</div></div></section></div>"
    )


def _cover(view: _ArticleView) -> str:
    image = view.content.image
    alt = escape(image.alt)
    src = view.image()
    caption = f'<figcaption class="c-cover__caption">{escape(image.caption)}</figcaption>' if image.caption else ""
    return (
        '<div class="c-cover c-cover--media"><figure class="c-cover__figure"><picture class="picture-wrapper">'
        f'<img class="lazyload" src="{view.base}{PLACEHOLDER}" data-src="{src}" alt="{alt}" width="752" height="423">'
        f'<noscript><img src="{src}" alt="{alt}" width="752" height="423"></noscript>'
        f"</picture>{caption}</figure></div>"
    )


def _social(view: _ArticleView) -> str:
    buttons = "".join(
        f'<button class="social {network} social--medium ftvi-click" title="{label}" '
        f'data-click-value="content::share::{network}::{view.article.path}">'
        f'<span aria-hidden="true" class="social__title--hidden">{label}</span></button>'
        for network, label in (
            ("twitter", "Partager sur Twitter"),
            ("facebook", "Partager sur Facebook"),
            ("email", "Partager par mail"),
        )
    )
    return (
        '<section class="social-zone"><a class="ftvi-btn social-zone__comments-btn" href="#comments">'
        '<span class="ftvi-btn__label">Voir les commentaires</span></a>'
        f'<div class="social-zone__wrapper"><p class="social-zone__sentence">Partager\u00a0:</p>{buttons}</div></section>'
    )


def _body(view: _ArticleView) -> str:
    blocks = view.content.blocks
    paragraph_total = sum(1 for tag, _ in blocks if tag == "p")
    out = []
    seen = 0
    for tag, value in blocks:
        if tag == "h2":
            out.append(f'<h2 class="subheader">{escape(value)}</h2>')
            continue
        if paragraph_total >= 4 and seen == paragraph_total - 1:
            out.append(
                '<div class="newsletter-box"><p class="newsletter-box__title">Recevez l’essentiel de l’actualité</p>'
                "<p>Inscrivez-vous à la newsletter franceinfo.</p></div>"
            )
        out.append(f"<p>{escape(value)}</p>")
        seen += 1
        if seen == 1 and paragraph_total >= 3:
            out.append('<div class="ad-wrapper"><div id="ad-inread" class="ad">Publicité</div></div>')
        if seen == 2 and view.previous is not None:
            out.append(
                '<div class="a-lire-aussi"><span class="a-lire-aussi__label">Lire aussi</span>'
                f'<a class="a-lire-aussi__link" href="{view.previous.path}">{escape(view.previous.title)}</a></div>'
            )
    return f'<div class="c-body">{"".join(out)}</div>'


#: Client-side rendering, as the real site does for live posts: the page ships an
#: empty container and a script that fetches its content after load.
LIVE_POSTS_JS = """<script>(function () {
  var box = document.querySelector('.c-live__posts');
  var esc = function (t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; };
  fetch(box.dataset.liveUrl).then(function (r) { return r.json(); }).then(function (posts) {
    box.innerHTML = posts.map(function (p) {
      return '<article class="c-live-post" id="post-' + p.number + '"><time class="c-live-post__time" datetime="' +
        p.datetime + '">' + p.clock + '</time><h2 class="c-live-post__title">' + esc(p.title) +
        '</h2><div class="c-live-post__content"><p>' + esc(p.text) + '</p></div></article>';
    }).join('');
  });
})();</script>"""
BODY_JS = """<script>(function () {
  var body = document.querySelector('.c-body[data-client-rendered]');
  var esc = function (t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; };
  fetch(body.dataset.bodyUrl).then(function (r) { return r.json(); }).then(function (blocks) {
    body.innerHTML = blocks.map(function (b) {
      return b[0] === 'h2' ? '<h2 class="subheader">' + esc(b[1]) + '</h2>' : '<p>' + esc(b[1]) + '</p>';
    }).join('');
  });
})();</script>"""


def live_posts_json(site: ReplicaSite, article: Article) -> bytes:
    """What `/_live/<id>.json` answers: the posts, newest first."""
    posts = site.content(article).live_posts
    return json.dumps(
        [
            {"number": p.number, "datetime": iso(p.ts), "clock": clock_time(p.ts), "title": p.title, "text": p.text}
            for p in posts
        ],
        ensure_ascii=False,
    ).encode()


def body_json(site: ReplicaSite, article: Article) -> bytes:
    """What `/_body/<id>.json` answers: the body blocks of a client-rendered article."""
    return json.dumps(list(site.content(article).blocks), ensure_ascii=False).encode()


def _live_posts(view: _ArticleView) -> str:
    url = f"/_live/{view.article.id}.json"
    return f'<div class="c-live"><div class="c-live__posts" data-live-url="{url}"></div></div>{LIVE_POSTS_JS}'


def _client_body(view: _ArticleView) -> str:
    url = f"/_body/{view.article.id}.json"
    return f'<div class="c-body" data-client-rendered="true" data-body-url="{url}"></div>{BODY_JS}'


def _tags(view: _ArticleView) -> str:
    links = "".join(
        f'<a class="related-tags__tag ftvi-btn" href="/tag/{slugify(tag)}/"><span class="ftvi-btn__label">{escape(tag)}</span></a>'
        for tag in view.content.tags
    )
    return f'<section class="related-tags">{links}</section>'


def _a_regarder(view: _ArticleView) -> str:
    items = []
    teasers = words.VIDEO_TEASERS
    for n in range(12):
        teaser = teasers[(view.article.id + n) % len(teasers)]
        href = f"/replay-jt/france-2/20-heures/video-{slugify(teaser)}_{9_100_000 + (view.article.id + n) % len(teasers)}.html"
        items.append(
            f'<li class="a-regarder__item"><a class="card-video ftvi-click" href="{href}" '
            f'data-click-value="content::a-regarder::{n + 1}">'
            f'<img class="card-video__img lazyload" src="{view.base}{PLACEHOLDER}" '
            f'data-src="{view.base}/pictures/tb{n:02d}/320x180/thumb-{n}.jpg" alt="">'
            f'<span class="card-video__title">{escape(teaser)}</span></a></li>'
        )
    return (
        '<section class="a-regarder" data-esi-url="/esi-block/a-regarder"><h2 class="a-regarder__title">À regarder</h2>'
        f'<ul class="a-regarder__list">{"".join(items)}</ul></section>'
    )


COMMENTS = (
    '<section id="comments" class="comments"><h2 class="comments__title">Commentaires</h2>'
    '<p class="comments__login">Connectez-vous ou créez votre espace franceinfo pour commenter.</p>'
    '<p class="comments__account">Déjà un compte ? <a class="comments__link" href="/connexion/">Se connecter</a></p>'
    "</section>"
)


def _breadcrumb_nav(view: _ArticleView) -> str:
    trail = [
        ("/", "Accueil"),
        (f"/{view.article.section}/", view.section_label),
        (f"/{view.article.section}/{view.article.subsection}/", view.subsection_label),
    ]
    items = "".join(
        f'<li class="breadcrumb__item"><a class="breadcrumb__link" href="{href}">{escape(name)}</a></li>'
        for href, name in trail
    )
    return f'<nav class="breadcrumb" aria-label="Fil d’Ariane"><ol class="breadcrumb__list">{items}</ol></nav>'


def _main(view: _ArticleView) -> str:
    article = view.article
    title = f'<h1 class="c-title"><span class="c-title__main">{escape(view.title)}</span></h1>'
    chapo_class = "c-article-intro" if view.drifted == "lead" else "c-chapo"
    chapo = f'<p class="{chapo_class}">{escape(view.content.standfirst)}</p>'
    rails = _tags(view) + _a_regarder(view) + COMMENTS
    if article.kind == "live":
        inner = (
            '<article class="page-content content-live" id="js--content">'
            f"{title}{_dates(view)}{_signature(view)}{chapo}{_live_posts(view)}{rails}</article>"
        )
    elif article.kind == "video":
        video = view.content.video
        assert video is not None
        inner = (
            f'<div class="hero-video"><figure class="francetv-player-wrapper" id="{video.uuid}">'
            f'<img src="{view.base}{video.thumbnail_path}" alt="{escape(view.title)}"></figure>'
            f'<h1 class="hero-video__title">{escape(view.title)}</h1></div>'
            '<article class="page-content content content--video" id="js--content">'
            f"{_dates(view)}{_signature(view)}{chapo}{_body(view)}{rails}</article>"
        )
    else:
        body = _client_body(view) if view.site.is_client_rendered(article) else _body(view)
        inner = (
            '<article class="page-content content content--classic" id="js--content">'
            f"{title}{_dates(view)}{_signature(view)}{chapo}{_cover(view)}{_social(view)}{body}{rails}</article>"
        )
    return f'<main id="base-page__main-content" class="base-page__main-content">{inner}</main>'


def article_page(site: ReplicaSite, article: Article, base: str) -> bytes:
    """The full desktop page, padded with chrome to 250–350 KB (6 MB for `huge`)."""
    view = _ArticleView(site, article, base)
    parts = chrome()
    if article.kind == "live":
        documents = [_live_ld(view), _breadcrumb_ld(view)]
    elif article.kind == "video":
        documents = [_video_ld(view), _news_article_ld(view), _breadcrumb_ld(view)]
    else:
        documents = [_news_article_ld(view), _breadcrumb_ld(view)]
    charset = "iso-8859-1" if article.quirk == "wrong_encoding" else "utf-8"
    page_config = json.dumps({"page": {"type": article.kind, "id": article.id, "section": article.section}})
    head = (
        f'<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n<meta charset="{charset}">\n{_head_meta(view)}\n'
        f"{''.join(_ld(document) for document in documents)}\n"
    ).encode()
    head_end = f'<script>window.FTVI = {page_config};</script>\n</head>\n<body class="page-article">\n'.encode()
    main = (_main(view) + _breadcrumb_nav(view)).encode()
    tail = f"{MAIN_JS}\n</body>\n</html>\n".encode()
    pieces = [
        head,
        parts.style,
        parts.config,
        head_end,
        parts.didomi,
        parts.svg,
        parts.header,
        main,
        parts.footer,
    ]
    target = HUGE_SIZE if article.quirk == "huge" else 252_000 + (article.id * 7919) % 94_000
    used = sum(map(len, pieces)) + len(tail)
    return b"".join([*pieces, parts.state(target - used), tail])


def amp_page(site: ReplicaSite, article: Article, base: str) -> bytes:
    """The lighter AMP variant: different markup, canonical pointing at the desktop page."""
    view = _ArticleView(site, article, base)
    content = view.content
    paragraphs = [value for _, value in content.blocks] or [f"{post.title}. {post.text}" for post in content.live_posts]
    body = "".join(f"<p>{escape(value)}</p>" for value in paragraphs)
    ld = _live_ld(view) if article.kind == "live" else _news_article_ld(view)
    page = (
        '<!doctype html>\n<html amp lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(view.title)}</title>\n"
        f'<link rel="canonical" href="{view.canonical}">\n'
        '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
        "animation:-amp-start 8s steps(1,end) 0s 1 normal both}</style>\n"
        f"{chrome().amp_style.decode()}\n{_ld(ld)}\n</head>\n<body>\n"
        '<header class="amp-header"><a href="/">franceinfo</a></header>\n'
        f'<main><article class="amp-article"><h1 class="amp-article__title">{escape(view.title)}</h1>'
        f'<p class="amp-article__chapo">{escape(content.standfirst)}</p>'
        f'<p class="amp-article__date">Publié {display(view.published)}</p>'
        f'<amp-img src="{view.image()}" width="752" height="423" layout="responsive" alt="{escape(content.image.alt)}"></amp-img>'
        f'<div class="amp-article__body">{body}</div></article></main>\n'
        '<footer class="amp-footer"><a href="/mentions-legales/">Mentions légales</a></footer>\n</body>\n</html>\n'
    )
    return page.encode()


# -- listings --------------------------------------------------------------------


def _card(site: ReplicaSite, article: Article, base: str, position: int) -> str:
    href = escape(_relative(site.link(article, base), base))
    title = escape(article.title)
    when = f'<time datetime="{iso(article.published)}">{display(article.published)}</time>'
    if position < 2:
        kind = "card-article-l"
    elif position < 8:
        kind = "card-article-m"
    else:
        return (
            f'<li class="card-article-list-s"><a class="card-article-list-s__link" href="{href}">'
            f'<span class="card-article-list-s__title">{title}</span>{when}</a></li>'
        )
    image = site.content(article).image.path
    return (
        f'<article class="{kind}"><a class="{kind}__link" href="{href}">'
        f'<figure class="{kind}__image"><img class="lazyload" src="{base}{PLACEHOLDER}" data-src="{base}{image}" alt=""></figure>'
        f'<div class="{kind}__content"><p class="{kind}__title">{title}</p>{when}</div></a></article>'
    )


def _not_articles(section: str | None) -> str:
    """Links on listings that are not articles: tags, authors, a video rail, other sites."""
    topics = words.TOPICS[section] if section else [topic for topics in words.TOPICS.values() for topic in topics[:2]]
    tags = "".join(
        f'<li><a class="tag-link" href="/tag/{slugify(topic)}/">{escape(topic)}</a></li>' for topic in topics
    )
    authors = "".join(
        f'<li><a class="author-link" href="/redaction/{slugify(desk)}/">{escape(desk)}</a></li>' for desk in words.DESKS
    )
    videos = "".join(
        f'<li><a class="card-video" href="/replay-jt/france-2/20-heures/video-{slugify(teaser)}_{9_100_000 + n}.html">'
        f'<span class="card-video__title">{escape(teaser)}</span></a></li>'
        for n, teaser in enumerate(words.VIDEO_TEASERS[:8])
    )
    partners = "".join(
        f'<li><a class="partner-link" href="{href}" rel="noopener">{label}</a></li>'
        for href, label in (
            ("https://www.france.tv/france-2/journal-20h00/", "Le JT de 20h sur france.tv"),
            ("https://www.radiofrance.fr/franceinter/podcasts", "Podcasts France Inter"),
            ("https://la1ere.francetvinfo.fr/", "La 1ère"),
        )
    )
    return (
        f'<section class="section-page__tags"><h2>Sujets</h2><ul>{tags}</ul></section>'
        f'<section class="section-page__authors"><h2>La rédaction</h2><ul>{authors}</ul></section>'
        f'<aside class="videos-rail"><h2>Vidéos</h2><ul>{videos}</ul></aside>'
        f'<section class="partners"><h2>Nos partenaires</h2><ul>{partners}</ul></section>'
    )


def listing_page(
    site: ReplicaSite,
    base: str,
    *,
    heading: str,
    root: str,
    articles: list[Article],
    page: int = 1,
    pages: int = 1,
    section: str | None = None,
) -> bytes:
    """A section page (or the home page, or the live hub): 20 cards newest first, paginated."""

    links = [f'<link rel="canonical" href="{base}{section_page_path(root, page)}">']
    if page > 1:
        links.append(f'<link rel="prev" href="{base}{section_page_path(root, page - 1)}">')
    if page < pages:
        links.append(f'<link rel="next" href="{base}{section_page_path(root, page + 1)}">')
    cards_l_m = "".join(_card(site, a, base, n) for n, a in enumerate(articles[:8]))
    cards_s = "".join(_card(site, a, base, n) for n, a in enumerate(articles[8:], start=8))
    pager = []
    if page > 1:
        pager.append(
            f'<a class="pagination__prev" rel="prev" href="{section_page_path(root, page - 1)}">Page précédente</a>'
        )
    for number in range(max(1, page - 2), min(pages, page + 2) + 1):
        current = ' aria-current="page"' if number == page else ""
        pager.append(f'<a class="pagination__link" href="{section_page_path(root, number)}"{current}>{number}</a>')
    if page < pages:
        pager.append(
            f'<a class="pagination__next" rel="next" href="{section_page_path(root, page + 1)}">Page suivante</a>'
        )
    subsections = ""
    if section:
        subsections = "".join(
            f'<li><a class="section-page__subsection" href="/{section}/{sub}/">{escape(label)}</a></li>'
            for sub, label in words.SECTIONS[section][1].items()
        )
    parts = chrome()
    suffix = f" - page {page}" if page > 1 else ""
    head = (
        '<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(heading)}{suffix} - franceinfo</title>\n"
        '<meta name="robots" content="index, follow, noarchive">\n'
        f"{''.join(links)}\n"
    ).encode()
    main = (
        f'<main id="base-page__main-content" class="base-page__main-content"><div class="section-page">'
        f'<h1 class="section-page__title">{escape(heading)}</h1><ul class="section-page__subsections">{subsections}</ul>'
        f'<section class="section-page__cards">{cards_l_m}<ul class="list-s">{cards_s}</ul></section>'
        f'{_not_articles(section)}<nav class="pagination" aria-label="Pagination">{"".join(pager)}</nav></div></main>'
    ).encode()
    return b"".join(
        [
            head,
            parts.style,
            b'</head>\n<body class="page-section">\n',
            parts.didomi,
            parts.svg,
            parts.header,
            main,
            parts.footer,
            MAIN_JS.encode(),
            b"\n</body>\n</html>\n",
        ]
    )


def simple_page(title: str, message: str) -> bytes:
    """Tag, author, replay and error pages: small, with no article links."""
    return (
        '<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} - franceinfo</title>\n</head>\n<body>\n"
        f'<main id="base-page__main-content"><h1>{escape(title)}</h1><p>{escape(message)}</p>'
        '<p><a href="/">Retour à l’accueil</a></p></main>\n</body>\n</html>\n'
    ).encode()


# -- robots, sitemaps, feeds ----------------------------------------------------


def robots_txt(base: str) -> bytes:
    return (
        "User-agent: *\nDisallow: /esi-block/\nDisallow: /_replica/\nDisallow: /connexion/\nAllow: /\n\n"
        f"Sitemap: {base}/sitemap_index.xml\n"
    ).encode()


_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sitemap_index(base: str, news_lastmod: int | None, days: list[tuple[str, int]]) -> bytes:
    """The news sitemap first, then one archive sitemap per day, newest first."""
    entries = []
    if news_lastmod is not None:
        entries.append(f"<sitemap><loc>{base}/sitemap_news.xml</loc><lastmod>{iso(news_lastmod)}</lastmod></sitemap>")
    entries += [
        f"<sitemap><loc>{base}/sitemaps/articles-{day}.xml</loc><lastmod>{iso(lastmod)}</lastmod></sitemap>"
        for day, lastmod in days
    ]
    return (
        f'{_XML}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(entries)
    ).encode() + b"\n</sitemapindex>\n"


def news_sitemap(base: str, articles: list[Article]) -> bytes:
    entries = [
        f"<url><loc>{base}{a.path}</loc><lastmod>{iso(a.modified)}</lastmod><news:news><news:publication>"
        "<news:name>Franceinfo</news:name><news:language>fr</news:language></news:publication>"
        f"<news:publication_date>{iso(a.published)}</news:publication_date>"
        f"<news:title>{escape(a.title, quote=False)}</news:title></news:news></url>"
        for a in articles
    ]
    return (
        f'{_XML}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "\n".join(entries) + "\n</urlset>\n"
    ).encode()


def archive_sitemap(base: str, articles: list[Article]) -> bytes:
    entries = [f"<url><loc>{base}{a.path}</loc><lastmod>{iso(a.modified)}</lastmod></url>" for a in articles]
    return (
        f'{_XML}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(entries) + "\n</urlset>\n"
    ).encode()


def rss(site: ReplicaSite, base: str, feed: str, label: str, articles: list[Article], now: int) -> bytes:
    """RSS 2.0 as franceinfo writes it: CDATA descriptions, +0100/+0200 dates, `#xtor` links."""
    home = f"{base}/" if feed == "titres" else f"{base}/{feed}/"
    items = []
    for article in articles:
        content = site.content(article)
        category = words.SECTIONS[article.section][0]
        items.append(
            f"<item><title>{escape(article.title, quote=False)}</title>"
            f"<link>{escape(site.link(article, base), quote=False)}#xtor=RSS-3-[{feed}]</link>"
            f"<description><![CDATA[{content.standfirst}]]></description>"
            f"<pubDate>{rfc822(article.published)}</pubDate>"
            f'<guid isPermaLink="true">{base}{article.path}</guid>'
            f"<category>{escape(category)}</category>"
            f'<enclosure url="{base}{content.image.path}" type="image/jpeg" length="{40000 + article.id % 50000}"/>'
            "</item>"
        )
    return (
        f'{_XML}<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">\n'
        f"<channel><title>Franceinfo - {escape(label)}</title><link>{home}</link>"
        f"<description>Franceinfo - {escape(label)} : toute l’actualité en direct</description>"
        f"<language>fr-FR</language><lastBuildDate>{rfc822(now)}</lastBuildDate>"
        f'<atom:link href="{base}/{feed}.rss" rel="self" type="application/rss+xml"/>'
        f"<image><url>{base}{LOGO}</url><title>Franceinfo - {escape(label)}</title><link>{home}</link></image>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    ).encode()
