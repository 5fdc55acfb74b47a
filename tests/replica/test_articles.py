"""Article, live and video pages: weight, head, JSON-LD and the template's classes."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import html

from replica import ReplicaServer, ReplicaSite
from tests.replica.client import fetch, get_json, json_ld, of_type

COMPACT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]00$")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def full_truth(base):
    return get_json(f"{base}/_replica/articles.json?full=1")


def _sample(full_truth: dict, kind: str, count: int = 4) -> list[dict]:
    articles = [a for a in full_truth["articles"] if a["kind"] == kind and a["quirk"] is None]
    assert articles, kind
    step = max(1, len(articles) // count)
    return articles[::step][:count]


def _offset_ok(value: str) -> bool:
    moment = datetime.fromisoformat(value)
    return moment.utcoffset() == moment.astimezone(PARIS).utcoffset()


@pytest.mark.parametrize("kind", ["article", "live", "video"])
def test_pages_weigh_250_to_350_kb(base, full_truth, kind):
    for article in _sample(full_truth, kind):
        response = fetch(article["url"])
        assert response.status == 200
        assert response.header("content-type") == "text/html; charset=utf-8"
        assert 250_000 <= len(response.body) <= 350_000, (article["url"], len(response.body))
        main = response.tree().xpath("//main")[0]
        assert len(html.tostring(main)) < 60_000, "the padding must stay outside <main>"


def test_article_head_and_json_ld(base, full_truth):
    for article in _sample(full_truth, "article"):
        tree = fetch(article["url"]).tree()
        assert tree.xpath('//link[@rel="canonical"]/@href') == [article["url"]]
        assert tree.xpath('//link[@rel="amphtml"]/@href') == [article["url"][: -len(".html")] + ".amp"]
        meta = {}
        for node in tree.xpath("//meta[@property]"):
            meta.setdefault(node.get("property"), []).append(node.get("content"))
        assert meta["og:locale"] == ["fr_FR"]
        assert meta["og:type"] == ["article"]
        assert meta["article:published_time"] == [article["published"]]
        assert meta["article:modified_time"] == [article["modified"]]
        assert meta["article:tag"] == article["tags"]
        assert _offset_ok(article["published"])
        documents = json_ld(tree)
        news = of_type(documents, "NewsArticle")
        assert news["headline"] == article["title"]
        assert news["description"] == article["standfirst"]
        assert COMPACT_DATE.match(news["datePublished"]) and COMPACT_DATE.match(news["dateModified"])
        assert datetime.strptime(news["dateModified"], "%Y-%m-%dT%H:%M:%S%z") == datetime.fromisoformat(
            article["modified"]
        )
        assert len(news["image"]) == 3
        assert news["Publisher"]["name"] == "Franceinfo"
        assert news["author"] == {"@type": "Person", "name": article["desk"]}
        assert isinstance(news["keywords"], str) and article["tags"][0] in news["keywords"].split(", ")
        assert news["wordcount"] > 50
        assert article["body"][0].startswith(news["articleBody"])
        crumbs = of_type(documents, "BreadcrumbList")["itemListElement"]
        assert [c["item"]["@id"] for c in crumbs][-1] == f"{base}/{article['section']}/{article['subsection']}/"


def test_article_markup_follows_the_template(base, full_truth):
    for article in _sample(full_truth, "article"):
        tree = fetch(article["url"]).tree()
        root = tree.xpath("//main[@id='base-page__main-content']/article[@id='js--content']")[0]
        assert "content--classic" in root.get("class")
        assert root.xpath("string(.//h1[@class='c-title']/span[@class='c-title__main'])") == article["title"]
        assert root.xpath("string(.//p[@class='c-chapo'])") == article["standfirst"]
        published = root.xpath(".//div[@class='c-time']//span[@class='publication-date__published']/time")[0]
        assert published.get("datetime") == article["published"]
        assert re.match(r"^le \d{2}/\d{2}/\d{4} \d{2}:\d{2}$", published.text)
        modified = root.xpath(".//span[@class='publication-date__modified']/time/@datetime")
        assert modified == ([article["modified"]] if article["revision"] > 1 else [])
        names = root.xpath(".//section[@class='c-signature']//div[@class='c-signature__names']")[0]
        assert names.xpath("string(span)") == ", ".join(article["authors"])
        assert names.xpath("string(a[@class='author-link'])") == article["desk"]
        assert root.xpath("string(.//span[@class='c-signature__groups'])") == "France Télévisions"
        img = root.xpath(".//div[contains(@class,'c-cover')]//img[@data-src]")[0]
        assert "placeholder" in img.get("src")
        assert re.search(r"\([A-Z0-9 .'-]+(?: / AFP)?\)$", img.get("alt"))
        assert root.xpath(".//div[contains(@class,'c-cover')]//noscript")
        body = root.xpath(".//div[@class='c-body']")[0]
        texts = [node.text_content() for node in body.xpath("./p | ./h2[@class='subheader']")]
        assert texts == article["body"]
        if len(article["body"]) >= 4:
            assert body.xpath("./div[@class='ad-wrapper']") and body.xpath("./div[@class='newsletter-box']")
        tags = root.xpath(".//section[@class='related-tags']/a[contains(@class,'related-tags__tag')]/span")
        assert [t.text for t in tags] == article["tags"]
        assert root.xpath(".//section[contains(@class,'a-regarder')]//a[contains(@class,'card-video')]")
        assert root.xpath(".//section[@id='comments']")
        assert tree.xpath("//main/following-sibling::nav[@class='breadcrumb']/ol/li[@class='breadcrumb__item']/a")
        assert tree.xpath("//div[@id='didomi-host'][not(ancestor::main)]")
        for chrome in ("//style", "//svg[symbol]", "//header//nav", "//footer"):
            assert tree.xpath(chrome) and not tree.xpath(f"//main{chrome[1:]}"), chrome


def test_some_article_has_lire_aussi_and_subheaders(base, full_truth):
    articles = [a for a in full_truth["articles"] if a["kind"] == "article" and a["quirk"] is None]
    with_subheader = next(a for a in reversed(articles) if len(a["body"]) >= 7 and any(len(b) < 40 for b in a["body"]))
    tree = fetch(with_subheader["url"]).tree()
    assert tree.xpath("//div[@class='c-body']/h2[@class='subheader']")
    lire = tree.xpath("//div[@class='c-body']/div[@class='a-lire-aussi']/a/@href")
    assert lire and lire[0].endswith(".html")


def test_live_page_loads_its_posts_after_the_page(base, full_truth):
    """Like the real site: the page ships an empty container and a script; the
    posts come from an XHR (`/_live/<id>.json`), newest first."""
    for article in _sample(full_truth, "live", 2):
        tree = fetch(article["url"]).tree()
        assert tree.xpath("//article[contains(@class,'content-live')]")
        box = tree.xpath("//div[@class='c-live__posts']")[0]
        assert len(box) == 0 and box.get("data-live-url") == f"/_live/{article['id']}.json"
        assert "fetch(box.dataset.liveUrl)" in html.tostring(tree, encoding="unicode")
        posts = get_json(base + box.get("data-live-url"))
        assert len(posts) == len(article["live_posts"]) >= 2
        assert [p["datetime"] for p in posts] == sorted((p["datetime"] for p in posts), reverse=True)
        assert re.match(r"^\d{2}h\d{2}$", posts[0]["clock"])
        assert (posts[0]["title"], posts[0]["text"]) == (
            article["live_posts"][0]["title"],
            article["live_posts"][0]["text"],
        )
        live = of_type(json_ld(tree), "LiveBlogPosting")
        assert "liveBlogUpdate" not in live and live["headline"]
        assert article["client_rendered"] is True
        assert "/direct-" in article["url"]


def test_video_page(base, full_truth):
    for article in _sample(full_truth, "video", 2):
        tree = fetch(article["url"]).tree()
        assert tree.xpath("string(//div[@class='hero-video']/h1[@class='hero-video__title'])") == article["title"]
        figure = tree.xpath("//div[@class='hero-video']/figure[contains(@class,'francetv-player-wrapper')]")[0]
        assert figure.get("id") == article["video"]["uuid"] and figure.xpath("img")
        documents = json_ld(tree)
        video = of_type(documents, "VideoObject")
        assert set(video) >= {"name", "description", "uploadDate", "duration", "embedUrl", "thumbnailUrl"}
        assert re.match(r"^PT(\d+M)?\d+S$", video["duration"])
        assert of_type(documents, "NewsArticle")
        assert 1 <= len(tree.xpath("//div[@class='c-body']/p")) <= 4
        assert "/video-" in article["url"]


def test_amp_page_is_lighter_with_a_clean_canonical(base, full_truth):
    article = _sample(full_truth, "article", 1)[0]
    response = fetch(article["url"][: -len(".html")] + ".amp")
    assert response.status == 200
    assert len(response.body) < 100_000
    tree = response.tree()
    assert tree.xpath('//link[@rel="canonical"]/@href') == [article["url"]]
    assert of_type(json_ld(tree), "NewsArticle")["headline"] == article["title"]


def test_url_variants_serve_the_same_page(base, quirks):
    seen = set()
    for entry in quirks["quirks"]:
        if entry["case"] in ("tracking_query", "trailing_slash") and entry["case"] not in seen:
            seen.add(entry["case"])
            variant, clean = fetch(entry["url"]), fetch(entry["canonical"])
            assert variant.status == 200 and variant.body == clean.body
    assert seen == {"tracking_query", "trailing_slash"}


def test_uppercase_host_variant_when_the_base_host_is_a_name():
    site = ReplicaSite(articles=300, seed=1)
    with ReplicaServer(site, port=0) as server:
        server.base_url = f"http://localhost:{server.port}"
        quirks = get_json(f"http://127.0.0.1:{server.port}/_replica/quirks.json")["quirks"]
        upper = [e for e in quirks if e["case"] == "uppercase_host"]
        assert upper and upper[0]["url"].startswith(f"http://LOCALHOST:{server.port}/")
        response = fetch(upper[0]["url"])
        assert response.status == 200
        assert response.tree().xpath('//link[@rel="canonical"]/@href') == [upper[0]["canonical"]]


def test_conditional_requests(base, truth):
    article = next(a for a in truth["articles"] if a["quirk"] is None)
    first = fetch(article["url"])
    etag, last_modified = first.header("etag"), first.header("last-modified")
    assert etag == f'"a{article["id"]}-r{article["revision"]}"' and last_modified
    assert fetch(article["url"], headers={"If-None-Match": etag}).status == 304
    assert fetch(article["url"], headers={"If-Modified-Since": last_modified}).status == 304
    assert fetch(article["url"], headers={"If-None-Match": '"other"'}).status == 200
    assert fetch(article["url"], headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
    not_modified = fetch(article["url"], headers={"If-None-Match": etag})
    assert not_modified.body == b"" and not_modified.header("etag") == etag


def test_dst_offsets_follow_europe_paris():
    """A year of articles (one a day) crosses both DST changes."""
    site = ReplicaSite(articles=365, per_day=1, seed=3)
    with ReplicaServer(site, port=0) as server:
        truth = get_json(f"{server.base_url}/_replica/articles.json")["articles"]
        offsets = {datetime.fromisoformat(a["published"]).utcoffset().total_seconds() / 3600 for a in truth}
        assert offsets == {1.0, 2.0}
        assert all(_offset_ok(a["published"]) for a in truth)
        summer = next(a for a in truth if a["published"].endswith("+02:00") and a["kind"] == "article")
        news = of_type(json_ld(fetch(summer["url"]).tree()), "NewsArticle")
        assert news["datePublished"].endswith("+0200")


def test_some_articles_inject_their_body_with_a_script(base, full_truth):
    rendered = [a for a in full_truth["articles"] if a["kind"] == "article" and a["client_rendered"]]
    assert rendered, "every 25th plain article is client-rendered"
    article = rendered[0]
    tree = fetch(article["url"]).tree()
    body = tree.xpath("//div[contains(@class,'c-body')]")[0]
    assert len(body) == 0 and body.get("data-client-rendered") == "true"
    blocks = get_json(base + body.get("data-body-url"))
    assert [text for _, text in blocks] == article["body"]
