"""The heavy, article-independent parts of a page: styles, SVG sprite, mega-menu,
footer, consent banner and inline script state.

Real franceinfo pages weigh 250–350 KB, mostly this chrome. It is built once
per process from a fixed seed and kept as bytes, so a page render only joins
it with the few KB that are specific to the article. Links here are relative
and point to section pages, tag/author pages and other sites, never to articles.
"""

from __future__ import annotations

import bisect
import json
import random
from functools import cache

from replica import words
from replica.content import slugify

_BLOCKS = [
    "header",
    "mega-menu",
    "c-title",
    "c-chapo",
    "c-body",
    "c-cover",
    "c-signature",
    "c-time",
    "publication-date",
    "related-tags",
    "a-regarder",
    "card-video",
    "card-article-m",
    "card-article-l",
    "card-article-list-s",
    "social-zone",
    "ftvi-btn",
    "footer",
    "breadcrumb",
    "newsletter-box",
    "a-lire-aussi",
    "ad-wrapper",
    "comments",
    "c-live",
    "c-live-post",
    "hero-video",
    "section-page",
    "pagination",
    "didomi-notice",
    "video-info",
]
_ELEMENTS = ["", "__title", "__link", "__img", "__list", "__item", "__wrapper", "__label", "__icon", "__content"]
_MODIFIERS = ["", "--active", "--large", "--dark"]
_PROPS = [
    "display:flex",
    "display:block",
    "position:relative",
    "margin:0 0 12px",
    "padding:4px 8px",
    "color:#1c1c1c",
    "color:#fff",
    "background-color:#0a32ff",
    "font:400 16px/1.4 Brown,Arial,sans-serif",
    "font-weight:700",
    "text-transform:uppercase",
    "border-bottom:1px solid #e5e5e5",
    "align-items:center",
    "justify-content:space-between",
    "transition:opacity .2s ease-in-out",
    "overflow:hidden",
    "max-width:1200px",
    "gap:16px",
]
_ICONS = [
    "arrow-left",
    "arrow-right",
    "burger",
    "close",
    "search",
    "play",
    "pause",
    "live",
    "share",
    "twitter",
    "facebook",
    "email",
    "whatsapp",
    "link",
    "comment",
    "user",
    "bell",
    "radio",
    "tv",
    "clock",
]
_EXTERNAL = [
    ("https://www.france.tv/", "france.tv"),
    ("https://www.radiofrance.fr/franceinter", "France Inter"),
    ("https://www.radiofrance.fr/franceculture", "France Culture"),
    ("https://la1ere.francetvinfo.fr/", "La 1ère"),
    ("https://www.francetelevisions.fr/", "France Télévisions"),
    ("https://www.lumni.fr/", "Lumni"),
    ("https://www.arte.tv/fr/", "Arte"),
    ("https://www.tv5monde.com/", "TV5Monde"),
]
_SERVICES = [
    ("/en-direct/", "Les directs"),
    ("/vrai-ou-faux/", "Vrai ou faux"),
    ("/replay-radio/", "Replay radio"),
    ("/replay-jt/", "Replay JT"),
    ("/replay-magazine/", "Magazines"),
    ("/meteo/", "Météo"),
    ("/les-newsletters/", "Newsletters"),
    ("/podcasts/", "Podcasts"),
]
_LEGAL = [
    ("/mentions-legales/", "Mentions légales"),
    ("/cookies/", "Gestion des cookies"),
    ("/charte-de-moderation/", "Charte de modération"),
    ("/accessibilite/", "Accessibilité"),
    ("/qui-sommes-nous/", "Qui sommes-nous\u00a0?"),
    ("/contact/", "Contact"),
]


def _style(rng: random.Random) -> str:
    rules = []
    for block in _BLOCKS:
        for element in _ELEMENTS:
            for modifier in _MODIFIERS:
                if rng.random() < 0.45:
                    props = ";".join(rng.sample(_PROPS, rng.randint(3, 6)))
                    rules.append(f".{block}{element}{modifier}{{{props}}}")
    media = "".join(
        f"@media (min-width:{width}px){{.{block}{{padding:{width // 40}px}}}}"
        for width in (480, 768, 1024, 1280)
        for block in _BLOCKS
    )
    return f"<style>{''.join(rules)}{media}</style>"


