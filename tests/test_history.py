"""The history rule (feedhub/ingest/history.py): what a source keeps of posts that left the
upstream's answer. Pure: items in, items out."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from feedhub.ingest.history import document_order, merge_history, window_start
from feedhub.models import Item, Media

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = (T0 + timedelta(days=100)).timestamp()


def post(n: int, **kw: object) -> Item:
    """Post n, published n hours after T0 (higher n: newer)."""
    fields: dict[str, object] = {"published": T0 + timedelta(hours=n), "title": f"Post {n}"}
    fields.update(kw)
    return Item(id=f"p{n:03d}", source="s", url=f"https://example.org/{n}", **fields)  # type: ignore[arg-type]


def undated(n: int) -> Item:
    return Item(id=f"u{n:03d}", source="s", url=f"https://example.org/u{n}", title=f"U{n}")


def ids(items: list[Item]) -> list[str]:
    return [it.id for it in items]


def merge(answer, stored, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("now", NOW)
    kw.setdefault("max_items", 1000)
    return merge_history(answer, stored, **kw)


def test_posts_that_scrolled_out_are_kept_newest_first():
    stored = [post(n) for n in range(40)]
    answer = [post(n) for n in range(39, 29, -1)]  # the 10 newest
    merged = merge(answer, stored)
    assert ids(merged.items) == [f"p{n:03d}" for n in range(39, -1, -1)]
    assert merged.gone == [] and merged.deleted == 0


def test_a_post_missing_inside_the_window_was_deleted():
    stored = [post(n) for n in range(40)]
    answer = [post(n) for n in range(39, 19, -1) if n != 33]  # 20 newest, one deleted
    merged = merge(answer, stored)
    assert "p033" not in ids(merged.items)
    assert ids(merged.gone) == ["p033"] and merged.deleted == 1
    assert len(merged.items) == 39


def test_a_post_at_the_windows_oldest_date_is_kept():
    stored = [post(1), post(2), post(3, published=T0 + timedelta(hours=2))]
    answer = [post(2)]
    merged = merge(answer, stored)  # post 3 shares post 2's date: it may merely have scrolled
    assert set(ids(merged.items)) == {"p001", "p002", "p003"}


def test_a_pinned_post_does_not_widen_the_window_and_is_unpinned_when_it_leaves():
    old_pinned = post(1, pinned=True)
    stored = [old_pinned, post(5), post(6), post(7), post(8)]
    # Post 7 is deleted; post 1 (pinned, far older than the window) is still listed.
    answer = [old_pinned, post(8), post(6)]
    assert window_start(answer) == post(6).published
    merged = merge(answer, stored)
    assert ids(merged.gone) == ["p007"]
    assert "p005" in ids(merged.items)  # older than the window: scrolled out
    # Unpinned upstream and scrolled out: kept, no longer on top.
    later = merge([post(9), post(8)], merged.items)
    kept = {it.id: it for it in later.items}
    assert kept["p001"].pinned is False and ids(later.items)[-1] == "p001"


def test_an_edited_post_replaces_its_old_version():
    before = post(5, content_html="<p>old</p>", media=(Media("https://img.example/old.png"),))
    after = dataclasses.replace(
        before, content_html="<p>new</p>", media=(Media("https://img.example/new.png"),)
    )
    merged = merge([after, post(4)], [before, post(4), post(3)])
    assert merged.items[0] == after
    assert merged.gone == [before] and merged.deleted == 0


def test_undated_posts_follow_document_order():
    stored = [undated(n) for n in range(6)]
    order = [f"u{n:03d}" for n in range(6)]  # as the feed listed them: u000 on top
    # The feed now lists u000, u001 and u003: u002 was deleted, u004 and u005 scrolled out.
    answer = [undated(0), undated(1), undated(3)]
    merged = merge(answer, stored, order=order)
    assert ids(merged.gone) == ["u002"] and merged.deleted == 1
    assert set(ids(merged.items)) == {"u000", "u001", "u003", "u004", "u005"}
    assert merged.order == ["u000", "u001", "u003", "u004", "u005"]
    # A new post on top, the rest scrolled: all kept, in the document's order.
    again = merge([undated(9), undated(0)], merged.items, order=merged.order)
    assert again.gone == []
    assert again.order == ["u009", "u000", "u001", "u003", "u004", "u005"]


def test_an_undated_post_whose_place_is_unknown_is_kept():
    merged = merge([undated(1)], [undated(1), undated(2)], order=[])
    assert set(ids(merged.items)) == {"u001", "u002"} and merged.gone == []


def test_an_empty_answer_deletes_nothing():
    stored = [post(n) for n in range(5)]
    assert ids(merge([], stored).items) == ids(sorted(stored, key=lambda it: it.id, reverse=True))


def test_max_age_drops_history_but_never_the_current_answer():
    old = [post(n) for n in range(5)]  # T0 + n hours: 100 days before NOW
    answer = [post(2000), post(1999)]  # recent
    merged = merge(answer, [*old, *answer], max_age=30 * 86400)
    assert ids(merged.items) == ["p2000", "p1999"]
    assert sorted(ids(merged.gone)) == ids(old) and merged.deleted == 0
    # An old post still in the answer stays: the upstream shows it.
    assert ids(merge([post(1)], [post(1)], max_age=86400).items) == ["p001"]
    # Undated posts have no age.
    kept = merge([post(3000)], [undated(1), post(3000)], order=["u001"], max_age=86400)
    assert set(ids(kept.items)) == {"u001", "p3000"}


def test_max_items_keeps_the_first_by_rank_and_names_what_leaves():
    stored = [post(n) for n in range(10)]
    merged = merge([post(10), post(9)], stored, max_items=4)
    assert ids(merged.items) == ["p010", "p009", "p008", "p007"]
    assert sorted(ids(merged.gone)) == [f"p{n:03d}" for n in range(7)]


def test_document_order_without_undated_posts_is_empty():
    assert document_order([post(1)], [post(0)], []) == []
