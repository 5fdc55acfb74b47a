"""Page objects: a response's bytes (or a saved page) to a raw article, no network.

`crawler.sites` says which page object reads which site. The franceinfo page
objects never fall back to the generic one: a franceinfo page they can't read is
dropped with its reason.
"""

from crawler.read.base import HtmlPage, NotAnArticle, detect_encoding

__all__ = ["HtmlPage", "NotAnArticle", "detect_encoding"]
