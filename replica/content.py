"""Seeded French text: titles and slugs at model time, article content at render time.

Content is a pure function of (site seed, article): the same seed always gives
the same pages, and an edit (a new entry in `Article.edits`) only appends text,
so revision N+1 is revision N plus one paragraph (or, on a live page, new posts).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from replica import words
from replica.dates import day_name, path_date

NBSP = "\u00a0"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclass(frozen=True, slots=True)
class Image:
    path: str
    alt: str
    caption: str | None


@dataclass(frozen=True, slots=True)
class LivePost:
    number: int
    ts: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Video:
    uuid: str
    duration_s: int
    thumbnail_path: str


@dataclass(frozen=True, slots=True)
class Content:
    """Everything a page shows about one revision of one article."""

    standfirst: str
    blocks: tuple[tuple[str, str], ...]
    signers: tuple[str, ...]
    desk: str
    tags: tuple[str, ...]
    image: Image
    live_posts: tuple[LivePost, ...]
    video: Video | None

    @property
    def paragraphs(self) -> list[str]:
        return [text for tag, text in self.blocks if tag == "p"]

    @property
    def first_sentence(self) -> str:
        texts = self.paragraphs or [post.text for post in self.live_posts] or [self.standfirst]
        first = texts[0]
        end = first.find(". ")
        return first if end < 0 else first[: end + 1]

    @property
    def wordcount(self) -> int:
        texts = [text for _, text in self.blocks] + [post.text for post in self.live_posts]
        return sum(len(text.split()) for text in texts)


def slugify(text: str, limit: int = 90) -> str:
    """'Haut-Karabakh : l’Arménie…' -> 'haut-karabakh-l-armenie…' (œ is dropped, as on the site)."""
    text = text.replace("’", "-").replace("'", "-")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "article"


def _colon(rng: random.Random) -> str:
    return f"{NBSP}: " if rng.random() < 0.6 else " : "


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(rng: random.Random) -> str:
    value = rng.choice([rng.randint(12, 99), rng.randint(100, 999), rng.randint(1000, 250000)])
    text = f"{value:,}".replace(",", NBSP)
    return text


def _fact(rng: random.Random) -> str:
    return (
        rng.choice(words.FACTS)
        .replace("{n}", _number(rng))
        .replace("{m}", str(rng.randint(10, 200)))
        .replace("{p}", f"{rng.randint(1, 80)},{rng.randint(0, 9)}")
    )


def make_title(rng: random.Random, section: str, kind: str) -> tuple[str, str]:
    """A headline and its slug; live slugs start with `direct-`, video slugs with `video-`."""
    topic = rng.choice(words.TOPICS[section])
    subject = rng.choice(words.SUBJECTS)
    verb = _conjugate(rng, subject, past=False)
    obj = rng.choice(words.OBJECTS)
    shape = rng.randrange(6)
    if shape == 0:
        title = f"{topic}{_colon(rng)}{subject} {verb} {obj}"
    elif shape == 1:
        title = f"{topic}{_colon(rng)}ce que l’on sait de {rng.choice(words.THINGS)}"
    elif shape == 2:
        title = f"«{NBSP}{rng.choice(words.QUOTES)}{NBSP}»{_colon(rng)}{subject} {verb} {obj}"
    elif shape == 3:
        title = f"{_cap(subject)} {verb} {obj} {rng.choice(words.PLACES)}"
    elif shape == 4:
        title = f"{topic}{_colon(rng)}{_fact(rng)}"
    else:
        title = f"{topic}{_colon(rng)}pourquoi {subject} {verb} {obj}"
    title = _cap(title)
    if kind == "live":
        return f"DIRECT. {title}", "direct-" + slugify(title)
    if kind == "video":
        return title, "video-" + slugify(title)
    return title, slugify(title)


def _conjugate(rng: random.Random, subject: str, past: bool) -> str:
    singular, plural, participle = rng.choice(words.VERBS)
    many = subject.startswith("les ")
    if past:
        return f"{'ont' if many else 'a'} {participle}"
    return plural if many else singular


def _sentence(rng: random.Random, published: int, shapes: int = 6) -> str:
    shape = rng.randrange(shapes)
    subject = rng.choice(words.SUBJECTS)
    past = _conjugate(rng, subject, past=True)
    if shape == 0:
        text = f"{rng.choice(words.CONNECTORS)} {subject} {past} {rng.choice(words.OBJECTS)} {rng.choice(words.PLACES)}, {day_name(published)}."
    elif shape == 1:
        person = rng.choice(words.PEOPLE)
        text = f"«{NBSP}{rng.choice(words.QUOTES)}{NBSP}», a déclaré {person}, {rng.choice(words.ROLES)}, à franceinfo."
    elif shape == 2:
        text = f"{rng.choice(words.CONNECTORS)} {_fact(rng)}."
    elif shape == 3:
        text = f"{subject} {past} {rng.choice(words.OBJECTS)}, selon un communiqué publié {day_name(published)}."
    elif shape == 4:
        person = rng.choice(words.PEOPLE)
        text = f"Pour {person}, {rng.choice(words.ROLES)}, {_fact(rng)}{NBSP}: «{NBSP}{rng.choice(words.QUOTES).lower()}{NBSP}»."
    else:
        text = rng.choice(words.CLOSINGS)
    return _cap(text)


def _paragraph(rng: random.Random, published: int) -> str:
    return " ".join(_sentence(rng, published) for _ in range(rng.randint(2, 4)))


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(length))


def _signers(rng: random.Random) -> tuple[str, ...]:
    names = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        names.append(f"{first[0]}. {last}" if rng.random() < 0.5 else f"{first} {last}")
    return tuple(dict.fromkeys(names))


def _image(rng: random.Random, published: int) -> Image:
    file = f"{rng.getrandbits(48):012x}_{rng.choice(('afp', 'maxppp', 'photo', 'phpLli898'))}.jpg"
    path = f"/pictures/{_token(rng, 27)}/752x423/{path_date(published)}/{file}"
    scene = rng.choice(words.PHOTO_SCENES)
    alt = f"{scene} {rng.choice(words.PLACES)}, {day_name(published)}. ({rng.choice(words.PHOTOGRAPHERS)})"
    return Image(path=path, alt=alt, caption=alt if rng.random() < 0.6 else None)


def _live_posts(rng: random.Random, seed: int, article_id: int, published: int, edits: tuple[int, ...]) -> list:
    posts = [LivePost(1, published, "Bienvenue dans ce direct", _paragraph(rng, published))]
    previous = published
    for revision, edited in enumerate(edits, start=2):
        post_rng = random.Random(seed * 1_000_003 + article_id * 257 + revision)
        count = post_rng.randint(1, 2)
        times = [*sorted(post_rng.randint(previous, edited) for _ in range(count - 1)), edited]
        for ts in times:
            title = post_rng.choice(words.LIVE_POST_TITLES)
            posts.append(LivePost(len(posts) + 1, ts, title, _paragraph(post_rng, ts)))
        previous = edited
    return posts[::-1]


def make_content(
    seed: int, article_id: int, section: str, subsection_label: str, kind: str, published: int, edits: tuple[int, ...]
) -> Content:
    """The article's text for the revision `1 + len(edits)`."""
    rng = random.Random(seed * 1_000_003 + article_id)
    standfirst = " ".join(_sentence(rng, published, shapes=4) for _ in range(rng.randint(1, 2)))
    count = rng.randint(1, 2) if kind == "video" else rng.randint(4, 12)
    blocks: list[tuple[str, str]] = [("p", _paragraph(rng, published)) for _ in range(count)]
    if kind == "article" and count >= 6 and rng.random() < 0.7:
        blocks.insert(count // 2, ("h2", rng.choice(words.SUBHEADERS)))
    if kind != "live":
        for revision, edited in enumerate(edits, start=2):
            edit_rng = random.Random(seed * 1_000_003 + article_id * 257 + revision)
            blocks.append(("p", _paragraph(edit_rng, edited)))
    tags = [rng.choice(words.TOPICS[section]), subsection_label]
    tags += rng.sample(words.GENERIC_TAGS, rng.randint(1, 3))
    signers = _signers(rng)
    desk = rng.choice(words.DESKS)
    image = _image(rng, published)
    video = None
    if kind == "video":
        bits = rng.getrandbits(96)
        uuid = f"{bits >> 64:08x}-{(bits >> 48) & 0xFFFF:04x}-11f0-{(bits >> 32) & 0xFFFF:04x}-{bits & 0xFFFFFFFF:08x}{article_id % 65536:04x}"
        thumb = f"/pictures/{_token(rng, 27)}/1280x720/{path_date(published)}/{uuid[:8]}.jpg"
        video = Video(uuid=uuid, duration_s=rng.randint(45, 300), thumbnail_path=thumb)
    posts = tuple(_live_posts(rng, seed, article_id, published, edits)) if kind == "live" else ()
    if kind == "live":
        blocks = []
    return Content(
        standfirst=standfirst,
        blocks=tuple(blocks),
        signers=signers,
        desk=desk,
        tags=tuple(dict.fromkeys(tags)),
        image=image,
        live_posts=posts,
        video=video,
    )
