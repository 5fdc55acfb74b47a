"""What every page object shares: decoding, one parse, JSON-LD and meta views.

A page object takes a URL and HTML (a Scrapy response or a saved file), does no
I/O, and returns a raw article: a plain dict whose keys are the schema's fields
before normalization. It raises `NotAnArticle` with a short reason when the page
is not an article it can read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import Any

from cssselect import GenericTranslator
from lxml import etree, html
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from crawler.normalize import clean_text

SINGLE_BYTE_ENCODINGS = frozenset({"latin-1", "latin1", "iso-8859-1", "iso8859-1", "cp1252", "windows-1252", "ascii"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
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
    declared = bom or http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    encoding = resolve_encoding(declared or "utf-8") or "utf-8"
    if encoding.lower().replace("_", "-") in SINGLE_BYTE_ENCODINGS and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return encoding
        return "utf-8"
    return encoding


@lru_cache(maxsize=32)
def _parser(encoding: str | None) -> html.HTMLParser:
    return html.HTMLParser(remove_comments=True, huge_tree=True, collect_ids=False, encoding=encoding)


_VISIBLE_TEXT = etree.XPath(
    "descendant-or-self::text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)


def node_text(node: etree._Element) -> str:
    """Visible text of a node: scripts, styles and noscript left out."""
    return clean_text("".join(_VISIBLE_TEXT(node)))


class HtmlPage:
    """One parse of a page, with cached views that several fields read.

    Built from text, or from bytes and their encoding (lxml then decodes while
    parsing, which is faster than decoding first)."""

    def __init__(self, url: str, html: str | bytes, encoding: str | None = None) -> None:
        self.url = url
        self.html = html
        self.encoding = encoding if isinstance(html, bytes) else None

    @cached_property
    def tree(self) -> html.HtmlElement:
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
            root = html.document_fromstring(source, parser=_parser(self.encoding))
        except (etree.ParserError, ValueError, LookupError) as error:
            raise NotAnArticle("unparsable_html", str(error)) from error
        if root is None:
            raise NotAnArticle("unparsable_html")
        return root

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

    def select(self, selector: str, node: etree._Element | None = None) -> list[etree._Element]:
        """CSS selection under `node`, by default under `content_root`."""
        return css(selector)(self.content_root if node is None else node)

    def first(self, selector: str, node: etree._Element | None = None) -> etree._Element | None:
        found = self.select(selector, node)
        return found[0] if found else None

    def text_of(self, selector: str, node: etree._Element | None = None) -> str:
        element = self.first(selector, node)
        return node_text(element) if element is not None else ""

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` values by name or property (lower-case); repeated keys keep every value."""
        values: dict[str, list[str]] = {}
        for element in self.tree.iter("meta"):
            key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
            content = element.get("content")
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
            except ValueError:
                continue
            objects.extend(_flatten_json_ld(data))
        return objects

    def json_ld_of_type(self, *types: str) -> dict[str, Any] | None:
        wanted = set(types)
        for obj in self.json_ld:
            declared = obj.get("@type")
            declared = set(declared) if isinstance(declared, list) else {declared}
            if declared & wanted:
                return obj
        return None

    @cached_property
    def canonical_link(self) -> str | None:
        for link in self.tree.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                return link.get("href")
        return None

    @cached_property
    def language(self) -> str:
        declared = self.tree.get("lang") or self.meta_first("og:locale", "content-language") or "fr"
        return declared.replace("_", "-").split("-")[0].lower() or "fr"


def _flatten_json_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_json_ld(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten_json_ld(data["@graph"])
        else:
            yield data


_BINARY_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    sample = text[:2048]
    return len(_BINARY_CHARS.findall(sample)) > len(sample) * 0.1


def json_ld_names(value: Any) -> list[str]:
    """Names out of a schema.org Person/Organization value, a string or a list of them."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for item in value for name in json_ld_names(item)]
    return []


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(value: Any) -> int | None:
    """Seconds from an ISO 8601 duration such as `PT2M30S`, or a number of seconds."""
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str):
        return None
    if value.strip().isdigit():
        return int(value.strip())
    match = _ISO_DURATION.match(value.strip().upper())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(group or 0) for group in match.groups())
    return int(days * 86400 + hours * 3600 + minutes * 60 + seconds)
