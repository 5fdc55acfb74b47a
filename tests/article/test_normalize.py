from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.article.normalize import (
    canonical_url,
    clean_text,
    content_hash,
    date_path,
    normalize_article,
    parse_datetime,
)
from crawler.read.franceinfo import HOST_ALIASES

ARTICLE = "https://www.francetvinfo.fr/monde/europe/une-affaire_7712345.html"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        "http://www.francetvinfo.fr/monde/europe/une-affaire_7712345.html",
        "https://WWW.FranceTVInfo.fr/monde/europe/une-affaire_7712345.html",
        "https://www.francetvinfo.fr:443/monde/europe/une-affaire_7712345.html",
        ARTICLE + "#xtor=RSS-3-[monde]",
        ARTICLE + "?xtor=CS2-765&utm_source=twitter&utm_medium=social&at_medium=x",
        ARTICLE + "/",
        "https://www.francetvinfo.fr/monde/europe/une-affaire_7712345.amp",
        "https://www.franceinfo.fr/monde/europe/une-affaire_7712345.html",
    ],
)
def test_url_variants_collapse_to_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant, host_aliases=HOST_ALIASES) == ARTICLE


def test_canonical_url_keeps_meaningful_query_and_resolves_relative_links() -> None:
    assert (
        canonical_url("/recherche?q=paris&utm_campaign=x", base=ARTICLE)
        == "https://www.francetvinfo.fr/recherche?q=paris"
    )


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/monde/a_1.html", "https://www.francetvinfo.fr/monde/a_1.html"),
        ("/monde/../politique/b_2.html", "https://www.francetvinfo.fr/politique/b_2.html"),
        ("//www.francetvinfo.fr/sports/c_3.html", "https://www.francetvinfo.fr/sports/c_3.html"),
        ("d_4.html", "https://www.francetvinfo.fr/monde/europe/d_4.html"),
        ("./e_5.html#top", "https://www.francetvinfo.fr/monde/europe/e_5.html"),
    ],
)
def test_relative_links_resolve_like_a_browser(link: str, expected: str) -> None:
    assert canonical_url(link, base="https://www.francetvinfo.fr/monde/europe/x_9.html?page=2") == expected


def test_clean_text_collapses_every_kind_of_whitespace_run() -> None:
    assert clean_text("a\tb\n\nc  d \r\n e f") == "a b c d e f"


def test_loopback_replica_keeps_plain_http_and_its_port() -> None:
    assert canonical_url("http://127.0.0.1:8765/monde/a_1.html?xtor=RSS") == "http://127.0.0.1:8765/monde/a_1.html"
    assert canonical_url("http://LOCALHOST:8765/monde/a_1.html/") == "http://localhost:8765/monde/a_1.html"


def test_section_paths_keep_their_trailing_slash() -> None:
    assert canonical_url("https://www.francetvinfo.fr/monde/") == "https://www.francetvinfo.fr/monde/"


def test_date_path_prefers_the_url_date() -> None:
    published = datetime(2020, 10, 31, 23, 30, tzinfo=UTC)
    assert date_path("https://site.example/2020/10/30/a.html", published) == "2020/10/30"


def test_date_path_uses_paris_day_not_utc_day() -> None:
    published = datetime(2024, 7, 7, 22, 34, tzinfo=UTC)  # 00:34 on the 8th in Paris (UTC+2)
    assert date_path(ARTICLE, published) == "2024/07/08"
    winter = datetime(2024, 1, 7, 23, 10, tzinfo=UTC)  # 00:10 on the 8th in Paris (UTC+1)
    assert date_path(ARTICLE, winter) == "2024/01/08"
    assert date_path(ARTICLE, None) is None


def test_invalid_date_in_url_is_ignored() -> None:
    published = datetime(2021, 3, 1, 12, tzinfo=UTC)
    assert date_path("https://site.example/2021/02/30/a.html", published) == "2021/03/01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-03T22:32:50+0100", "2022-01-03T21:32:50"),
        ("2022-10-14T20:48:48+02:00", "2022-10-14T18:48:48"),
        ("2022-10-14T18:48:48Z", "2022-10-14T18:48:48"),
        ("2022-10-14T20:48:48", "2022-10-14T18:48:48"),  # no offset: Paris summer time
        ("2022-12-14T20:48:48", "2022-12-14T19:48:48"),  # no offset: Paris winter time
        ("le 14/10/2022 20:48", "2022-10-14T18:48:00"),
        ("26/08/2013 | 15:03", "2013-08-26T13:03:00"),
        ("samedi 31 octobre 2020 à 18h05", "2020-10-31T17:05:00"),  # the week after DST ended
        ("dimanche 25 octobre 2020 à 01h30", "2020-10-24T23:30:00"),  # before the 3 a.m. switch
        ("1er mars 2024", "2024-02-29T23:00:00"),
        ("29 mars 2026 à 12h00", "2026-03-29T10:00:00"),  # DST started that night
    ],
)
def test_dates_become_utc_with_paris_rules(value: str, expected: str) -> None:
    parsed = parse_datetime(value)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.astimezone(UTC).replace(tzinfo=None).isoformat() == expected


@pytest.mark.parametrize("value", [None, "", "hier", "32/13/2020", "bientôt"])
def test_unreadable_dates_are_none(value: str | None) -> None:
    assert parse_datetime(value) is None


