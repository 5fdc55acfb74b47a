"""Tests of `crawler.read`; `pages/<site>/<case>/` holds each saved page next to its expected JSON."""

from pathlib import Path

PAGES = Path(__file__).parent / "pages"
