"""The `x` source: a user's posts through X API v2 with an app bearer token.

X bills every post read, so each poll asks only for posts newer than the newest one seen
(`since_id`, kept in the fetch state) and the result is incremental: the poller adds it to
the stored items. Polls are at least 30 minutes apart.
"""

from __future__ import annotations

import html
import re
import time
from typing import Any
from urllib.parse import quote, urlencode

from feedhub.config import XSource
from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import PROFILE, Author, FetchState, Item, Media, Profile, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.social import (
    FOUND_ID,
    UPSTREAM_ERROR,
    arr,
    cached_id,
    explain,
    merge_lookup,
    obj,
    text,
    text_html,
)
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time, load_json

SITE = "https://x.com"
MAX_RESULTS = 20
TWEET_FIELDS = (
    "created_at,entities,attachments,lang,referenced_tweets,in_reply_to_user_id,"
    "author_id,note_tweet,public_metrics"
)
MEDIA_FIELDS = "url,preview_image_url,width,height,alt_text,type"
USER_FIELDS = "name,username,profile_image_url"
# The account lookup also reads what a widget's header shows (asked again once a day).
PROFILE_FIELDS = "name,username,profile_image_url,description,public_metrics"
# A retweet's own text is cut ("RT @user: …"): ask for the original and its author too.
RETWEET_EXPANSIONS = "referenced_tweets.id,referenced_tweets.id.author_id"
_TOKEN_RE = re.compile(r"https://t\.co/[A-Za-z0-9]+|(?<![\w@])@(\w{1,15})|(?<![\w&#])#(\w+)")
_MEDIA_HOSTS = ("pic.x.com", "pic.twitter.com")


