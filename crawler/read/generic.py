"""Other franceinfo-style news sites: schema.org and Open Graph for metadata,
trafilatura for the body, since no selectors are known for them."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from crawler.article.normalize import clean_text
from crawler.read.base import HtmlPage, NotAnArticle, json_ld_names, json_ld_text, node_text_without, parse_bool
from crawler.read.franceinfo import ARTICLE_TYPES

_MEDIA_LABEL = re.compile(
    r"^\s*(?:\[\s*(?:vid[ée]o|photos?|audio|direct|infographie|diaporama)\s*\]|(?:vid[ée]o|photos?|audio)\s+-)"
    r"\s*(?:[\u25b6\u25ba\u23ef]\ufe0f?)?\s*",
    re.IGNORECASE,
)


def meta_text(value: Any) -> str:
    """A field from meta tags or JSON-LD as a reader would see it: some sites escape
    their entities twice (`Gr&egrave;ve`, `l&#039;aide`), so they are unescaped
    once more; a media label (`[VIDÉO] ▶️`, `Vidéo - `) in front is not text."""
    if not isinstance(value, str):
        return ""
    return clean_text(_MEDIA_LABEL.sub("", html.unescape(value)))


_AND_NAMES = re.compile(r"\s+avec\s+")  # "Théo Dorangeon avec Alixan Lavorel": two signers
_BYLINE_PARTS = re.compile(r"\s*(?:[,;()&]|\bet\b|\bavec\b)\s*")  # "X (avec Y et Z)": three signers
_BYLINE_PREFIX = re.compile(r"^(?:par|propos recueillis par|source)\s+", re.IGNORECASE)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "\u00a0": " "})


class GenericArticlePage(HtmlPage):
    """A news article read from what every news site publishes. A site file may
    subclass it with hints where its metadata fall short:

    - `SOURCE`: the site key stored (else the host);
    - `AUTHORS`, `TAGS`: CSS of the byline names and topic links a reader sees;
      `AUTHORS_WITHOUT`, of a role inside the byline;
    - `SECTION`: CSS of the breadcrumb, whose last link is the section;
    - `KEYWORDS_META`: a meta tag listing the topics, comma-separated;
    - `SECTION_FROM_PATH`: the URL's first segment is the section when the
      metadata name none;
    - `author_name`: cleans a name the metadata give."""

    html_elements = True  # trafilatura reads `lxml.html` elements
    SOURCE: str | None = None
    AUTHORS: str | None = None
    AUTHORS_WITHOUT: str | None = None
    TAGS: str | None = None
    KEYWORDS_META: str | None = None
    SECTION: str | None = None
    SECTION_FROM_PATH = False

    def _title(self, declared: str) -> str:
        """The displayed `h1` when the declared title is it (give or take typographic
        quotes, or with the site's name after it); else the declared one."""
        heading = self.tree.find(".//h1")
        shown = clean_text(heading.text_content()) if heading is not None else ""
        if not declared or (shown and shown.translate(_QUOTES).lower() in declared.translate(_QUOTES).lower()):
            return shown or declared
        return declared

    def _microdata_time(self, prop: str) -> str | None:
        """`<time itemprop="datePublished" datetime=…>`: older pages' only machine-readable date."""
        for node in self.tree.iterfind(f".//*[@itemprop='{prop}']"):
            value = node.get("datetime") or node.get("content")
            if value:
                return value
        return None

    def _shown(self, selector: str | None, without: str | None = None) -> list[str]:
        """The distinct texts of the nodes a hint selects, in page order, less what
        `without` selects inside them."""
        if not selector:
            return []
        nodes = self.select(selector)
        skipped = {inner for node in nodes for inner in self.select(without, node)} if without else set()
        texts = (meta_text(node_text_without(node, skipped)) for node in nodes)
        return list(dict.fromkeys(text for text in texts if text))

    def _byline_names(self) -> list[str]:
        """The names of the byline the `AUTHORS` hint selects, as a reader counts them."""
        names = [
            clean_text(part)
            for shown in self._shown(self.AUTHORS, self.AUTHORS_WITHOUT)
            for part in _BYLINE_PARTS.split(_BYLINE_PREFIX.sub("", shown))
        ]
        return list(dict.fromkeys(name for name in names if name))

    def _tags(self) -> list[str]:
        listed = (self.meta_first(self.KEYWORDS_META) or "").split(",") if self.KEYWORDS_META else []
        tags = self._shown(self.TAGS) or listed or self.meta.get("article:tag", [])
        return list(dict.fromkeys(tag for tag in map(meta_text, tags) if tag))

    def author_name(self, name: str) -> str:
        return name

    def _section(self, article: dict[str, Any]) -> str | None:
        shown = self._shown(self.SECTION)
        declared = json_ld_text(article.get("articleSection"))
        declared = declared or self.meta_first("article:section", "og:article:section")
        section = (shown[-1] if shown else meta_text(declared)).lower()
        return section or (self._path_section() if self.SECTION_FROM_PATH else None)

    def _path_section(self) -> str | None:
        first = urlsplit(self.url).path.strip("/").split("/", 1)[0]
        return first.lower() if first and "." not in first else None

    def to_item(self) -> dict[str, Any]:
        article = self.json_ld_of_type(*ARTICLE_TYPES) or {}
        title = self._title(
            meta_text(json_ld_text(article.get("headline")) or self.meta_first("og:title", "twitter:title"))
        )
        if not title:
            raise NotAnArticle("no_title")
        import trafilatura  # here, not at the top: franceinfo crawls never load it

        body = trafilatura.extract(
            self.tree,
            url=self.url,
            output_format="txt",
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
        paragraphs = [line for line in (body or "").split("\n") if clean_text(line)]
        if not paragraphs:
            raise NotAnArticle("empty_body", "trafilatura found no main text")
        og_type = (self.meta_first("og:type") or "").lower()
        if not article and og_type not in ("article", "video.other", "video"):
            raise NotAnArticle("not_article", "no schema.org article and og:type is not article")
        host = (urlsplit(self.url).hostname or "").lower()
        lead = meta_text(json_ld_text(article.get("description")) or self.meta_first("og:description", "description"))
        image = self.meta_first("og:image")
        return {
            "url": self.url,
            "canonical_url": self.canonical_link,
            "source": self.SOURCE or host.removeprefix("www."),
            "kind": "live" if article.get("@type") == "LiveBlogPosting" else "article",
            "title": title,
            "lead": lead or None,
            "paragraphs": [p for p in paragraphs if clean_text(p) != clean_text(lead)],
            "authors": self._byline_names()
            or [
                self.author_name(name)
                for byline in map(meta_text, json_ld_names(article.get("author")) or self.meta.get("author", []))
                for name in _AND_NAMES.split(byline)
                if name
            ],
            "published_at": json_ld_text(article.get("datePublished"))
            or self.meta_first("article:published_time", "og:article:published_time")
            or self._microdata_time("datePublished"),
            "modified_at": json_ld_text(article.get("dateModified"))
            or self.meta_first("article:modified_time", "og:article:modified_time")
            or self._microdata_time("dateModified"),
            "section": self._section(article),
            "breadcrumb": [],
            "tags": self._tags(),
            "images": [{"url": image, "caption": None, "credit": None}] if image else [],
            "related": [],
            "live_posts": None,
            "video": None,
            "free_access": parse_bool(article.get("isAccessibleForFree")),
            "language": self.language,
        }
