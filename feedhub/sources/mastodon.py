"""The `mastodon` source: an account's public posts through the Mastodon REST API.

The account id is looked up once and kept in the fetch state; each poll then reads the
statuses endpoint, and the pinned posts when asked. No token: only public posts are read.

A poll shows its options, with their vote counts and closing time when the instance gives them
(it leaves the counts out of a poll that hides its totals until the end).

A quote post (Mastodon 4.4+: `quote: {state, quoted_status}`) shows the quoted post as a card
below its own text, credited to its author, as Bluesky quotes are; the "RE: …" fallback line
(`<p class="quote-inline">`) that Mastodon's web app hides is dropped. Nothing is shown for a
quote that is pending, revoked or deleted (no `quoted_status`), nor for an author who asked
not to be republished.
"""

from __future__ import annotations

import html
import re
import time
from typing import Any
from urllib.parse import urlencode

from feedhub.config import MastodonSource
from feedhub.content.sanitize import safe_url, sanitize_html, sanitized_text
from feedhub.models import PROFILE, Author, FetchState, Item, Media, Profile, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.consent import WITHHELD, fediverse_refusal
from feedhub.sources.posts import quote_block
from feedhub.sources.rechecks import statuses_gone
from feedhub.sources.social import (
    FOUND_ID,
    arr,
    cached_id,
    card_html,
    explain,
    merge_lookup,
    obj,
    poll_html,
    text,
)
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time, load_json

LIMIT = 40  # the API's maximum per page
MEDIA_TYPES = {"image": "image", "gifv": "video", "video": "video", "audio": "audio"}
# What anyone may read on the author's profile. With a token, an answer also holds posts for
# followers only ("private") and direct messages ("direct"): a public widget never shows them.
PUBLIC = frozenset({"public", "unlisted"})
# Mastodon shortens long links with spans its own CSS hides; our allowlist drops classes,
# so the hidden parts would show. Cut them out, and mark the shortened part with an ellipsis.
_INVISIBLE_RE = re.compile(r'<span class="invisible">[^<]*</span>')
_ELLIPSIS_RE = re.compile(r'<span class="ellipsis">([^<]*)</span>')
_QUOTE_INLINE_RE = re.compile(r'<p class="quote-inline">.*?</p>', re.S)
_SHORTCODE_RE = re.compile(r":([A-Za-z0-9_]{2,}):")


