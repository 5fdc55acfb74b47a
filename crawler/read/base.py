"""What every page object shares: decoding, one parse, JSON-LD and meta views.

A page object takes a URL and HTML (a Scrapy response or a saved file), does no
I/O, and returns a raw article: a plain dict whose keys are the schema's fields
before normalization. It raises `NotAnArticle` with a short reason when the page
is not an article it can read.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit

from cssselect import GenericTranslator
from lxml import etree, html
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from crawler.article.normalize import clean_text
from crawler.read.index import ElementIndex, Unsupported

SINGLE_BYTE_ENCODINGS = frozenset({"latin-1", "latin1", "iso-8859-1", "iso8859-1", "cp1252", "windows-1252", "ascii"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class NotAnArticle(Exception):
    """The page can't give an article; `reason` is a short snake_case stat key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[str, str]]:
        """Pickled whole: page-reading workers send it back to the crawl."""
        return (NotAnArticle, (self.reason, self.detail))


@lru_cache(maxsize=512)
def css(selector: str) -> etree.XPath:
    """A CSS selector compiled to XPath once per process."""
    return etree.XPath(GenericTranslator().css_to_xpath(selector))


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding a browser would use (BOM, then HTTP header, then `<meta>`, else
    UTF-8), except that a page declared as a single-byte encoding but valid UTF-8
    is read as UTF-8 (a common CMS mistake)."""
    bom, _ = read_bom(body)
    declared = (
        _text_encoding(bom)
        or _text_encoding(http_content_type_encoding(content_type))
        or _text_encoding(html_body_declared_encoding(body))
    )
    encoding = declared or "utf-8"
    if encoding.lower().replace("_", "-") in SINGLE_BYTE_ENCODINGS and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return encoding
        return "utf-8"
    return encoding


@lru_cache(maxsize=64)
def _text_encoding(declared: str | None) -> str | None:
    """The codec a declared charset names, or None when it names none that decodes
    text: unknown names, and codecs such as base64, rot13 or "undefined" (a browser
    ignores those declarations too)."""
    encoding = resolve_encoding(declared) if declared else None
    if not encoding:
        return None
    try:
        if not codecs.lookup(encoding)._is_text_encoding:
            return None
        b"<p>".decode(encoding, errors="replace")
    except (LookupError, ValueError):
        return None
    return encoding


@lru_cache(maxsize=32)
def _parser(encoding: str | None, html_elements: bool) -> etree.HTMLParser:
    """lxml.html's parser makes `HtmlElement`s, choosing each element's class in
    Python, which costs a quarter of a millisecond a page walked; plain elements
    don't, and are all a page object needs."""
    parser_class = html.HTMLParser if html_elements else etree.HTMLParser
    return parser_class(remove_comments=True, huge_tree=True, collect_ids=False, encoding=encoding)


_HIDDEN = "ancestor::script or ancestor::style or ancestor::noscript or ancestor::template"
_VISIBLE_TEXT = etree.XPath(f"descendant-or-self::text()[not({_HIDDEN})] | descendant::br[not({_HIDDEN})]")


def node_text(node: etree._Element) -> str:
    """Visible text of a node: scripts, styles and noscript left out; a line break
    (`<br>`) is a space, as a reader sees it."""
    return clean_text("".join(part if isinstance(part, str) else " " for part in _VISIBLE_TEXT(node)))


_STRING_VALUE = etree.XPath("string()")


def plain_text(node: etree._Element) -> str:
    """`node_text` of a node known to hold no script, style, noscript, template or
    `<br>`: its string value, which libxml2 gives in one call."""
    return clean_text(_STRING_VALUE(node))


def node_text_without(node: etree._Element, excluded: set[etree._Element]) -> str:
    """Visible text of a node, leaving out the subtrees rooted at `excluded` (a
    figure a paragraph wraps, a quote's attribution)."""
    parts = []
    for part in _VISIBLE_TEXT(node):
        if isinstance(part, str):
            owner = part.getparent()
            if part.is_tail and owner is not None:
                owner = owner.getparent()
        else:
            owner = part
        if not _inside(owner, excluded, node):
            parts.append(part if isinstance(part, str) else " ")
    return clean_text("".join(parts))


def _inside(element: etree._Element | None, excluded: set[etree._Element], stop: etree._Element) -> bool:
    while element is not None and element is not stop:
        if element in excluded:
            return True
        element = element.getparent()
    return False


