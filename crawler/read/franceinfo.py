"""franceinfo (www.francetvinfo.fr, www.franceinfo.fr): one page object per layout.

`FranceinfoArticlePage` reads the 2021–2026 templates; `FranceinfoLivePage` and
`FranceinfoVideoPage` override what differs on live and video pages;
`Franceinfo2013Page` reads the old template. `choose_page` looks at the page and
picks one. Selectors are named class attributes so a template change is a
one-line edit; how the site publishes is in `docs/FRANCEINFO.md`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.article.normalize import clean_text
from crawler.read.base import (
    HtmlPage,
    NotAnArticle,
    json_ld_names,
    json_ld_text,
    node_text,
    node_text_without,
    parse_bool,
    parse_duration,
    plain_text,
)

SOURCE = "franceinfo"
HOSTS = ("www.francetvinfo.fr", "francetvinfo.fr", "www.franceinfo.fr", "franceinfo.fr")
HOST_ALIASES = {
    "francetvinfo.fr": "www.francetvinfo.fr",
    "www.franceinfo.fr": "www.francetvinfo.fr",
    "franceinfo.fr": "www.francetvinfo.fr",
}

ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting")
_CREDIT = re.compile(r"\s*\(([^()]*)\)\s*$")
_TITLE_SUFFIX = re.compile(r"\s*[|\-–]\s*(franceinfo|francetv info)\s*$", re.IGNORECASE)
_TWO_INITIALED_NAMES = re.compile(r"\s+(?=[A-Z][a-z]?\.\s?[A-Z])")
_NOT_BODY_PREFIXES = (">>", "lire aussi", "à lire aussi", "a lire aussi", "edito", "voir aussi", "regarder aussi")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


class FranceinfoArticlePage(HtmlPage):
    """An article of the 2021–2026 templates."""

    kind = "article"

    TITLE = "h1.c-title .c-title__main, h1.c-title, .hero-video__title, h1"
    TITLE_LABEL = "h1.c-title .c-title__highlight"
    TITLE_MAIN = "h1.c-title .c-title__main"
    LEAD = ".c-chapo"
    BODY = ".c-body"
    BODY_BLOCKS = etree.XPath(
        ".//*[self::p or self::h2 or self::h3 or self::h4 or self::li or self::blockquote][not(ancestor::p)]"
    )
    BOILERPLATE = (
        "aside, figure, figcaption, iframe, form, script, style, noscript, template, "
        ".a-lire-aussi, .lire-aussi, .related-content, .c-related, .newsletter-box, .newsletter, "
        ".ad-wrapper, .ad, .pub, [id^='ad-'], .social-zone, .social, .c-signature, .twitter-tweet, "
        ".instagram-media, .tiktok-embed, .embed, .c-embed, #didomi-host, .didomi-notice, .consent, "
        ".same-topic, .from-same-show, .newspilot-rebounds, .content-smartfeed, .o-related-cards, "
        ".a-regarder, #comments, .comments, .related-tags, .p-article__tags, .c-cover"
    )
    PUBLISHED = ".publication-date__published time[datetime]"
    MODIFIED = ".publication-date__modified time[datetime]"
    SIGNATURE_NAMES = ".c-signature__names, .signature__names"
    SCREEN_READER_ONLY = ".sr-only, .text-only-for-screen-reader"
    COVER_IMAGES = ".c-cover img, .hero-video img, .c-body figure img, .c-body picture img"
    FIGURE_CAPTION = etree.XPath(
        "ancestor::figure[1]/figcaption | ancestor::*[contains(@class,'c-cover')][1]/figcaption"
    )
    TAGS = "section.related-tags a.related-tags__tag .ftvi-btn__label, .p-article__tags a"
    BREADCRUMB = "nav.breadcrumb li.breadcrumb__item a.breadcrumb__link, nav.breadcrumb li.breadcrumb__item span"
    # A rail headed "À regarder", found from its heading's text (text nodes are far
    # fewer than elements to test).
    RELATED_RAIL = etree.XPath(
        ".//text()[contains(., 'regarder')]/ancestor::*[self::h2 or self::h3 or self::p or self::span]"
        "[normalize-space()='À regarder'][1]/parent::*[self::section or self::aside or self::div]"
    )
    RELATED_MENTIONED = etree.XPath(
        "contains(string(.), 'regarder')"
    )  # one pass over the text: most pages have no rail
    RELATED_TITLE = etree.XPath(".//*[contains(@class, '__title')]")
    CLIENT_SIDE_MARKERS = ".c-body[data-client-rendered], .c-live__posts[data-live-url], .c-body [data-esi-url]"
    PLACEHOLDER_MARKERS = ("placeholder", "data:image", "blank.gif", "pixel", "spacer")

    def to_item(self) -> dict[str, Any]:
        """The raw article: the schema's fields as the page publishes them."""
        if not self.article_json_ld and self.body_node() is None:
            raise NotAnArticle("not_article", "no article JSON-LD and no article body")
        title = self.title()
        if not title:
            raise NotAnArticle("no_title")
        paragraphs = self.paragraphs()
        if not paragraphs and self.first(self.CLIENT_SIDE_MARKERS) is not None:
            raise NotAnArticle("client_rendered", "the body is filled in by a script after load")
        if not paragraphs and self.kind == "article":
            raise NotAnArticle("empty_body", "no body paragraphs")
        return {
            "url": self.url,
            "canonical_url": self.canonical_link,
            "source": SOURCE,
            "kind": self.kind,
            "title": title,
            "lead": self.lead(),
            "paragraphs": paragraphs,
            "authors": self.authors(),
            "published_at": self.published_at(),
            "modified_at": self.modified_at(),
            "section": self.section(),
            "breadcrumb": self.breadcrumb(),
            "tags": self.tags(),
            "images": self.images(),
            "related": self.related(),
            "live_posts": self.live_posts(),
            "video": self.video(),
            "free_access": parse_bool(self.article_json_ld.get("isAccessibleForFree")),
            "language": self.language,
        }

    @property
    def article_json_ld(self) -> dict[str, Any]:
        return self.json_ld_of_type(*ARTICLE_TYPES) or {}

    def title(self) -> str:
        """The headline as displayed: the JSON-LD `headline` is cut at 110 characters
        on long ones, so it is only the fallback."""
        title = (
            self._highlighted_title()
            or self.text_of(self.TITLE)
            or json_ld_text(self.article_json_ld.get("headline"))
            or self.meta_first("og:title")
        )
        return _TITLE_SUFFIX.sub("", clean_text(title))

    def _highlighted_title(self) -> str | None:
        """ "CARTE. Loire-Atlantique…": a label shown before the headline, written as
        the site writes it in its own `<title>` and `og:title`."""
        label, main = self.text_of(self.TITLE_LABEL), self.text_of(self.TITLE_MAIN)
        return f"{label.upper().rstrip('.')}. {main}" if label and main else None

    def lead(self) -> str | None:
        node = self.first(self.LEAD)
        if node is not None:
            parts = [node_text(p) for p in node.iter("p")] or [node_text(node)]
            lead = "\n\n".join(part for part in parts if part)
            if lead:
                return lead
        return json_ld_text(self.article_json_ld.get("description")) or None

    def body_node(self) -> etree._Element | None:
        return self.first(self.BODY)

    def paragraphs(self) -> list[str]:
        body = self.body_node()
        if body is None:
            return []
        skipped = set(self.select(self.BOILERPLATE, body))
        # Blocks holding boilerplate or a line break need the slow reading; the rest are plain.
        special = skipped.union(body.iter("br"))
        holding = special.union(parent for node in special for parent in _ancestors_until(node, body))
        paragraphs = []
        for block in self.BODY_BLOCKS(body):
            if block in skipped or any(parent in skipped for parent in _ancestors_until(block, body)):
                continue
            if block.tag == "li" and block.find(".//p") is not None:
                continue
            if block.tag == "blockquote":
                texts = _quote_paragraphs(block, skipped)
                skipped.update(block.iterdescendants())
            else:
                texts = [node_text_without(block, skipped) if block in holding else plain_text(block)]
            paragraphs.extend(t for t in texts if t and not t.lower().startswith(_NOT_BODY_PREFIXES))
        return paragraphs

    def published_at(self) -> str | None:
        return (
            json_ld_text(self.article_json_ld.get("datePublished"))
            or self.meta_first("article:published_time")
            or self._time_attr(self.PUBLISHED)
        )

    def modified_at(self) -> str | None:
        return (
            json_ld_text(self.article_json_ld.get("dateModified"))
            or self.meta_first("article:modified_time")
            or self._time_attr(self.MODIFIED)
        )

    def _time_attr(self, selector: str) -> str | None:
        node = self.first(selector)
        return node.get("datetime") if node is not None else None

    def authors(self) -> list[str]:
        """Signers from the signature block: "A. Name, B. Name - Desk"; JSON-LD's
        author is often only the desk, so it is the fallback."""
        node = self.first(self.SIGNATURE_NAMES)
        if node is not None:
            text = node_text_without(node, set(self.select(self.SCREEN_READER_ONLY, node)))
            names = []
            for part in re.split(r"\s+-\s+|,", text):
                # "L.Haedrich L.Harper": two signers the byline forgot a comma between.
                names.extend(name for name in _TWO_INITIALED_NAMES.split(clean_text(part)) if name)
            if names:
                return names
        return json_ld_names(self.article_json_ld.get("author")) or [
            name for name in [self.meta_first("author")] if name
        ]

    def section(self) -> str | None:
        segments = [segment for segment in urlsplit(self.canonical_link or self.url).path.split("/") if segment]
        if len(segments) > 1:
            return segments[0].lower()
        return None

    def breadcrumb(self) -> list[str]:
        trail = self.json_ld_of_type("BreadcrumbList")
        if trail:
            names = []
            for item in sorted(_json_ld_objects(trail.get("itemListElement")), key=_position):
                target = item.get("item")
                if isinstance(target, dict):
                    name = json_ld_text(item.get("name")) or json_ld_text(target.get("name"))
                    link = target.get("@id")
                else:
                    name, link = json_ld_text(item.get("name")), target
                if name and not _is_home(link):
                    names.append(name)
            return names
        crumbs = [node_text(node) for node in self.select(self.BREADCRUMB, self.tree)]
        return [crumb for crumb in crumbs if crumb and crumb != "Accueil"]

    def tags(self) -> list[str]:
        return (
            self.meta.get("article:tag")
            or _split_keywords(self.article_json_ld.get("keywords"))
            or [node_text(node) for node in self.select(self.TAGS)]
        )

    def images(self) -> list[dict[str, Any]]:
        images = []
        title = self.title()
        for img in self.select(self.COVER_IMAGES):
            if img.getparent() is not None and img.getparent().tag == "noscript":
                continue
            url = self._real_image_url(img)
            if not url:
                continue
            alt = clean_text(img.get("alt"))
            caption_nodes = self.FIGURE_CAPTION(img)
            caption = node_text(caption_nodes[0]) if caption_nodes else ""
            if not caption and alt == title:
                alt = ""  # the headline again, not a caption
            caption, credit = _split_credit(caption or alt)
            if not credit and alt:
                credit = _split_credit(alt)[1]
            images.append({"url": url, "caption": caption or None, "credit": credit})
        if not images:
            og_image = self.meta_first("og:image")
            if og_image and not self._is_placeholder(og_image):
                images.append({"url": og_image, "caption": None, "credit": None})
        return images

    def _real_image_url(self, img: etree._Element) -> str | None:
        """The image behind a lazy-load placeholder; None for placeholders and pixels."""
        for attribute in ("data-src", "data-lazy-src", "data-original", "src"):
            url = (img.get(attribute) or "").strip()
            if url and not self._is_placeholder(url):
                if img.get("width") == "1" and img.get("height") == "1":
                    return None
                return url
        return None

    def _is_placeholder(self, url: str) -> bool:
        lowered = url.lower()
        return any(marker in lowered for marker in self.PLACEHOLDER_MARKERS)

    def related(self) -> list[dict[str, str]]:
        if not self.RELATED_MENTIONED(self.content_root):
            return []
        links = []
        for rail in self.RELATED_RAIL(self.content_root):
            for anchor in rail.iter("a"):
                href = anchor.get("href")
                title_nodes = self.RELATED_TITLE(anchor)
                title = node_text(title_nodes[0] if title_nodes else anchor)
                if href and title:
                    links.append({"title": title, "url": href})
        return links

    def live_posts(self) -> list[dict[str, Any]] | None:
        return None

    def video(self) -> dict[str, Any] | None:
        return None


