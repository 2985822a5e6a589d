"""The social half of `make corpus`: recorded platform answers through their adapters.

Every answer in `shared/corpus/social/` (listed in its MANIFEST.tsv) is served by a local
stand-in at the path its adapter asks for, and polled once through a real Fetcher, as the
poller polls. A Mastodon or X stand-in also answers the account lookup that comes first.
Per platform it counts the posts of the answers, the items feedhub made, the posts it holds
back on purpose (consent, visibility: each with its reason), the posts lost (neither made
nor held back), and, of the posts made, those whose words, pictures or poll options do not
all reach the item. Anything but a reported source error is a crash.
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

from aiohttp import web

from feedhub.config import BlueskySource, MastodonSource, RedditSource, XSource, YoutubeSource
from feedhub.fetch.fetcher import Fetcher
from feedhub.models import FetchState, Item
from feedhub.sources import PollContext, SourceAdapter
from feedhub.sources.bluesky import BlueskyAdapter
from feedhub.sources.mastodon import MastodonAdapter
from feedhub.sources.reddit import RedditAdapter
from feedhub.sources.x import XAdapter
from feedhub.sources.youtube import YoutubeAdapter

_TAG = re.compile(r"<[^>]*>")
# What Mastodon's own web app hides: a quote's fallback line ("RE: https://…") and the parts
# of a long link it shortens ("http://", the tail past 30 characters).
_HIDDEN = re.compile(
    r'<p class="quote-inline">.*?</p>|<span class="invisible">[^<]*</span>|<span class="">', re.S
)
_ALT = re.compile(r'<img [^>]*\balt="([^"]*)"')


def words(html: str) -> list[str]:
    """The words a reader sees of an HTML fragment, a picture's alt text (a custom emoji's
    `:name:`) included."""
    html = html or ""
    return unescape(_TAG.sub(" ", html) + " " + " ".join(_ALT.findall(html))).split()


@dataclass
class Tally:
    answers: int = 0
    posts: int = 0
    items: int = 0
    held: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    text: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


@dataclass
class Post:
    """What a recorded answer says of one post, for the comparison."""

    key: str  # the post's own id, as the report names it
    words: list[str]
    links: list[str]  # the post's URLs: an item whose link is one of them shows it
    media: int = 0
    held: str = ""  # why feedhub leaves it out on purpose, when it does


class StandIn:
    """One local server; `answer` is what the next poll's timeline request gets."""

    def __init__(self) -> None:
        self.answer = b""
        self.account: dict[str, Any] = {}
        self.runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path == "/api/v1/accounts/lookup":
            return web.json_response(self.account)
        if path.startswith("/2/users/by/username/"):
            return web.json_response({"data": self.account})
        if request.query.get("pinned") == "true":
            return web.json_response([])
        kind = "application/json" if self.answer.lstrip()[:1] in (b"[", b"{") else "text/xml"
        return web.Response(body=self.answer, content_type=kind)


def mastodon_posts(doc: Any) -> list[Post]:
    posts = []
    for status in doc if isinstance(doc, list) else []:
        shown = status.get("reblog") or status
        account = shown.get("account") or {}
        held = ""
        if status.get("visibility") not in ("public", "unlisted"):
            held = f"visibility {status.get('visibility')}"
        elif account.get("noindex") or account.get("discoverable") is False:
            held = "consent (noindex or not discoverable)"
        elif "#nobot" in (account.get("note") or "").lower():
            held = "consent (#nobot)"
        text = _HIDDEN.sub("", shown.get("content") or "")
        seen = words(text) + words(shown.get("spoiler_text") or "")
        for option in (shown.get("poll") or {}).get("options") or []:
            seen += words(option.get("title") or "")
        links = [str(s.get(k)) for s in (status, shown) for k in ("url", "uri") if s.get(k)]
        pictures = len(shown.get("media_attachments") or [])
        posts.append(Post(str(status["id"]), seen, links, pictures, held))
    return posts


def bluesky_posts(doc: Any) -> list[Post]:
    posts = []
    for entry in doc.get("feed") or []:
        post = entry.get("post") or {}
        record = post.get("record") or {}
        key = str(post.get("uri", "")).rsplit("/", 1)[-1]
        handle = (post.get("author") or {}).get("handle", "")
        links = [f"https://bsky.app/profile/{handle}/post/{key}", str(post.get("uri"))]
        labels = {label.get("val") for label in (post.get("author") or {}).get("labels") or []}
        held = "consent (!no-unauthenticated)" if "!no-unauthenticated" in labels else ""
        embed = post.get("embed") or {}
        images = embed.get("images") or (embed.get("media") or {}).get("images") or []
        posts.append(Post(key, (record.get("text") or "").split(), links, len(images), held))
    return posts


def x_posts(doc: Any) -> list[Post]:
    media = {m.get("media_key") for m in (doc.get("includes") or {}).get("media") or []}
    posts = []
    for tweet in doc.get("data") or []:
        keys = (tweet.get("attachments") or {}).get("media_keys") or []
        text = unescape(tweet.get("text") or "")
        for url in (tweet.get("entities") or {}).get("urls") or []:
            if str(url.get("expanded_url", "")).startswith(
                ("https://twitter.com/", "https://x.com/")
            ):
                text = text.replace(url.get("url", ""), "")  # the media link X puts in the text
        key = str(tweet["id"])
        posts.append(Post(key, text.split(), [f"/status/{key}"], sum(k in media for k in keys)))
    return posts