def test_clean_text_normalizes_spaces_and_unicode_but_keeps_quotes() -> None:
    assert clean_text("  Haut-Karabakh\u00a0: «\u202fsa sécurité\u202f»\u200b  ") == "Haut-Karabakh : « sa sécurité »"
    assert clean_text("Cafe\u0301 d\u2019Arménie") == "Café d\u2019Arménie"
    assert clean_text("“cité”") == "“cité”"


def test_content_hash_changes_with_any_visible_part() -> None:
    base = content_hash("Titre", "Chapô", "Texte")
    assert base == content_hash("Titre", "Chapô", "Texte")
    assert base != content_hash("Titre", "Chapô", "Texte modifié")
    assert base != content_hash("Titre", None, "Texte")
    assert base != content_hash("Titre 2", "Chapô", "Texte")


def raw(**overrides: object) -> dict:
    article = {
        "url": ARTICLE + "?utm_source=rss",
        "canonical_url": None,
        "source": "franceinfo",
        "title": "Titre",
        "lead": "Chapô",
        "paragraphs": ["Un\u00a0paragraphe.", "  ", "Un autre  paragraphe."],
        "published_at": "2024-03-31T01:30:00+0100",
        "modified_at": "2024-03-31T01:30:00+0100",
    }
    article.update(overrides)
    return article


def test_normalize_article_builds_the_derived_fields() -> None:
    doc = normalize_article(raw(), HOST_ALIASES)
    assert doc["url"] == ARTICLE
    assert doc["paragraphs"] == ["Un paragraphe.", "Un autre paragraphe."]
    assert doc["text"] == "Un paragraphe.\n\nUn autre paragraphe."
    assert doc["word_count"] == 5
    assert doc["date_path"] == "2024/03/31"
    assert doc["modified_at"] is None, "a modification date equal to publication is no modification"
    assert doc["content_hash"] == content_hash("Titre", "Chapô", doc["text"])


def test_canonical_link_is_honoured_only_on_the_same_site() -> None:
    same = normalize_article(raw(canonical_url="/monde/europe/la-vraie-url_7712345.html"), HOST_ALIASES)
    assert same["url"] == "https://www.francetvinfo.fr/monde/europe/la-vraie-url_7712345.html"
    other = normalize_article(raw(canonical_url="https://agregateur.example/copie.html"), HOST_ALIASES)
    assert other["url"] == ARTICLE
    alias = normalize_article(
        raw(canonical_url="https://www.franceinfo.fr/monde/europe/une-affaire_7712345.html"), HOST_ALIASES
    )
    assert alias["url"] == ARTICLE


def test_live_posts_come_newest_first() -> None:
    posts = [
        {"published_at": "2023-11-02T06:02:00+0100", "title": "Premier", "text": "a"},
        {"published_at": "2023-11-02T09:41:00+0100", "title": "Dernier", "text": "b"},
    ]
    doc = normalize_article(raw(live_posts=posts), HOST_ALIASES)
    assert [post["title"] for post in doc["live_posts"]] == ["Dernier", "Premier"]


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",  # 01:00 on 1 January 10000 in Paris
        "0001-01-01T00:00:00",  # Paris time, so before year 1 in UTC
        "01/01/0001 00:05",
        "1er janvier 0001",
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_none(value: object) -> None:
    assert parse_datetime(value) is None


@pytest.mark.parametrize("value", [42, 1.5, {}, [], ["2022-10-14T18:48:48Z"], True])
def test_anything_but_text_or_a_datetime_is_no_date(value: object) -> None:
    assert parse_datetime(value) is None


def test_year_one_keeps_a_four_digit_date_path() -> None:
    assert date_path(ARTICLE, parse_datetime("0001-01-01T00:00:00Z")) == "0001/01/01"


def test_clean_text_drops_lone_surrogates_and_control_characters() -> None:
    assert clean_text("Avant\ud800 apr\udfffès\x00\x07\x1b\x7f") == "Avant après"
    assert clean_text("a\tb\nc") == "a b c", "tabs and newlines stay spaces"


@pytest.mark.parametrize("value", [42, 1e999, {"@value": "x"}, ["a"], True])
def test_clean_text_of_anything_but_a_string_is_empty(value: object) -> None:
    assert clean_text(value) == ""


def test_normalize_article_cleans_what_no_store_can_encode() -> None:
    doc = normalize_article(
        raw(title="T\ud800", lead=["liste"], authors=["A\udc00B", 7], tags="pas une liste", section=3), HOST_ALIASES
    )
    assert (doc["title"], doc["lead"], doc["authors"], doc["tags"], doc["section"]) == ("T", None, ["AB"], [], None)
    assert doc["content_hash"] == content_hash("T", None, doc["text"])


def test_links_that_are_no_url_are_left_out() -> None:
    doc = normalize_article(
        raw(
            canonical_url="http://[oops/",
            related=[{"title": "Port", "url": "https://x.example:99999/a_1.html"}, "junk", {"title": "Sans URL"}],
            images=[{"url": "http://[::1/i.jpg"}, {"url": 42}, "junk"],
            video={"url": ["pas une URL"], "duration_s": None},
            live_posts=[{"published_at": "2023-11-02T06:02:00+0100", "title": 3, "text": None}, "junk"],
        ),
        HOST_ALIASES,
    )
    assert (doc["url"], doc["related"], doc["images"], doc["video"]) == (ARTICLE, [], [], None)
    assert doc["live_posts"] == [{"published_at": datetime(2023, 11, 2, 5, 2, tzinfo=UTC), "title": None, "text": ""}]