def _svg(rng: random.Random) -> str:
    symbols = []
    for icon in _ICONS * 4:
        points = " ".join(f"{rng.randint(0, 240) / 10}" for _ in range(rng.randint(40, 80)))
        symbols.append(f'<symbol id="icon-{icon}-{len(symbols)}" viewBox="0 0 24 24"><path d="M{points}Z"/></symbol>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">{"".join(symbols)}</svg>'


def _link(href: str, label: str, place: str, css: str = "mega-menu__link") -> str:
    return (
        f'<a class="{css} ftvi-click" href="{href}" data-click-value="{place}::{slugify(label)}">'
        f'<svg class="{css}__icon" aria-hidden="true"><use href="#icon-arrow-right-1"></use></svg>'
        f'<span class="{css}__label">{label}</span></a>'
    )


def _header() -> str:
    items = []
    for section, (label, subsections) in words.SECTIONS.items():
        links = [_link(f"/{section}/{sub}/", sub_label, f"header::{section}") for sub, sub_label in subsections.items()]
        links += [
            _link(f"/tag/{slugify(topic)}/", topic, f"header::{section}::sujets", "mega-menu__tag")
            for topic in words.TOPICS[section]
        ]
        items.append(
            f'<li class="mega-menu__item">{_link(f"/{section}/", label, "header::rubrique")}'
            f'<ul class="mega-menu__list">{"".join(f"<li class=mega-menu__subitem>{link}</li>" for link in links)}</ul></li>'
        )
    services = "".join(f"<li>{_link(href, label, 'header::services')}</li>" for href, label in _SERVICES)
    external = "".join(f"<li>{_link(href, label, 'header::groupe')}</li>" for href, label in _EXTERNAL)
    return (
        '<header class="header" role="banner"><a class="header__logo" href="/" aria-label="franceinfo">'
        '<svg class="header__logo-svg"><use href="#icon-tv-0"></use></svg></a>'
        '<nav class="mega-menu" aria-label="Menu principal"><ul class="mega-menu__list">'
        f"{''.join(items)}</ul><ul class=mega-menu__services>{services}</ul>"
        f"<ul class=mega-menu__group>{external}</ul></nav></header>"
    )


def _footer() -> str:
    columns = []
    for section, (label, subsections) in words.SECTIONS.items():
        links = "".join(
            f"<li>{_link(f'/{section}/{sub}/', sub_label, 'footer', 'footer__link')}</li>"
            for sub, sub_label in subsections.items()
        )
        columns.append(f'<div class="footer__column"><p class="footer__title">{label}</p><ul>{links}</ul></div>')
    for title, entries in (("Services", _SERVICES), ("franceinfo", _LEGAL), ("Le groupe", _EXTERNAL)):
        links = "".join(f"<li>{_link(href, label, 'footer', 'footer__link')}</li>" for href, label in entries)
        columns.append(f'<div class="footer__column"><p class="footer__title">{title}</p><ul>{links}</ul></div>')
    return f'<footer class="footer" role="contentinfo">{"".join(columns)}<p class="footer__copyright">© France Télévisions</p></footer>'


def _didomi(rng: random.Random) -> str:
    vendors = [
        {"id": f"c:vendor-{n}", "name": f"Partenaire {n}", "purposes": rng.sample(range(1, 11), 4)} for n in range(60)
    ]
    config = {"app": {"apiKey": "9b1c0a3e-6d2f-4c1e-8f5a-2b7d9e0c4a11", "vendors": {"include": vendors}}}
    return (
        '<div id="didomi-host"><div class="didomi-notice" role="dialog" aria-label="Consentement">'
        '<p class="didomi-notice__text">Avec vos partenaires, franceinfo utilise des cookies pour mesurer '
        "l’audience, personnaliser les contenus et la publicité.</p>"
        '<button id="didomi-notice-agree-button" class="didomi-notice__agree">Accepter &amp; Fermer</button>'
        '<button id="didomi-notice-learn-more-button">Personnaliser</button></div></div>'
        f"<script>window.didomiConfig = {json.dumps(config, separators=(',', ':'))};</script>"
    )


def _config(rng: random.Random) -> str:
    slots = [
        {
            "slot": f"{place}-{n}",
            "sizes": rng.sample([[728, 90], [970, 250], [300, 250], [300, 600], [320, 50], [1, 1]], 3),
            "targeting": {"pos": place, "rubrique": rng.choice(list(words.SECTIONS))},
        }
        for place in ("banniere-haute", "pave-haut", "pave-bas", "inread", "habillage")
        for n in range(20)
    ]
    config = {
        "env": "prod",
        "ads": {"network": "/21813469/franceinfo", "slots": slots},
        "analytics": {"site": 601905, "collectDomain": "https://logs1412.xiti.com", "level2": 12},
        "features": {f"feature_{n}": bool(n % 3) for n in range(80)},
    }
    return f"<script>window.FTVI_CONFIG = {json.dumps(config, separators=(',', ':'))};</script>"


def _state_items(rng: random.Random, count: int) -> list[bytes]:
    items = []
    for n in range(count):
        item = {
            "id": f"block:{n}",
            "type": rng.choice(["AdSlot", "Outbrain", "Teaser", "Widget", "Tracker"]),
            "label": rng.choice(words.OBJECTS),
            "position": n,
            "config": {"lazy": True, "threshold": rng.randint(100, 900), "tags": rng.sample(words.GENERIC_TAGS, 3)},
        }
        items.append(json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode() + b",")
    return items


class Chrome:
    """Pre-rendered chrome as bytes, plus a state blob that pads pages to a size."""

    def __init__(self) -> None:
        rng = random.Random(20261120)
        self.style = _style(rng).encode()
        self.svg = _svg(rng).encode()
        self.header = _header().encode()
        self.footer = _footer().encode()
        self.didomi = _didomi(rng).encode()
        self.config = _config(rng).encode()
        self.amp_style = f"<style amp-custom>{_style(rng)[7:-8][:40000]}</style>".encode()
        items = _state_items(rng, 1500)
        self._offsets = [0]
        for item in items:
            self._offsets.append(self._offsets[-1] + len(item))
        self._blob = b"".join(items)

    def state(self, size: int) -> bytes:
        """A `<script>` holding page state, about `size` bytes long (whole JSON items)."""
        head, tail = b"<script>window.__FTVI_STATE__ = [", b"{}];</script>"
        wanted = max(0, size - len(head) - len(tail))
        parts = []
        while wanted >= len(self._blob):
            parts.append(self._blob)
            wanted -= len(self._blob)
        count = bisect.bisect_right(self._offsets, wanted) - 1
        parts.append(self._blob[: self._offsets[count]])
        return head + b"".join(parts) + tail


@cache
def chrome() -> Chrome:
    return Chrome()
