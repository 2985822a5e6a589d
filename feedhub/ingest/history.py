"""What a source keeps of its past: the history rule. Pure: no I/O, the clock is passed in.

An upstream answers with its newest posts only. A stored post missing from the current answer
either scrolled out (it is older than everything the answer holds: kept) or was deleted or
hidden by its author (it falls inside the answer's window: removed). Posts without dates are
placed by document order instead: the order the feed listed them in, which the source's state
keeps (`ORDER`). A pinned post does not widen the window (it may be years old), and a post
that was pinned and left the answer is kept unpinned when it scrolled out.

Then retention: posts that left the answer go once older than `max_age` (undated ones have no
age and stay), and the source keeps its `max_items` first posts by rank.

Sources that send only what is new (X's `since_id`) keep their own rule,
`update.merge_incremental`: nothing is missing from such an answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from feedhub.models import Item

ORDER = "order"  # FetchState.meta: the stored undated posts' ids, in document order
ANSWER = "answer"  # FetchState.meta: the digest of the upstream's last answer
WINDOW = "window"  # FetchState.meta: the oldest date of that answer (unix time)


@dataclass(frozen=True, slots=True)
class Merged:
    """The items a source keeps, and the stored ones that leave (deleted upstream, out of
    retention, or an old version an edit replaced): their images may leave the cache."""

    items: list[Item]
    gone: list[Item]
    deleted: int  # of `gone`, those the rule found deleted upstream
    order: list[str]  # the new ORDER (empty when no item is undated)


def dated(item: Item) -> bool:
    return item.published is not None or item.updated is not None


def window_start(answer: Sequence[Item]) -> datetime | None:
    """The oldest date among the answer's posts that are not pinned (None: no dated post)."""
    times = [it.sort_time for it in answer if dated(it) and not it.pinned]
    return min(times) if times else None


def scrolled_out(item: Item, oldest: datetime | None, last: int, position: dict[str, int]) -> bool:
    """Whether a stored post missing from the answer merely scrolled out of it.

    Dated: not newer than the answer's oldest dated post (an answer without one says nothing:
    kept). Undated: listed after every post of the answer the previous document also listed
    (`last`, its position there); one whose place was never recorded is kept."""
    if dated(item):
        return oldest is None or item.sort_time <= oldest
    where = position.get(item.id)
    return where is None or where > last


def merge_history(
    answer: Sequence[Item],
    stored: Sequence[Item],
    *,
    order: Sequence[str] = (),
    now: float,
    max_items: int,
    max_age: float | None = None,
    deleted_ids: Collection[str] = (),
) -> Merged:
    """The answer's posts, the stored ones that scrolled out, then retention. `deleted_ids`
    are posts a re-check found deleted upstream, whatever their age."""
    in_answer = {it.id: it for it in answer}
    position = {item_id: i for i, item_id in enumerate(order)}
    last = max((position[i] for i in in_answer if i in position), default=-1)
    oldest = window_start(answer)
    cutoff = now - max_age if max_age else None
    kept: list[Item] = []
    gone: list[Item] = []
    deleted = 0
    for item in stored:
        fresh = in_answer.get(item.id)
        if fresh is not None:
            if fresh != item:  # edited: the old version and its images leave
                gone.append(item)
            continue
        if item.id in deleted_ids or not scrolled_out(item, oldest, last, position):
            gone.append(item)
            deleted += 1
        elif cutoff is not None and dated(item) and item.sort_time.timestamp() < cutoff:
            gone.append(item)
        else:
            kept.append(dataclasses.replace(item, pinned=False) if item.pinned else item)
    items = sorted([*answer, *kept], key=lambda it: (it.rank, it.id), reverse=True)
    if len(items) > max_items:
        stored_ids = {it.id for it in stored}
        gone += [it for it in items[max_items:] if it.id in stored_ids]
        items = items[:max_items]
    return Merged(items, gone, deleted, document_order(answer, kept, order))


def document_order(answer: Sequence[Item], kept: Sequence[Item], order: Sequence[str]) -> list[str]:
    """The undated posts' ids as the feed listed them: the answer's, then those kept from
    before in their earlier order."""
    ids = [it.id for it in answer if not dated(it)]
    old = {it.id for it in kept if not dated(it)}
    if not ids and not old:
        return []
    listed = set(ids)
    ids += [i for i in order if i in old and i not in listed]
    placed = set(ids)
    ids += [it.id for it in kept if it.id in old and it.id not in placed]
    return ids