class FranceinfoLivePage(FranceinfoArticlePage):
    """A live page ("direct"). No public capture shows single posts: the post
    selectors below follow our replica's model and are the place to correct."""

    kind = "live"

    LIVE_POST = "article.c-live-post"
    LIVE_POST_TIME = "time[datetime]"
    LIVE_POST_TITLE = ".c-live-post__title"
    LIVE_POST_TEXT = ".c-live-post__content"
    BODY = ".c-live__posts, .c-body"

    def live_posts(self) -> list[dict[str, Any]]:
        live = self.json_ld_of_type("LiveBlogPosting")
        updates = _json_ld_objects((live or {}).get("liveBlogUpdate"))
        if updates:
            return [
                {
                    "published_at": json_ld_text(update.get("datePublished")),
                    "title": json_ld_text(update.get("headline")),
                    "text": json_ld_text(update.get("articleBody")) or "",
                }
                for update in updates
            ]
        posts = []
        for post in self.select(self.LIVE_POST):
            time = self.first(self.LIVE_POST_TIME, post)
            posts.append(
                {
                    "published_at": time.get("datetime") if time is not None else None,
                    "title": self.text_of(self.LIVE_POST_TITLE, post) or None,
                    "text": self.text_of(self.LIVE_POST_TEXT, post),
                }
            )
        return posts

    def paragraphs(self) -> list[str]:
        lines = []
        for post in self.live_posts():
            if post["title"]:
                lines.append(post["title"])
            if post["text"]:
                lines.append(post["text"])
        return lines or super().paragraphs()


