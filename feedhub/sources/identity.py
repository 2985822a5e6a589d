"""Item identity within one feed: every post keeps an id of its own, and a repeat is one item.

An item's id is the hash of its guid (else its link, else its title and content), as it always
was: feeds whose guids are distinct keep their stored ids. Some feeds give several posts one
guid (an export that reused it, a generator that puts the feed's address in every guid).
Among items that would share an id, those with the same link, title, content and images are
one post said twice and are kept once; the others each get the hash of guid and link, or,
where the link is shared too, of guid, link, title, content and images. Pure: it runs in
the parse worker.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from feedhub.models import Item, stable_id


def distinct(items: list[Item], guids: list[str]) -> list[Item]:
    """`items` (in feed order) with repeats dropped and an id of its own for each other post;
    `guids[i]` is the native id item i was read with ("" for none)."""
    if len({item.id for item in items}) == len(items):
        return items  # the usual case: nothing shared
    posts: dict[tuple[str, ...], tuple[Item, str]] = {}
    for item, guid in zip(items, guids, strict=True):
        posts.setdefault((item.id, *_post(item)), (item, guid))  # a repeat is the first one
    ids = Counter(item.id for item, _ in posts.values())
    links = Counter((item.id, item.url) for item, _ in posts.values())
    return [
        item
        if ids[item.id] == 1
        else dataclasses.replace(
            item,
            id=stable_id(
                f"{guid}\n{item.url}"
                if links[item.id, item.url] == 1
                else "\n".join((guid, *_post(item)))
            ),
        )
        for item, guid in posts.values()
    ]


def _post(item: Item) -> tuple[str, ...]:
    """What makes two items one post said twice: link, title, content and images."""
    return item.url, item.title, item.content_html, *(m.url for m in item.media)