class HtmlPage:
    """One parse of a page, with cached views that several fields read.

    Built from text, or from bytes and their encoding (lxml then decodes while
    parsing, which is faster than decoding first)."""

    html_elements = False  # True where a library wants `lxml.html` elements (trafilatura)

    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self.html = html
        self.encoding = encoding if isinstance(html, bytes) else None

    @cached_property
    def tree(self) -> etree._Element:
        head = self.html[:4096]
        if not self.html.strip():
            raise NotAnArticle("empty_page")
        sample = head if isinstance(head, str) else head.decode(self.encoding or "utf-8", errors="replace")
        if "\x00" in sample or _looks_binary(sample):
            raise NotAnArticle("not_html", "the content is binary")
        source = self.html
        if isinstance(source, str):
            source = _XML_DECLARATION.sub("", source, count=1)
        try:
            root = etree.fromstring(source, _parser(self.encoding, self.html_elements))
        except LookupError:  # a codec Python has and libxml2 lacks (utf-16-le, cp037): decode here
            source = _XML_DECLARATION.sub("", self.html.decode(self.encoding, errors="replace"), count=1)
            root = self._parse_text(source)
        except (etree.LxmlError, ValueError) as error:
            raise NotAnArticle("unparsable_html", str(error)) from error
        if root is None:
            raise NotAnArticle("unparsable_html", "the document is empty")
        return root

    def _parse_text(self, source: str) -> etree._Element | None:
        try:
            return etree.fromstring(source, _parser(None, self.html_elements))
        except (etree.LxmlError, ValueError) as error:
            raise NotAnArticle("unparsable_html", str(error)) from error

    def is_truncated(self) -> bool:
        """A whole document that never closes: the transfer was cut."""
        start, end = self.html[:2048].lower(), self.html[-4096:].lower()
        if isinstance(start, bytes):
            return (b"<html" in start or b"<!doctype" in start) and b"</html>" not in end
        return ("<html" in start or "<!doctype" in start) and "</html>" not in end

    @cached_property
    def content_root(self) -> etree._Element:
        """`<main>` when the page has one: selectors then skip the (heavy) header and footer."""
        main = next(self.tree.iter("main"), None)
        return main if main is not None else self.tree

    @cached_property
    def index(self) -> ElementIndex:
        return ElementIndex(self.content_root)

    def select(self, selector: str, node: etree._Element | None = None) -> list[etree._Element]:
        """CSS selection under `node` (itself included), by default under `content_root`:
        from the page's one-walk index, or XPath where the index can't answer."""
        scope = self.content_root if node is None else node
        if self.index.covers(scope):
            try:
                return self.index.select(selector, scope)
            except Unsupported:
                pass
        return css(selector)(scope)

    def first(self, selector: str, node: etree._Element | None = None) -> etree._Element | None:
        found = self.select(selector, node)
        return found[0] if found else None

    def text_of(self, selector: str, node: etree._Element | None = None) -> str:
        element = self.first(selector, node)
        return node_text(element) if element is not None else ""

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` values by name or property (lower-case); repeated keys keep every value.
        Some pages write `value=` where `content=` belongs: it is read too."""
        values: dict[str, list[str]] = {}
        for element in self.tree.iter("meta"):
            key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
            content = element.get("content", element.get("value"))
            if key and content is not None:
                values.setdefault(key, []).append(content)
        return values

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, []):
                if clean_text(value):
                    return value
        return None

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, `@graph`s and lists flattened."""
        objects: list[dict[str, Any]] = []
        for script in self.tree.iter("script"):
            if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
                continue
            try:
                data = json.loads(_CONTROL_CHARS.sub(" ", script.text))
            except (ValueError, RecursionError):  # invalid JSON; nesting deeper than the parser goes
                continue
            objects.extend(_flatten_json_ld(data))
        return objects

    def json_ld_of_type(self, *types: str) -> dict[str, Any] | None:
        """The first object whose `@type` (a string or a list of them) is one of `types`."""
        wanted = set(types)
        for obj in self.json_ld:
            declared = obj.get("@type")
            declared = declared if isinstance(declared, list) else [declared]
            if any(isinstance(name, str) and name in wanted for name in declared):
                return obj
        return None

    @cached_property
    def canonical_link(self) -> str | None:
        """The first canonical link that is a URL ("http://[oops/" is none)."""
        for link in self.tree.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and is_url(link.get("href")):
                return link.get("href")
        return None

    @cached_property
    def language(self) -> str:
        """The first declared two-letter language ("fr-FR", "fr_FR"); "fr" when none is
        one (a `lang` of "français" or 100 KB of junk is no language code)."""
        for declared in (self.tree.get("lang"), self.meta_first("og:locale"), self.meta_first("content-language")):
            code = (declared or "").strip().replace("_", "-").split("-")[0].lower()
            if _LANGUAGE_CODE.match(code):
                return code
        return "fr"


def is_url(value: Any) -> bool:
    """Whether `urlsplit` can read `value` (its host and port included)."""
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        _ = urlsplit(value).port
    except ValueError:
        return False
    return True


def _flatten_json_ld(data: Any) -> Iterator[dict[str, Any]]:
    """The objects of lists and `@graph`s in document order, without recursion: a
    page may nest them as deep as the JSON parser allows."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.append(item["@graph"])
            else:
                yield item


_BINARY_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    sample = text[:2048]
    return len(_BINARY_CHARS.findall(sample)) > len(sample) * 0.1


def json_ld_text(value: Any) -> str | None:
    """A JSON-LD value where schema.org wants text: a string, else absent (None).

    Pages put numbers, objects and lists there too; none of them is a headline."""
    return value if isinstance(value, str) else None


def json_ld_names(value: Any) -> list[str]:
    """Names out of a schema.org Person/Organization value, a string or a list of them
    (one level: a list of lists names nobody)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name:
            names.append(name)
    return names


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


MAX_DURATION_S = 366 * 86400  # longer is a typo or junk, and may not fit BSON's int64
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(value: Any) -> int | None:
    """Seconds from an ISO 8601 duration such as `PT2M30S`, or a number of seconds;
    None for anything else, including infinities and more than `MAX_DURATION_S`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        seconds = float(value.strip())
    elif isinstance(value, str):
        match = _ISO_DURATION.match(value.strip().upper())
        if not match or not any(match.groups()):
            return None
        days, hours, minutes, secs = (float(group or 0) for group in match.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
    else:
        return None
    return int(seconds) if 0 <= seconds <= MAX_DURATION_S else None