class FranceinfoVideoPage(FranceinfoArticlePage):
    """A video page: the main video from JSON-LD `VideoObject`."""

    kind = "video"

    def video(self) -> dict[str, Any] | None:
        video = self.json_ld_of_type("VideoObject") or self.article_json_ld.get("video")
        if isinstance(video, list):
            video = video[0] if video else None
        if not isinstance(video, dict):
            player = self.first("figure.francetv-player-wrapper[id]")
            if player is None:
                return None
            return {"url": f"https://www.france.tv/video/{player.get('id')}", "duration_s": None}
        url = next(
            (url for key in ("embedUrl", "embedURL", "contentUrl", "url") if (url := json_ld_text(video.get(key)))),
            None,
        )
        if not url:
            return None
        return {"url": url, "duration_s": parse_duration(video.get("duration"))}

    def title(self) -> str:
        video = self.json_ld_of_type("VideoObject") or {}
        return super().title() or clean_text(json_ld_text(video.get("name")))

    def lead(self) -> str | None:
        video = self.json_ld_of_type("VideoObject") or {}
        return super().lead() or json_ld_text(video.get("description")) or None


class Franceinfo2013Page(FranceinfoArticlePage):
    """The old (pre-"c-", FTVi/xiti era, 2013–2022) template: `div.text` body, dates
    as French text or `time[datetime]`, byline in `div.authors-list`."""

    TITLE = "#col-middle h1, article > h1, h1"
    # The standfirst: `h2.chapo` (2013), or the bare h2 right under the h1 (2015 on).
    LEAD = "#col-middle .chapo, #col-middle h2.chapo, article > h1 + h2"
    BODY = "#col-middle div.text, div.text"
    # The JT's numbered subject list ("Tous les sujets", "Le JT") is a playlist, not body.
    BOILERPLATE = FranceinfoArticlePage.BOILERPLATE + ", .subjects-title, .subjects-list"
    NOT_OWN_IMAGES = ".subjects-list, #topCallImage"
    PUBLISH_DATE = "p.publish-date time"
    AUTHORS = "div.authors-list .author, div.authors-list span.group, .col-left a.author"
    # From 2015 the group line under the names is the employer, not a signer or desk.
    COMPANY_LINE = "France Télévisions"
    BREADCRUMB = "nav.breadcrumb li [itemprop='title']:not(.home), nav.breadcrumb li a:not([href='/'])"
    TAGS = "aside.tags a[rel='tag']"
    # The cover figure under the headline, then the article's own inline figures.
    COVER_IMAGES = "article > figure img, #col-middle figure img"

    def lead(self) -> str | None:
        """Only the standfirst the page shows: `og:description` and JSON-LD repeat the
        body's first paragraph on JT pages, so they are no lead."""
        return self.text_of(self.LEAD) or None

    def published_at(self) -> str | None:
        times = [node_text(node) for node in self.select(self.PUBLISH_DATE)]
        return super().published_at() or (times[-1] if times else None)

    def modified_at(self) -> str | None:
        times = [node_text(node) for node in self.select(self.PUBLISH_DATE)]
        return super().modified_at() or (times[0] if len(times) > 1 else None)

    def authors(self) -> list[str]:
        names = []
        for node in self.select(self.AUTHORS):
            name = node_text(node)
            if name and name != self.COMPANY_LINE and name not in names:
                names.append(name)
        return names or super().authors()

    def breadcrumb(self) -> list[str]:
        """JSON-LD when there is one; else the displayed trail, its home link left out
        (a crumb is its `[itemprop=title]` span, or the link itself when it has none)."""
        if self.json_ld_of_type("BreadcrumbList"):
            return super().breadcrumb()
        crumbs = []
        for node in self.select(self.BREADCRUMB):
            if node.tag == "a" and node.find(".//*[@itemprop='title']") is not None:
                continue
            if any(parent.tag == "a" and parent.get("href") == "/" for parent in node.iterancestors()):
                continue
            if crumb := node_text(node):
                crumbs.append(crumb)
        return crumbs

    def tags(self) -> list[str]:
        """The "Sujets associés" box in its displayed order; `article:tag` lists them
        in another order, so it is only the fallback."""
        return [node_text(node) for node in self.select(self.TAGS)] or super().tags()

    def images(self) -> list[dict[str, Any]]:
        """The figures the page shows; `og:image` is a share crop the reader never
        sees, and `#topCallImage` is removed by an inline script on load."""
        excluded = set(self.select(self.NOT_OWN_IMAGES))
        images = []
        for img in self.select(self.COVER_IMAGES):
            if any(parent in excluded for parent in img.iterancestors()):
                continue
            url = self._real_image_url(img)
            if not url:
                continue
            caption_nodes = self.FIGURE_CAPTION(img)
            caption = node_text(caption_nodes[0]) if caption_nodes else clean_text(img.get("alt"))
            caption, credit = _split_credit(caption)
            if not credit and " | " in (img.get("title") or ""):
                credit = clean_text(img.get("title").rsplit(" | ", 1)[1]) or None
            images.append({"url": url, "caption": caption or None, "credit": credit})
        return images

    def related(self) -> list[dict[str, str]]:
        return []