class MastodonAdapter(SourceAdapter):
    network = "mastodon"
    can_recheck = True

    def __init__(self, source_id: str, cfg: MastodonSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.user, self.instance = cfg.account.lstrip("@").split("@", 1)
        self.acct = f"@{self.user}@{self.instance}"
        self.base_url = (cfg.base_url or f"https://{self.instance}").rstrip("/")
        self.messages = {
            401: f"instance {self.instance} requires authentication: its API is closed to"
            " anonymous clients",
            403: f"instance {self.instance} refused the request (blocked or private)",
            404: f"account {self.acct} not found",
            410: f"account {self.acct} is gone (suspended or deleted)",
        }

    async def recheck(self, ctx: PollContext, items: list[Item]) -> set[str]:
        return await statuses_gone(self, ctx, self.base_url, items)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        # The full acct is right on the account's own instance and on any other one.
        lookup_url = f"{self.base_url}/api/v1/accounts/lookup?" + urlencode(
            {"acct": f"{self.user}@{self.instance}"}
        )
        account_id, lookup = await cached_id(
            self,
            ctx,
            state,
            self.acct,
            lookup_url,
            parse_account,
            self.instance,
            messages=self.messages,
            now=time.time(),
        )
        if not lookup.ok:
            return lookup
        statuses = f"{self.base_url}/api/v1/accounts/{account_id}/statuses"
        query = urlencode(
            {
                "limit": LIMIT,
                "exclude_replies": _flag(self.cfg.exclude_replies),
                "exclude_reblogs": _flag(self.cfg.exclude_reposts),
            }
        )
        result = await self.fetch_and_parse(
            ctx, f"{statuses}?{query}", parse_statuses, self.source_id, self.instance, state=state
        )
        explain(merge_lookup(result, lookup), self.messages)
        if not self.cfg.pinned or not result.ok or result.items is None:
            return result
        pins = await self.fetch_and_parse(
            ctx, f"{statuses}?pinned=true", parse_statuses, self.source_id, self.instance, True
        )
        if not pins.ok:
            # Without the pins the widget would lose its pinned posts until the next poll.
            return explain(merge_lookup(pins, lookup), self.messages)
        result.meta[WITHHELD] = {**result.meta.get(WITHHELD, {}), **pins.meta.get(WITHHELD, {})}
        pinned_ids = {it.id for it in pins.items or []}
        result.replace_items(
            (pins.items or []) + [it for it in result.items if it.id not in pinned_ids]
        )
        return result


def _flag(value: bool) -> str:
    return "true" if value else "false"


def parse_account(
    body: bytes, url: str, source_id: str, instance: str
) -> tuple[list[Item], dict[str, Any]]:
    """The account id and profile from an `/api/v1/accounts/lookup` answer."""
    account = load_json(body, dict)
    account_id = account.get("id")
    if not isinstance(account_id, str | int) or account_id == "":
        raise ParseError("account lookup answer has no id")
    return [], {"meta": {FOUND_ID: str(account_id), PROFILE: account_profile(account, instance)}}


def account_profile(account: dict[str, Any], instance: str) -> dict[str, Any]:
    """An account as a widget's header shows it (a `Profile`'s dict)."""
    who = account_author(account, instance)
    banner = safe_url(text(account.get("header_static") or account.get("header")), image=True)
    if banner.endswith("/missing.png"):  # the instance's stand-in: the account has none
        banner = ""
    return Profile(
        name=who.name,
        handle=who.handle,
        url=who.url,
        avatar=who.avatar,
        banner=banner,
        bio_html=sanitize_html(text(account.get("note")), who.url),
        followers=as_int(account.get("followers_count")),
        posts=as_int(account.get("statuses_count")),
    ).to_dict()


def parse_statuses(
    body: bytes, url: str, source_id: str, instance: str, pinned: bool = False
) -> tuple[list[Item], dict[str, Any]]:
    """Items of an `/api/v1/accounts/{id}/statuses` answer (an array of Status), without
    the posts of authors who asked not to be republished (`consent`), and without posts
    that are not public (`PUBLIC`: a boost counts only when both it and the boosted post are)."""
    statuses = load_json(body, list)
    items = []
    withheld: dict[str, str] = {}
    for status in statuses:
        if not isinstance(status, dict) or not status.get("id"):
            raise ParseError("a status without an id: not a Mastodon statuses answer")
        boosted = obj(status.get("reblog"))
        if any(
            (text(s.get("visibility")) or "public") not in PUBLIC for s in (status, boosted) if s
        ):
            continue
        author = obj((boosted or status).get("account"))
        if why := fediverse_refusal(author):
            withheld[account_author(author, instance).handle] = why
            continue
        items.append(status_item(status, source_id, instance, pinned))
    return items, {"meta": {WITHHELD: withheld}}


def status_item(status: dict[str, Any], source_id: str, instance: str, pinned: bool) -> Item:
    """One status as an item; a boost shows the boosted post and credits the booster."""
    boosted = obj(status.get("reblog"))
    post = boosted or status
    url = safe_url(text(post.get("url")) or text(post.get("uri")))
    media = tuple(m for m in map(_media, arr(post.get("media_attachments"))) if m)
    content = _content(post, url) + _poll(obj(post.get("poll")))
    content += _quote(obj(obj(post.get("quote")).get("quoted_status")), instance)
    card = obj(post.get("card"))
    if card and not media:  # as Mastodon does: a card only when there is no media
        content += card_html(
            text(card.get("url")),
            text(card.get("title")),
            text(card.get("description")),
            text(card.get("image")),
        )
    content_html = sanitize_html(content, url)
    warning = text(post.get("spoiler_text")).strip()
    sensitive = bool(warning) or post.get("sensitive") is True
    return Item(
        id=stable_id(text(post.get("uri")), url, text(post.get("id"))),
        source=source_id,
        url=url,
        content_html=content_html,
        summary=warning or ("" if sensitive else sanitized_text(content_html, SUMMARY_CHARS)),
        author=account_author(obj(post.get("account")), instance),
        published=iso_time(post.get("created_at")),
        updated=iso_time(post.get("edited_at")),
        media=media,
        reply=post.get("in_reply_to_id") is not None,
        repost=bool(boosted),
        pinned=pinned,
        lang=text(post.get("language")),
        network="mastodon",
        reposted_by=account_author(obj(status.get("account")), instance) if boosted else None,
        content_warning=warning,
        sensitive=sensitive,
        replies=as_int(post.get("replies_count")),
        reposts=as_int(post.get("reblogs_count")),
        likes=as_int(post.get("favourites_count")),
    )


def account_author(account: dict[str, Any], instance: str) -> Author:
    """An account as an author; a local account's `acct` lacks the instance, so add it."""
    acct = text(account.get("acct"))
    handle = f"@{acct}" if "@" in acct else f"@{acct}@{instance}" if acct else ""
    # Names are plain text here: custom emoji shortcodes would show as ":code:".
    codes = {text(e.get("shortcode")) for e in map(obj, arr(account.get("emojis")))}
    name = _SHORTCODE_RE.sub(
        lambda m: "" if m.group(1) in codes else m.group(0), text(account.get("display_name"))
    )
    return Author(
        name=" ".join(name.split()) or text(account.get("username")),
        handle=handle,
        url=safe_url(text(account.get("url"))),
        avatar=safe_url(text(account.get("avatar_static") or account.get("avatar")), image=True),
    )


def _content(post: dict[str, Any], base: str) -> str:
    """The status HTML with Mastodon's link shortening resolved and custom emoji drawn."""
    content = _QUOTE_INLINE_RE.sub("", text(post.get("content")))
    content = _INVISIBLE_RE.sub("", content)
    content = _ELLIPSIS_RE.sub(lambda m: m.group(1) + "…", content)
    emojis = {
        text(e.get("shortcode")): safe_url(text(e.get("static_url") or e.get("url")), image=True)
        for e in map(obj, arr(post.get("emojis")))
    }

    def emoji(m: re.Match[str]) -> str:
        src = emojis.get(m.group(1))
        if not src:
            return m.group(0)
        code = html.escape(m.group(0))
        return f'<img src="{html.escape(src)}" alt="{code}" title="{code}" width="20" height="20">'

    return _SHORTCODE_RE.sub(emoji, content) if emojis else content


def _quote(quoted: dict[str, Any], instance: str) -> str:
    """A quoted status as a card crediting its author; empty when there is none to show."""
    account = obj(quoted.get("account"))
    if not quoted or fediverse_refusal(account):
        return ""
    url = safe_url(text(quoted.get("url")) or text(quoted.get("uri")))
    who = account_author(account, instance)
    body = _content(quoted, url) + _poll(obj(quoted.get("poll")))
    return quote_block(body, f"{who.name} ({who.handle})" if who.handle else who.name, url)


def _poll(poll: dict[str, Any]) -> str:
    """A status's poll (empty when it has none) as its options and closing time."""
    options = [
        (text(o.get("title")), as_int(o.get("votes_count")))
        for o in map(obj, arr(poll.get("options")))
    ]
    return poll_html(options, iso_time(poll.get("expires_at")), poll.get("expired") is True)


def _media(attachment: Any) -> Media | None:
    """A media attachment with its alt text; None for kinds a widget cannot show."""
    a = obj(attachment)
    kind = MEDIA_TYPES.get(text(a.get("type")))
    url = safe_url(text(a.get("url")) or text(a.get("remote_url")), image=True)
    if not kind or not url:
        return None
    size = obj(obj(a.get("meta")).get("original")) or obj(obj(a.get("meta")).get("small"))
    return Media(
        url=url,
        type=kind,
        width=as_int(size.get("width")),
        height=as_int(size.get("height")),
        alt=text(a.get("description")).strip(),
        preview_url=safe_url(text(a.get("preview_url")), image=True),
    )
