"""One behaviour per test, on small pages written for the rule they check."""

from __future__ import annotations

import pytest

from crawler.read import NotAnArticle
from crawler.read.franceinfo import Franceinfo2013Page, Franceinfo2013VideoPage, FranceinfoArticlePage
from crawler.read.generic import GenericArticlePage
from crawler.sites import page_for, site_for

URL = "https://www.francetvinfo.fr/societe/un-sujet_7700000.html"


def article(body: str, head: str = "", extra: str = "") -> str:
    return f"""<html lang="fr"><head><meta charset="utf-8">{head}</head><body><main>
    <article class="page-content"><h1 class="c-title"><span class="c-title__main">Un titre</span></h1>
    {extra}<div class="c-body">{body}</div></article></main></body></html>"""


def paragraphs(html: str) -> list[str]:
    return page_for(URL, html).to_item()["paragraphs"]


@pytest.mark.parametrize(
    "boilerplate",
    [
        '<div class="a-lire-aussi"><span>Lire aussi</span><a href="/x_1.html">Autre sujet</a></div>',
        "<p>LIRE AUSSI : Autre sujet</p>",
        "<p>Lire aussi. Un autre sujet</p>",
        '<div class="ad-wrapper"><div id="ad-inread" class="ad">Publicité</div></div>',
        '<div class="newsletter-box"><p>Inscrivez-vous à la newsletter</p></div>',
        '<section class="social-zone"><p>Partager :</p></section>',
        '<blockquote class="twitter-tweet"><p>Un tweet</p></blockquote>',
        '<div id="didomi-host"><p>Nous utilisons des cookies. Accepter</p></div>',
        '<aside class="content-smartfeed"><p>Contenus sponsorisés</p></aside>',
        '<figure><img src="/pictures/a/1x1/2024/01/01/a.jpg" alt=""><figcaption>Une légende (AFP)</figcaption></figure>',
        "<script>var x = 'code';</script><style>p{}</style>",
    ],
)
def test_boilerplate_in_the_body_is_not_a_paragraph(boilerplate: str) -> None:
    assert paragraphs(article(f"<p>Premier.</p>{boilerplate}<p>Dernier.</p>")) == ["Premier.", "Dernier."]


def test_rails_and_comment_prompt_outside_the_body_are_not_paragraphs() -> None:
    rails = """<section class="a-regarder"><h2>À regarder</h2><ul><li><a href="/v_1.html">Vidéo</a></li></ul></section>
    <section id="comments"><h2>Commentaires</h2><p>Connectez-vous pour commenter.</p></section>"""
    html = article("<p>Seul paragraphe.</p>").replace("</article>", rails + "</article>")
    item = page_for(URL, html).to_item()
    assert item["paragraphs"] == ["Seul paragraphe."]
    assert item["related"] == [{"title": "Vidéo", "url": "/v_1.html"}]


def test_subheaders_and_list_items_keep_reading_order() -> None:
    body = '<p>Intro.</p><h2 class="subheader">Partie</h2><ul><li>un ;</li><li>deux.</li></ul><p>Fin.</p>'
    assert paragraphs(article(body)) == ["Intro.", "Partie", "un ;", "deux.", "Fin."]


def test_lazy_placeholder_is_replaced_by_the_real_image() -> None:
    cover = """<div class="c-cover"><figure><img class="lazyload"
      src="https://www.francetvinfo.fr/pictures/p/752x423/2023/07/06/64a68815cd1a7_placeholder-36b69ec8.png"
      data-src="https://www.francetvinfo.fr/pictures/h/752x423/2020/10/31/phpLli898.jpg"
      alt="Nikol Pachinian à Erevan. (KAREN MINASYAN / AFP)"></figure></div>"""
    images = page_for(URL, article("<p>Texte.</p>", extra=cover)).to_item()["images"]
    assert images == [
        {
            "url": "https://www.francetvinfo.fr/pictures/h/752x423/2020/10/31/phpLli898.jpg",
            "caption": "Nikol Pachinian à Erevan.",
            "credit": "KAREN MINASYAN / AFP",
        }
    ]


@pytest.mark.parametrize(
    "img",
    [
        '<img src="https://www.francetvinfo.fr/pictures/p/752x423/2023/07/06/64a68815cd1a7_placeholder-36b69ec8.png">',
        '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAUEBAAAACwAAAAAAQABAAACAkQBADs=">',
        '<img src="https://stats.example/pixel.gif" width="1" height="1">',
    ],
)
def test_placeholders_and_pixels_are_not_images(img: str) -> None:
    cover = f'<div class="c-cover"><figure>{img}</figure></div>'
    assert page_for(URL, article("<p>Texte.</p>", extra=cover)).to_item()["images"] == []


def test_signature_names_and_desk_are_authors_before_json_ld() -> None:
    signature = """<section class="c-signature"><div class="c-signature__names">
      <span>J. Bigard, A. Boulet</span> - <a class="author-link">France 2</a></div></section>"""
    head = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Un titre","author":{"@type":"Person","name":"France 2"}}</script>'
    item = page_for(URL, article("<p>Texte.</p>", head=head, extra=signature)).to_item()
    assert item["authors"] == ["J. Bigard", "A. Boulet", "France 2"]


def test_json_ld_author_is_the_fallback() -> None:
    head = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Un titre","author":[{"name":"A"},{"name":"B"}]}</script>'
    assert page_for(URL, article("<p>Texte.</p>", head=head)).to_item()["authors"] == ["A", "B"]