class Franceinfo2013VideoPage(Franceinfo2013Page):
    """An old-template video page (`article.content-video`: a report, or a JT replay).
    The player is a link to the video (2015) or a Magnetoscope player loaded by an
    inline script with the video's id (2021–2022)."""

    kind = "video"

    PAGE_MARKER = "article.content-video"
    PLAYER_LINK = "article.content-video figure a[id^='player-video-id'][href]"
    PLAYER_EMBED = "https://embed.francetv.fr/?ue={}"
    PLAYER_SOURCE = re.compile(r"\.load\(\{\s*src\s*:\s*['\"]([0-9A-Za-z-]{8,})['\"]")
    SCHEDULE = ".player-info .schedule span"
    DURATION = re.compile(r"Durée\s*:\s*(\d+)\s*h\s*(\d+)", re.IGNORECASE)

    def video(self) -> dict[str, Any] | None:
        link = self.first(self.PLAYER_LINK)
        if link is not None:
            return {"url": link.get("href").strip(), "duration_s": self._duration()}
        for script in self.tree.iter("script"):
            match = self.PLAYER_SOURCE.search(script.text or "")
            if match:
                return {"url": self.PLAYER_EMBED.format(match.group(1)), "duration_s": self._duration()}
        return None

    def _duration(self) -> int | None:
        """ "Durée : 00h35" in the player's info box."""
        for node in self.select(self.SCHEDULE):
            match = self.DURATION.search(node_text(node))
            if match:
                return int(match.group(1)) * 3600 + int(match.group(2)) * 60
        return None


