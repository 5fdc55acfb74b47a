"""The Dockerfile, .dockerignore and docker-compose.yml, read as text (tests/image builds
and runs the image for real): the image runs as a non-root user, ships the entrypoint
and crontab that are in the repo, checks its health with crawler.health, builds without
BuildKit, installs only what the crawler runs with, and bakes in no secret."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest

from tests.crawling import REPO

SECRET_NAME = re.compile(r"pass(word)?|secret|token|api[_-]?key|credential", re.IGNORECASE)
URI_WITH_CREDENTIALS = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def instructions(text: str) -> list[Instruction]:
    """Logical instructions: continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        found.append(Instruction(start, keyword.upper(), arguments.strip()))
        pending = ""
    return found


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def copy_sources_and_target(arguments: str, workdir: str) -> tuple[list[str], str]:
    words = [word for word in exec_form(arguments) if not word.startswith("--")]
    *sources, target = words
    return sources, str(PurePosixPath(workdir) / target)


def key_values(instruction: Instruction) -> dict[str, str]:
    words = shlex.split(instruction.arguments)
    if instruction.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.partition("=")[::2] for word in words)


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return instructions((REPO / "Dockerfile").read_text(encoding="utf-8"))


def first(dockerfile: list[Instruction], keyword: str) -> Instruction:
    return next(i for i in dockerfile if i.keyword == keyword)


def test_both_stages_are_debian_bookworm_slim(dockerfile: list[Instruction]) -> None:
    froms = [i.arguments for i in dockerfile if i.keyword == "FROM"]
    assert froms == ["debian:bookworm-slim AS build", "debian:bookworm-slim"]
    assert dockerfile[0].keyword in ("FROM", "ARG")