class XAdapter(SourceAdapter):
    network = "x"
    default_base_url = "https://api.x.com"
    min_interval = 1800.0  # the API bills every post read

    def __init__(self, source_id: str, cfg: XSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.username = cfg.username.strip().lstrip("@")
        self.headers = {"Authorization": f"Bearer {cfg.bearer_token}"}
        self.messages = {
            401: "X refused the bearer token: check X_BEARER_TOKEN",
            403: "X refused access: the app's plan may not include this endpoint",
            404: f"account @{self.username} not found",
            429: "rate limited by X (or the monthly post cap is reached); the next poll waits"
            " for the reset",
        }

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        if self.cfg.user_id:
            user_id, lookup = self.cfg.user_id, PollResult()
        else:
            url = (
                f"{self.base_url}/2/users/by/username/{quote(self.username)}"
                f"?user.fields={PROFILE_FIELDS}"
            )
            user_id, lookup = await cached_id(
                self,
                ctx,
                state,
                self.username.lower(),
                url,
                parse_user,
                self.username,
                headers=self.headers,
                messages=self.messages,
                now=time.time(),
            )
            if not lookup.ok:
                return lookup
        since = text(state.meta.get("since_id")) if state.meta.get("since_user") == user_id else ""
        url = f"{self.base_url}/2/users/{quote(user_id)}/tweets?{self._query(since)}"
        result = await self.fetch_and_parse(
            ctx, url, parse_tweets, self.source_id, user_id, headers=self.headers
        )
        explain(merge_lookup(result, lookup), self.messages)
        # Without since_id the answer is the whole recent timeline: it replaces what is stored.
        result.incremental = bool(since) and result.ok
        return result

    def _query(self, since: str) -> str:
        exclude = [
            name
            for name, on in (
                ("replies", self.cfg.exclude_replies),
                ("retweets", self.cfg.exclude_reposts),
            )
            if on
        ]
        expansions = "attachments.media_keys,author_id"
        if not self.cfg.exclude_reposts:
            expansions += "," + RETWEET_EXPANSIONS
        params = {
            "max_results": str(MAX_RESULTS),
            **({"since_id": since} if since else {}),
            **({"exclude": ",".join(exclude)} if exclude else {}),
            "tweet.fields": TWEET_FIELDS,
            "expansions": expansions,
            "media.fields": MEDIA_FIELDS,
            "user.fields": USER_FIELDS,
        }
        return urlencode(params, safe=",")


def _first_error(doc: dict[str, Any]) -> str:
    error = obj(arr(doc.get("errors"))[0]) if arr(doc.get("errors")) else {}
    return text(error.get("detail")) or text(error.get("title")) or text(doc.get("detail"))


def parse_user(
    body: bytes, url: str, source_id: str, username: str
) -> tuple[list[Item], dict[str, Any]]:
    """The user id from `/2/users/by/username/{username}` (an unknown user is a 200 with
    `errors`)."""
    doc = load_json(body, dict)
    user = obj(doc.get("data"))
    user_id = text(user.get("id"))
    if user_id:
        who = user_author(user)
        metrics = obj(user.get("public_metrics"))
        profile = Profile(
            name=who.name,
            handle=who.handle,
            url=who.url,
            avatar=who.avatar,
            bio_html=sanitize_html(text_html(text(user.get("description"))), who.url),
            followers=as_int(metrics.get("followers_count")),
            posts=as_int(metrics.get("tweet_count")),
        )
        return [], {"meta": {FOUND_ID: user_id, PROFILE: profile.to_dict()}}
    if doc.get("errors"):
        return [], {
            "meta": {UPSTREAM_ERROR: f"account @{username} not found on X: {_first_error(doc)}"}
        }
    raise ParseError("no data.id and no errors: not a users/by/username answer")


def parse_tweets(
    body: bytes, url: str, source_id: str, user_id: str
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `/2/users/{id}/tweets` answer, and the newest id to poll from next."""
    doc = load_json(body, dict)
    if "data" not in doc and "meta" not in doc:
        if doc.get("errors") or doc.get("title"):
            return [], {"meta": {UPSTREAM_ERROR: f"X answered with an error: {_first_error(doc)}"}}
        raise ParseError("neither data nor meta: not a user tweets answer")
    tweets = doc.get("data", [])
    if not isinstance(tweets, list):
        raise ParseError("'data' is not an array of posts")
    includes = obj(doc.get("includes"))
    users = {text(u.get("id")): u for u in map(obj, arr(includes.get("users")))}
    media = {text(m.get("media_key")): m for m in map(obj, arr(includes.get("media")))}
    referenced = {text(t.get("id")): t for t in map(obj, arr(includes.get("tweets")))}
    items = [tweet_item(obj(t), source_id, users, media, referenced) for t in tweets]
    # meta.newest_id may count expanded (referenced) posts: take the newest of our own.
    ids = [int(t["id"]) for t in map(obj, tweets) if text(t.get("id")).isdigit()]
    meta = {"since_id": str(max(ids)), "since_user": user_id} if ids else {}
    return items, {"meta": meta}


def tweet_item(
    tweet: dict[str, Any],
    source_id: str,
    users: dict[str, Any],
    media: dict[str, Any],
    referenced: dict[str, Any],
) -> Item:
    """One post as an item; a retweet shows the original and credits the account."""
    if not text(tweet.get("id")):
        raise ParseError("a post without an id")
    refs = [obj(r) for r in arr(tweet.get("referenced_tweets"))]
    retweet_of = next((text(r.get("id")) for r in refs if r.get("type") == "retweeted"), "")
    is_retweet = bool(retweet_of)
    # The original when X sent it; else the retweet itself, cut as it is.
    post = obj(referenced.get(retweet_of)) or tweet
    author = user_author(obj(users.get(text(post.get("author_id")))))
    booster = user_author(obj(users.get(text(tweet.get("author_id"))))) if is_retweet else None
    handle = author.handle.lstrip("@") or "i"
    url = f"{SITE}/{quote(handle)}/status/{text(post.get('id'))}"
    note = obj(post.get("note_tweet"))  # a long post: the full text lives here
    content = sanitize_html(
        tweet_html(
            text(note.get("text")) or text(post.get("text")),
            obj(note.get("entities")) or obj(post.get("entities")),
        ),
        url,
    )
    keys = arr(obj(post.get("attachments")).get("media_keys"))
    lang = text(post.get("lang"))
    metrics = obj(post.get("public_metrics"))
    return Item(
        id=stable_id(f"{SITE}/i/status/{text(post.get('id'))}"),
        source=source_id,
        url=url,
        content_html=content,
        summary=html_to_text(content, SUMMARY_CHARS),
        author=author,
        published=iso_time(post.get("created_at")),
        media=tuple(m for m in (_media(obj(media.get(text(k)))) for k in keys) if m),
        reply=bool(post.get("in_reply_to_user_id"))
        or any(obj(r).get("type") == "replied_to" for r in arr(post.get("referenced_tweets"))),
        repost=is_retweet,
        lang="" if lang in ("und", "zxx", "qme", "qht", "art") else lang,
        network="x",
        reposted_by=booster,
        replies=as_int(metrics.get("reply_count")),
        reposts=as_int(metrics.get("retweet_count")),
        likes=as_int(metrics.get("like_count")),
    )


def user_author(user: dict[str, Any]) -> Author:
    username = text(user.get("username"))
    return Author(
        name=text(user.get("name")) or username,
        handle=f"@{username}" if username else "",
        url=f"{SITE}/{quote(username)}" if username else "",
        avatar=safe_url(text(user.get("profile_image_url")), image=True),
    )


def tweet_html(body: str, entities: dict[str, Any]) -> str:
    """Post text as HTML: t.co links shown as their real destination (media links dropped,
    the media are shown as media; a link X did not expand stays its t.co link), mentions and
    hashtags linked, line breaks kept."""
    urls = {text(u.get("url")): u for u in map(obj, arr(entities.get("urls")))}
    mentions = {text(m.get("username")).lower() for m in map(obj, arr(entities.get("mentions")))}
    tags = {text(h.get("tag")).lower() for h in map(obj, arr(entities.get("hashtags")))}
    body = html.unescape(body)  # X escapes &, < and > in post text
    out, pos = [], 0
    for m in _TOKEN_RE.finditer(body):
        out.append(html.escape(body[pos : m.start()]))
        pos = m.end()
        token, mention, tag = m.group(0), m.group(1), m.group(2)
        if mention and mention.lower() in mentions:
            out.append(_link(f"{SITE}/{mention}", token))
        elif tag and tag.lower() in tags:
            out.append(_link(f"{SITE}/hashtag/{quote(tag)}", token))
        elif mention or tag:
            out.append(html.escape(token))
        else:
            out.append(_expanded(token, urls.get(token)))
    out.append(html.escape(body[pos:]))
    joined = "".join(out).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", joined) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _expanded(token: str, entity: dict[str, Any] | None) -> str:
    """A t.co link as the link it stands for; "" for media links.

    An answer may carry no `entities.urls` for a post (the field not asked for, or X did not
    expand it), and an expansion may be no safe URL: the t.co link is then all there is to
    the link (an article, another post), so it stays, as the link it is."""
    entity = entity or {}
    if entity.get("media_key") or text(entity.get("display_url")).startswith(_MEDIA_HOSTS):
        return ""
    href = safe_url(text(entity.get("unwound_url")) or text(entity.get("expanded_url")))
    if href:
        return _link(href, text(entity.get("display_url")) or href)
    return _link(safe_url(token), token)


def _link(href: str, label: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(label)}</a>'


def _media(m: dict[str, Any]) -> Media | None:
    """A photo as an image; a video or GIF by its preview image."""
    kind = text(m.get("type"))
    preview = safe_url(text(m.get("preview_image_url")), image=True)
    url = safe_url(text(m.get("url")), image=True) or preview
    if not url or kind not in ("photo", "video", "animated_gif"):
        return None
    return Media(
        url=url,
        type="image" if kind == "photo" else "video",
        width=as_int(m.get("width")),
        height=as_int(m.get("height")),
        alt=text(m.get("alt_text")).strip(),
        preview_url=preview,
    )