ADAPTERS: dict[str, Any] = {
    "mastodon": lambda base: MastodonAdapter(
        "corpus",
        MastodonSource(
            type="mastodon",
            account="@corpus@social.example",
            base_url=base,
            pinned=False,
            exclude_replies=False,
        ),
    ),
    "bluesky": lambda base: BlueskyAdapter(
        "corpus",
        BlueskySource(
            type="bluesky",
            handle="corpus.example",
            base_url=base,
            pinned=False,
            exclude_replies=False,
        ),
    ),
    "x": lambda base: XAdapter(
        "corpus",
        XSource(
            type="x", username="corpus", bearer_token="t", base_url=base, exclude_replies=False
        ),
    ),
    "reddit": lambda base: RedditAdapter(
        "corpus", RedditSource(type="reddit", subreddit="corpus", base_url=base)
    ),
    "youtube": lambda base: YoutubeAdapter(
        "corpus",
        YoutubeSource(type="youtube", channel_id="UC" + "x" * 22, base_url=base),
    ),
}
POSTS = {"mastodon": mastodon_posts, "bluesky": bluesky_posts, "x": x_posts}


def item_of(post: Post, items: list[Item]) -> Item | None:
    for item in items:
        if any(item.url == link or item.url.endswith(link) for link in post.links):
            return item
    return None


def compare(name: str, posts: list[Post], items: list[Item], tally: Tally) -> None:
    for item in items:
        if not any(item_of(post, [item]) for post in posts):
            tally.text.append(f"{name}: item {item.url} is no post of the answer")
    for post in posts:
        item = item_of(post, items)
        if post.held:
            tally.held[post.held] += 1
            if item is not None:
                tally.text.append(f"{name}: post {post.key} is shown although {post.held}")
            continue
        if item is None:
            tally.lost += 1
            tally.text.append(f"{name}: post {post.key} made no item")
            continue
        shown = set(words(item.content_html) + words(item.title) + words(item.summary))
        missing = [w for w in post.words if w not in shown]
        if missing:
            tally.text.append(f"{name}: post {post.key} lacks {' '.join(missing)[:120]!r}")
        if len(item.media) < post.media:
            tally.media.append(f"{name}: post {post.key} shows {len(item.media)} of {post.media}")


def account_of(platform: str, doc: Any) -> dict[str, Any]:
    if platform == "x":
        return {"id": "1", "username": "corpus", "name": "Corpus"}
    statuses = doc if isinstance(doc, list) else []
    account = statuses[0].get("account") if statuses else None
    return dict(account or {"id": "1", "username": "corpus", "acct": "corpus"})


async def run(root: Path) -> dict[str, Tally]:
    social = root / "social"
    rows = list(csv.DictReader((social / "MANIFEST.tsv").open(), delimiter="\t"))
    stand_in, fetcher = StandIn(), Fetcher(public_url="http://corpus.test", allow_private=True)
    await stand_in.start()
    tallies: dict[str, Tally] = {}

    async def parse_here(fn: Any, *args: Any) -> Any:
        return fn(*args)

    ctx = PollContext(fetcher=fetcher, run_parse=parse_here, timeout=10.0, max_bytes=1 << 24)
    try:
        for row in rows:
            platform, name = row["platform"], row["file"]
            tally = tallies.setdefault(platform, Tally())
            body = (social / name).read_bytes()
            doc = json.loads(body) if body.lstrip()[:1] in (b"[", b"{") else None
            stand_in.answer, stand_in.account = body, account_of(platform, doc)
            adapter: SourceAdapter = ADAPTERS[platform](stand_in.base_url)
            tally.answers += 1
            try:
                result = await adapter.poll(ctx, FetchState())
            except Exception as exc:  # what the check is for: a crash a poll would log
                tally.crashes.append(f"{name}: {type(exc).__name__}: {exc}"[:200])
                continue
            if result.error:
                tally.errors.append(f"{name}: {result.error}"[:200])
            items = result.items or []
            tally.items += len(items)
            posts = POSTS[platform](doc) if platform in POSTS else None
            if posts is None:  # feeds (Reddit, YouTube): every entry is a post
                tally.posts += len(items)
                continue
            tally.posts += len(posts)
            compare(Path(name).name, posts, items, tally)
    finally:
        await fetcher.close()
        await stand_in.stop()
    return tallies


def report(root: Path) -> int:
    """Print the social half; the number of crashes and posts lost."""
    if not (root / "social" / "MANIFEST.tsv").is_file():
        print("\nno recorded platform answers: shared/corpus/social/ is absent")
        return 0
    tallies = asyncio.run(run(root))
    print(
        "\n| platform | answers | posts | items | held back | lost | text differs "
        "| pictures differ | source errors | crashes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(
            f"| {name} | {t.answers} | {t.posts} | {t.items} | {sum(t.held.values())} | "
            f"{t.lost} | {len(t.text)} | {len(t.media)} | {len(t.errors)} | {len(t.crashes)} |"
        )
    bad = 0
    for name, t in tallies.items():
        for reason, count in t.held.most_common():
            print(f"  {name}: held back, {reason}: {count}")
        for line in t.text + t.media + t.errors:
            print(f"  {name}: {line}")
        for crash in t.crashes:
            print(f"CRASH {name}: {crash}")
        bad += t.lost + len(t.crashes)
    return bad
