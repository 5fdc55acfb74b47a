"""`python -m crawler.extract` on good and bad pages, as a person runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = Path(__file__).parents[1] / "pages"
GOOD = PAGES / "franceinfo" / "real-2022-penurie-carburant"
URL = json.loads((GOOD / "meta.json").read_text())["url"]


def run_extract(page: Path, url: str = URL) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.extract", str(page), "--url", url], capture_output=True, timeout=60, check=False
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
    html = '<html><head><meta charset="iso-8859-1"></head><body><article><h1 class="c-title">Été brûlant</h1><div class="c-body"><p>Très chaud.</p></div></article></body></html>'
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
        b'<html><body><article><h1 class="c-title">T</h1><div class="c-body"><p>Texte.</p></div>'
        + nested
        + b"</article></body></html>"
    )
    result = run_extract(page)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["paragraphs"] == ["Texte."]