def test_broken_json_ld_is_skipped_not_fatal() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    item = page_for(URL, article("<p>Texte.</p>", head=head)).to_item()
    assert item["title"] == "Un titre"


def test_headline_loses_the_site_suffix() -> None:
    head = '<meta property="og:title" content="Un autre titre - franceinfo">'
    html = article("<p>Texte.</p>", head=head).replace('<span class="c-title__main">Un titre</span>', "")
    assert page_for(URL, html).to_item()["title"] == "Un autre titre"


def test_free_access_comes_only_from_the_page() -> None:
    free = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"T","isAccessibleForFree":false}</script>'
    )
    assert page_for(URL, article("<p>x</p>", head=free)).to_item()["free_access"] is False
    assert page_for(URL, article("<p>x</p>")).to_item()["free_access"] is None


def test_live_and_video_kinds_come_from_the_url_or_markup() -> None:
    live_url = "https://www.francetvinfo.fr/monde/direct-guerre_7700001.html"
    assert page_for(live_url, article("<p>x</p>")).kind == "live"
    video_url = "https://www.francetvinfo.fr/monde/video-un-sujet_7700002.html"
    assert page_for(video_url, article("<p>x</p>")).kind == "video"
    live_markup = article("<p>x</p>").replace('class="page-content"', 'class="page-content content-live"')
    assert page_for(URL, live_markup).kind == "live"


def test_2013_template_is_chosen_by_its_markup() -> None:
    old = '<html><body><div id="col-middle"><h1>Vieux</h1><div class="text"><p>Texte.</p></div></div></body></html>'
    assert isinstance(page_for(URL, old), Franceinfo2013Page)
    assert type(page_for(URL, article("<p>x</p>"))) is FranceinfoArticlePage


def old_template(article_class: str, inside: str, body: str, after: str = "") -> str:
    return f"""<html lang="fr"><body><article class="{article_class}"><h1>Vieux titre</h1>{inside}
    <div class="col-left"><div class="authors-list"><a class="author" href="/journaliste/a-b">Anne Bé</a>
    <span class="group">France Télévisions</span></div></div>
    <div id="col-middle" class="text">{body}{after}</div></article></body></html>"""


def test_old_template_reads_its_standfirst_byline_and_tag_box() -> None:
    html = old_template(
        "",
        "<h2>Le chapô.</h2>",
        "<p>Texte.</p><p><figure><img src='/image/a/1.jpg' alt='x'><figcaption>Une photo. (X / AFP)</figcaption></figure></p>",
        '<aside class="tags"><ul><li><a rel="tag" href="/b/">B</a></li><li><a rel="tag" href="/a/">A</a></li></ul></aside>',
    )
    item = page_for(URL, html.replace("<body>", '<body><meta property="article:tag" content="A">')).to_item()
    assert item["lead"] == "Le chapô."
    assert item["paragraphs"] == ["Texte."]  # the caption inside <p> is no paragraph
    assert item["authors"] == ["Anne Bé"]  # the group line is the employer
    assert item["tags"] == ["B", "A"]
    assert item["images"] == [{"url": "/image/a/1.jpg", "caption": "Une photo.", "credit": "X / AFP"}]


def test_old_template_video_page_reads_its_player_and_skips_the_jt_list() -> None:
    player = """<section class="player-info"><p class="schedule"><span>Durée : 01h05</span></p></section>
    <figure id="catchup"></figure><script>player.load({src:'ab12cd34-0000'});</script>"""
    subjects = '<div class="subjects-title">Tous les sujets</div><ul class="subjects-list"><li><p>Sujet</p></li></ul>'
    page = page_for(URL, old_template("content-video", player, "<p>Texte.</p>", subjects))
    assert isinstance(page, Franceinfo2013VideoPage)
    item = page.to_item()
    assert (item["kind"], item["lead"], item["paragraphs"]) == ("video", None, ["Texte."])
    assert item["video"] == {"url": "https://embed.francetv.fr/?ue=ab12cd34-0000", "duration_s": 3900}


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty_page"),
        ("   \n ", "empty_page"),
        ("<html><body><nav>Menu</nav></body></html>", "not_article"),
        (article("<p>Texte.</p>").replace("Un titre", ""), "no_title"),
        (article(""), "empty_body"),
        (article('<div class="ad">Publicité</div>'), "empty_body"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "\x00\x01" * 200, "not_html"),
    ],
)
def test_pages_that_are_not_articles_say_why(html: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as raised:
        page_for(URL, html).to_item()
    assert raised.value.reason == reason


def test_registry_picks_the_site_by_host_or_key() -> None:
    assert site_for(URL).key == "franceinfo"
    assert site_for("https://www.franceinfo.fr/a_1.html").key == "franceinfo"
    assert site_for("http://127.0.0.1:8765/monde/a_1.html", "franceinfo").key == "franceinfo"
    assert site_for("https://www.journal-exemple.fr/a").key == "generic"
    assert site_for("https://www.lemonde.fr/a").key == "lemonde"
    with pytest.raises(ValueError, match="unknown site 'lequipe'"):
        site_for(URL, "lequipe")


def test_franceinfo_never_falls_back_to_the_generic_page() -> None:
    page = page_for(URL, "<html><body><article><p>Un long texte sans balisage du site.</p></article></body></html>")
    assert not isinstance(page, GenericArticlePage)
    with pytest.raises(NotAnArticle):
        page.to_item()