def choose_page(url: str, html: str | bytes, encoding: str | None = None) -> FranceinfoArticlePage:
    """Pick the page object for this page's layout (web-poet's multi-layout idea)."""
    probe = FranceinfoArticlePage(url, html, encoding)
    slug = urlsplit(url).path.rsplit("/", 1)[-1]
    if slug.startswith("direct-") or probe.first("article.content-live") is not None:
        return _reuse(probe, FranceinfoLivePage)
    if (
        slug.startswith("video-")
        or probe.first(".hero-video__title") is not None
        or (probe.json_ld_of_type("VideoObject") is not None and probe.json_ld_of_type(*ARTICLE_TYPES) is None)
    ):
        return _reuse(probe, FranceinfoVideoPage)
    if probe.first(FranceinfoArticlePage.BODY) is None and probe.first(Franceinfo2013Page.BODY) is not None:
        if probe.first(Franceinfo2013VideoPage.PAGE_MARKER) is not None:
            return _reuse(probe, Franceinfo2013VideoPage)
        return _reuse(probe, Franceinfo2013Page)
    return probe


def _reuse(probe: HtmlPage, cls: type[FranceinfoArticlePage]) -> FranceinfoArticlePage:
    """Switch layout without parsing the page a second time."""
    page = cls(probe.url, probe.html, probe.encoding)
    page.__dict__.update(
        {
            k: v
            for k, v in probe.__dict__.items()
            if k in ("tree", "content_root", "index", "meta", "json_ld", "canonical_link")
        }
    )
    return page


