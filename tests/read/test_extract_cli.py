"""`python -m crawler.extract` on good and bad pages, as a person runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.read import PAGES

GOOD = PAGES / "franceinfo" / "real-2022-penurie-carburant"
URL = json.loads((GOOD / "meta.json").read_text())["url"]


# The CLI prints only what the crawl would store: a page needs a publication date.
DATED = '<meta property="article:published_time" content="2024-03-05T10:00:00+01:00">'


def run_extract(page: Path, url: str = URL, *options: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.extract", str(page), "--url", url, *options],
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_prints_the_article_as_utf8_json_with_utc_z_dates() -> None:
    result = run_extract(GOOD / "input.html")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert "Pénurie" in out, "not ASCII-escaped"
    article = json.loads(out)
    assert article["published_at"] == "2022-10-14T18:48:48Z"
    assert article == json.loads((GOOD / "output.json").read_text(encoding="utf-8"))


def assert_refused(result: subprocess.CompletedProcess[bytes], reason: str) -> None:
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], lines
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty_page"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "not_html"),
        (b"<html><head><title>Accueil</title></head><body><nav>Menu</nav></body></html>", "not_article"),
        (
            b'<html><body><article><h1 class="c-title"></h1><div class="c-body"><p>Texte.</p></div></article></body></html>',
            "no_title",
        ),
        (
            b'<html><body><article><h1 class="c-title">T</h1><div class="c-body"></div></article></body></html>',
            "empty_body",
        ),
    ],
    ids=["empty", "binary", "section-page", "no-title", "empty-body"],
)
def test_bad_pages_exit_2_with_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    assert_refused(run_extract(page), reason)


def test_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    assert_refused(run_extract(tmp_path / "absent.html"), "cannot read")


def test_truncated_page_still_gives_what_arrived(tmp_path: Path) -> None:
    body = (GOOD / "input.html").read_bytes()
    cut = body[: body.index(b"Le mouvement pourrait")]
    page = tmp_path / "page.html"
    page.write_bytes(cut)
    result = run_extract(page)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Pénurie de carburant : la CGT adopte la stratégie du blocage"
    assert len(article["paragraphs"]) == 3


def test_page_declared_latin1_but_written_in_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    body = (GOOD / "input.html").read_bytes()
    page = tmp_path / "page.html"
    page.write_bytes(b'<html><head><meta charset="iso-8859-1"></head><body>' + body + b"</body></html>")
    article = json.loads(run_extract(page).stdout)
    assert article["title"] == "Pénurie de carburant : la CGT adopte la stratégie du blocage"


def test_real_latin1_page_is_read_as_latin1(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="iso-8859-1">{DATED}</head><body><article><h1 class="c-title">Été brûlant</h1><div class="c-body"><p>Très chaud.</p></div></article></body></html>'
    page = tmp_path / "page.html"
    page.write_bytes(html.encode("latin-1"))
    article = json.loads(run_extract(page).stdout)
    assert article["title"] == "Été brûlant"
    assert article["paragraphs"] == ["Très chaud."]


def test_five_megabyte_page_is_read(tmp_path: Path) -> None:
    body = (GOOD / "input.html").read_bytes()
    padding = b"<div class='menu'>" + b"<a href='/x'>lien de navigation</a>" * 150_000 + b"</div>"
    page = tmp_path / "page.html"
    page.write_bytes(padding + body)
    assert page.stat().st_size > 5_000_000
    result = run_extract(page)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["paragraphs"]) == 4


def test_deeply_nested_markup_is_no_crash(tmp_path: Path) -> None:
    nested = b"<div>" * 50_000 + b"texte" + b"</div>" * 50_000
    page = tmp_path / "page.html"
    page.write_bytes(
        b"<html><head>"
        + DATED.encode()
        + b'</head><body><article><h1 class="c-title">T</h1><div class="c-body"><p>Texte.</p></div>'
        + nested
        + b"</article></body></html>"
    )
    result = run_extract(page)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["paragraphs"] == ["Texte."]


def dated_page(json_ld: str, head: str = "") -> bytes:
    return (
        f'<html><head><script type="application/ld+json">{json_ld}</script>{head}</head><body><article>'
        '<h1 class="c-title">Titre</h1><div class="c-body"><p>Texte.</p></div></article></body></html>'
    ).encode()


@pytest.mark.parametrize(
    "page",
    [
        dated_page('{"@type": "NewsArticle", "datePublished": "9999-12-31T23:59:59Z"}'),
        dated_page('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}'),
        dated_page("{}", '<meta property="article:published_time" content="9999-12-31T23:59:59Z">'),
        dated_page('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00"}'),
    ],
    ids=["ld-9999", "ld-0001", "meta-9999", "ld-0001-paris"],
)
def test_a_date_at_the_edge_of_the_calendar_exits_2_with_one_line(tmp_path: Path, page: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(page)
    assert_refused(run_extract(path), "invalid published_at")


@pytest.mark.parametrize(
    "json_ld",
    [
        '{"@type": "NewsArticle", "headline": 42, "datePublished": {}}',
        '{"@type": "NewsArticle", "author": [{"name": ["a"]}], "description": [1]}',
        '{"@type": [{}], "headline": "x"}',
        '{"@type": 5}',
        '{"headline": "sans type"}',
        '{"@type": "BreadcrumbList", "itemListElement": 42}',
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["wrong-types", "author-name-list", "type-list-of-objects", "type-number", "no-type", "list-is-number", "deep"],
)
def test_json_ld_of_the_wrong_shape_reads_as_absent(tmp_path: Path, json_ld: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(dated_page(json_ld, DATED))
    result = run_extract(path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Titre"


def test_a_lone_surrogate_in_the_headline_is_cleaned_out(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    page = dated_page('{"@type": "NewsArticle", "headline": "Avant\\ud800 après"}', DATED)
    path.write_bytes(page.replace(b'<h1 class="c-title">Titre</h1>', b""))  # the headline is then the title
    result = run_extract(path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Avant après"


def test_content_type_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(dated_page("{}", DATED).replace(b"Titre", "Été".encode()).decode().encode("utf-16-le"))
    result = run_extract(path, URL, "--content-type", "text/html; charset=utf-16le")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Été"
