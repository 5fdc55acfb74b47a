"""A tiny HTTP client for the replica tests: no redirects followed, nothing hidden."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree, html


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def tree(self) -> html.HtmlElement:
        return html.fromstring(self.body)

    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 10
) -> Fetched:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return Fetched(response.status, {k.lower(): v for k, v in response.getheaders()}, payload)
    finally:
        connection.close()


def get_json(url: str) -> dict:
    response = fetch(url)
    assert response.status == 200, (url, response.status)
    return json.loads(response.body)


def post_json(url: str, data: dict | None = None) -> dict:
    response = fetch(url, "POST", {"Content-Type": "application/json"}, json.dumps(data or {}).encode())
    assert response.status == 200, (url, response.status, response.body[:200])
    return json.loads(response.body)


def json_ld(tree: html.HtmlElement) -> list[dict]:
    return [json.loads(node.text) for node in tree.xpath('//script[@type="application/ld+json"]')]


def of_type(documents: list[dict], kind: str) -> dict | None:
    return next((document for document in documents if document.get("@type") == kind), None)