def test_it_uses_nothing_that_needs_buildkit(dockerfile: list[Instruction]) -> None:
    """Debian's docker.io builds with the classic builder, which refuses these."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert not re.match(r"#\s*syntax=", text), "a syntax directive"
    assert "<<" not in text, "heredocs"
    buildkit_only = {"--chmod", "--mount", "--link", "--security", "--network", "--parents", "--exclude"}
    for instruction in dockerfile:
        flags = {word.split("=")[0] for word in instruction.arguments.split() if word.startswith("--")}
        assert not flags & buildkit_only, f"line {instruction.line}: {flags & buildkit_only}"


def test_the_image_installs_only_what_the_crawler_runs_with(dockerfile: list[Instruction]) -> None:
    copied = [w for i in dockerfile if i.keyword == "COPY" for w in exec_form(i.arguments)]
    assert "requirements.lock" in copied and "requirements-dev.lock" not in copied
    runtime = {line.split("==")[0].lower() for line in (REPO / "requirements.lock").read_text().splitlines()}
    assert runtime.isdisjoint({"pytest", "pytest-timeout", "ruff", "pluggy", "iniconfig"})
    assert "-r requirements.lock" in (REPO / "requirements-dev.lock").read_text().splitlines()


def test_chromium_and_the_library_playwrights_node_needs_are_installed_without_recommends(
    dockerfile: list[Instruction],
) -> None:
    installs = [i.arguments for i in dockerfile if i.keyword == "RUN" and "apt-get install" in i.arguments]
    image = next(a for a in installs if "chromium" in a)
    assert "--no-install-recommends" in image
    assert {"chromium", "libatomic1", "python3"} <= set(image.replace(";", " ").split())
    assert all("--no-install-recommends" in a for a in installs)


def test_it_runs_as_a_non_root_user_from_before_entrypoint_and_cmd(dockerfile: list[Instruction]) -> None:
    users = [i for i in dockerfile if i.keyword == "USER"]
    assert users, "no USER: the image would run as root"
    last_user = users[-1]
    assert last_user.arguments.split(":")[0] not in ("root", "0")
    for keyword in ("ENTRYPOINT", "CMD", "HEALTHCHECK"):
        assert first(dockerfile, keyword).line > last_user.line, f"{keyword} comes before USER"
    useradd = [i for i in dockerfile if i.keyword == "RUN" and "useradd" in i.arguments]
    assert useradd and last_user.arguments in useradd[0].arguments, "the user is created in the image"


def test_it_copies_the_entrypoint_and_crontab_of_the_repo_and_runs_that_entrypoint(
    dockerfile: list[Instruction],
) -> None:
    workdir, copied = "/", {}
    for instruction in dockerfile:
        if instruction.keyword == "WORKDIR":
            workdir = str(PurePosixPath(workdir) / instruction.arguments)
        elif instruction.keyword == "COPY" and "--from=" not in instruction.arguments:
            sources, target = copy_sources_and_target(instruction.arguments, workdir)
            for source in sources:
                assert (REPO / source).exists(), f"line {instruction.line}: COPY {source}: not in the repo"
                copied[source.rstrip("/")] = target
    deploy = {source: target for source, target in copied.items() if source.startswith("deploy")}
    assert deploy == {"deploy/entrypoint.sh": "/app/deploy/entrypoint.sh", "deploy/crontab": "/app/deploy/crontab"}
    assert exec_form(first(dockerfile, "ENTRYPOINT").arguments) == ["/app/deploy/entrypoint.sh"]
    assert exec_form(first(dockerfile, "CMD").arguments) == ["run-scheduler"]
    env = {k: v for i in dockerfile if i.keyword == "ENV" for k, v in key_values(i).items()}
    assert env.get("CRAWL_SCHEDULE_FILE") == "/app/deploy/crontab"


def test_dockerignore_keeps_out_what_is_not_copied_but_nothing_that_is(dockerfile: list[Instruction]) -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for must in (".git", ".venv", ".cache", ".env", "tests"):
        assert must in patterns
    for instruction in dockerfile:
        if instruction.keyword == "COPY" and "--from=" not in instruction.arguments:
            for source in copy_sources_and_target(instruction.arguments, "/")[0]:
                source = source.rstrip("/")
                assert not any(fnmatch.fnmatch(source, p) for p in patterns), f"{source} is in .dockerignore"


def test_the_healthcheck_runs_crawler_health(dockerfile: list[Instruction]) -> None:
    healthcheck = first(dockerfile, "HEALTHCHECK").arguments
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval=" in options
    assert re.search(r"\bpython3? -m crawler\.health\b", command), command


def test_no_secret_is_baked_in(dockerfile: list[Instruction]) -> None:
    for instruction in dockerfile:
        if instruction.keyword not in ("ENV", "ARG", "LABEL"):
            continue
        for key, value in key_values(instruction).items():
            assert not SECRET_NAME.search(key), f"line {instruction.line}: {key} looks like a secret"
            assert not URI_WITH_CREDENTIALS.search(value), f"line {instruction.line}: {key} holds credentials"
            assert key != "MONGO_URI", "MONGO_URI comes from the environment the container is run with"
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert not URI_WITH_CREDENTIALS.search(text)


def test_the_scheduler_binary_is_pinned_and_checksummed(dockerfile: list[Instruction]) -> None:
    args = {k: v for i in dockerfile if i.keyword == "ARG" for k, v in key_values(i).items()}
    assert re.fullmatch(r"v\d+\.\d+\.\d+", args["SUPERCRONIC_VERSION"])
    assert all(re.fullmatch(r"[0-9a-f]{40}", args[f"SUPERCRONIC_SHA1_{arch}"]) for arch in ("AMD64", "ARM64"))
    assert args["SUPERCRONIC_URL"] == "" and args["SUPERCRONIC_SHA1SUM"] == "", "the official release by default"
    install = next(i for i in dockerfile if i.keyword == "RUN" and "supercronic" in i.arguments)
    assert "sha1sum -c" in install.arguments
    assert "releases/download/${SUPERCRONIC_VERSION}/" in install.arguments
    assert any(i.keyword == "RUN" and "supercronic -test" in i.arguments for i in dockerfile)


def test_compose_runs_mongo_redis_the_crawler_and_metabase() -> None:
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    services = re.search(r"^services:\n(.*?)^\S", compose, re.DOTALL | re.MULTILINE).group(1)
    assert re.findall(r"^  (\w+):$", services, re.MULTILINE) == ["mongo", "redis", "crawler", "metabase"]
    assert "image: mongo:7" in compose and "image: metabase/metabase" in compose
    assert "MONGO_URI: mongodb://mongo:27017/" in compose
    assert "REDIS_URL: ${REDIS_URL-redis://redis:6379/0}" in compose, "workers scaled with --scale share Redis"
    assert "noeviction" in compose, "Redis never drops a queued request to make room"
    assert '"3000:3000"' in compose
    volumes = re.search(r"^volumes:\n((?:  .*\n?)+)", compose, re.MULTILINE).group(1)
    declared = set(re.findall(r"^  ([\w-]+):", volumes, re.MULTILINE))
    used = set(re.findall(r"^      - ([\w-]+):/", compose, re.MULTILINE))
    assert used and used <= declared
    assert re.search(r"- crawler-data:/data$", compose, re.MULTILINE)
    assert not URI_WITH_CREDENTIALS.search(compose)