def _ancestors_until(node: etree._Element, root: etree._Element):
    parent = node.getparent()
    while parent is not None and parent is not root:
        yield parent
        parent = parent.getparent()


def _quote_paragraphs(quote: etree._Element, skipped: set[etree._Element]) -> list[str]:
    """A pull quote: its words, then who said it and where ("Pascal Crépey,
    épidémiologiste à franceinfo") as one paragraph, as a reader sees the block."""
    cite = quote.find(".//cite")
    if cite is None:
        return [node_text_without(quote, skipped)]
    attribution = cite.getparent() if cite.getparent() is not quote else cite
    # Its parts are blocks ("Jean-François Copé" / "sur franceinfo"): a space between.
    parts = [attribution.text or ""]
    for part in attribution:
        parts += [node_text_without(part, skipped), part.tail or ""]
    return [node_text_without(quote, skipped | {attribution}), clean_text(" ".join(parts))]


def _split_credit(text: str) -> tuple[str, str | None]:
    """ "Caption. (NAME / AFP)" -> ("Caption.", "NAME / AFP")."""
    text = clean_text(text)
    match = _CREDIT.search(text)
    if (match and "/" in match.group(1)) or (match and match.group(1).isupper()):
        return text[: match.start()].strip(), match.group(1).strip()
    return text, None


def _json_ld_objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON-LD value that should be a list of them (or one)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _position(item: dict[str, Any]) -> float:
    position = item.get("position")
    if isinstance(position, str) and position.strip().isascii() and position.strip().isdigit():
        return float(position)
    return float(position) if isinstance(position, (int, float)) and not isinstance(position, bool) else 0.0


def _is_home(link: Any) -> bool:
    try:
        return isinstance(link, str) and urlsplit(link).path in ("", "/")
    except ValueError:
        return False


def _split_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []
