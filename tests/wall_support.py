"""Walls on the local upstream: Mastodon hashtag timelines of two instances, in the shape
`GET /api/v1/timelines/tag/:hashtag` answers (an array of Status, newest first), and
`feedhub serve` with a wall widget over them.

The statuses are written here: two instances see some of the same posts (same `uri`, each
instance's own `id`, local accounts' `acct` without the domain), one author asks not to be
republished (`#nobot` in the profile note).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.conftest import Daemon, Upstream, free_port, wait_until, write_config

TAG = "fetedeslumieres"
INSTANCES = {"one": "lyon.example", "two": "piaille.example"}


def account(
    user: str, home: str, seen_on: str, *, note: str = "", discoverable: bool = True
) -> dict[str, Any]:
    acct = user if home == seen_on else f"{user}@{home}"
    return {
        "id": str(100000 + sum(map(ord, user + seen_on))),
        "username": user,
        "acct": acct,
        "display_name": user.capitalize(),
        "locked": False,
        "bot": False,
        "discoverable": discoverable,
        "indexable": True,
        "group": False,
        "created_at": "2023-03-01T00:00:00.000Z",
        "note": note or f"<p>{user.capitalize()} à Lyon.</p>",
        "url": f"https://{home}/@{user}",
        "uri": f"https://{home}/users/{user}",
        "avatar": f"https://files.{seen_on}/accounts/avatars/{user}.png",
        "avatar_static": f"https://files.{seen_on}/accounts/avatars/{user}.png",
        "header": f"https://files.{seen_on}/headers/missing.png",
        "header_static": f"https://files.{seen_on}/headers/missing.png",
        "followers_count": 12,
        "following_count": 30,
        "statuses_count": 400,
        "last_status_at": "2026-12-06",
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


def status(
    number: int,
    user: str,
    home: str,
    seen_on: str,
    created: str,
    text: str,
    *,
    note: str = "",
    lang: str = "fr",
    image: bool = False,
    visibility: str = "public",
) -> dict[str, Any]:
    """Post `number` of `user@home` as the instance `seen_on` shows it."""
    own_id = f"1135{number:014d}"
    local_id = own_id if home == seen_on else f"1139{number + 7:014d}"
    media = []
    if image:
        media.append(
            {
                "id": f"1134{number:014d}",
                "type": "image",
                "url": f"https://files.{seen_on}/media_attachments/{number}/original.jpg",
                "preview_url": f"https://files.{seen_on}/media_attachments/{number}/small.jpg",
                "remote_url": None if home == seen_on else f"https://files.{home}/m/{number}.jpg",
                "preview_remote_url": None,
                "text_url": None,
                "meta": {
                    "original": {"width": 1200, "height": 800, "size": "1200x800", "aspect": 1.5}
                },
                "description": "Des lanternes sur la place Bellecour.",
                "blurhash": "UFEV]v~qofof_3%MRjWB-;WBoffQ",
            }
        )
    return {
        "id": local_id,
        "created_at": created,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": lang,
        "uri": f"https://{home}/users/{user}/statuses/{own_id}",
        "url": f"https://{home}/@{user}/{own_id}",
        "replies_count": 0,
        "reblogs_count": 1,
        "favourites_count": 3,
        "edited_at": None,
        "favourited": False,
        "content": f'<p>{text} <a href="https://{seen_on}/tags/{TAG}"'
        f' class="mention hashtag" rel="tag">#<span>{TAG}</span></a></p>',
        "reblog": None,
        "account": account(user, home, seen_on, note=note),
        "media_attachments": media,
        "mentions": [],
        "tags": [{"name": TAG, "url": f"https://{seen_on}/tags/{TAG}"}],
        "emojis": [],
        "card": None,
        "poll": None,
    }


NOBOT = "<p>Photographe. #nobot</p>"


def instance_answers() -> dict[str, list[dict[str, Any]]]:
    """What each instance's tag timeline holds: post 3 is on both; bob opted out."""
    one, two = INSTANCES["one"], INSTANCES["two"]
    return {
        "one": [
            status(4, "alice", one, one, "2026-12-06T20:40:00.000Z", "Les lanternes de Fourvière"),
            status(
                3,
                "carol",
                two,
                one,
                "2026-12-06T20:30:00.000Z",
                "La place des Terreaux illuminée",
                image=True,
            ),
            status(
                2,
                "bob",
                one,
                one,
                "2026-12-06T20:20:00.000Z",
                "Mes photos de la soirée",
                note=NOBOT,
            ),
        ],
        "two": [
            status(
                5, "dave", two, two, "2026-12-06T20:50:00.000Z", "Quelle foule rue de la République"
            ),
            status(
                3,
                "carol",
                two,
                two,
                "2026-12-06T20:30:00.000Z",
                "La place des Terreaux illuminée",
                image=True,
            ),
            status(
                1, "erin", two, two, "2026-12-06T20:10:00.000Z", "Premier soir, premières lumières"
            ),
        ],
    }


def tag_path(instance: str) -> str:
    return f"/{instance}/api/v1/timelines/tag/{TAG}"


def serve_tag(upstream: Upstream, answers: dict[str, list[dict[str, Any]]]) -> None:
    """Each instance's tag timeline under its own path prefix; `answers` may change later."""
    for name in INSTANCES:

        def handler(name: str = name) -> Callable[[web.Request], Any]:
            async def answer(request: web.Request) -> web.Response:
                return web.json_response(answers[name])

            return answer

        upstream.routes[tag_path(name)] = handler()


def tag_source(upstream: Upstream, **extra: Any) -> dict[str, Any]:
    return {
        "type": "mastodon_tag",
        "tag": f"#{TAG}",
        "instances": [upstream.url(f"/{name}") for name in INSTANCES],
        **extra,
    }


def start_wall(
    daemon: Callable[..., Daemon],
    tmp_path: Path,
    sources: dict[str, Any],
    widget: dict[str, Any],
    storage: dict[str, Any] | None = None,
    name: str = "config.yaml",
    interval: str = "1h",
) -> Daemon:
    """`feedhub serve` with one widget, `wall`, over `sources`."""
    port = free_port()
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": storage or {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": interval},
            "sources": sources,
            "widgets": {
                "wall": {"sources": list(sources), "limit": 50, "theme": "cards", **widget}
            },
        },
        name=name,
    )
    return daemon(path, port)


async def wall_items(d: Daemon, widget: str = "wall") -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/{widget}.json") as resp:
        assert resp.status == 200
        return list((await resp.json())["items"])


async def texts(d: Daemon) -> list[str]:
    return [
        str(it.get("content_text") or it.get("content_html") or "") for it in await wall_items(d)
    ]


async def shows(d: Daemon, words: str, present: bool = True, timeout: float = 45.0) -> None:
    """Wait until the wall's JSON Feed shows (or no longer shows) a post saying `words`."""

    async def seen() -> bool:
        return any(words in t for t in await texts(d)) == present

    await wait_until(seen, timeout=timeout)


def dump(answers: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(answers)
