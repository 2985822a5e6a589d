"""Moderation decisions and rules (publish/moderation.py, pure), and the decisions' life in a
store: kept, undone within 30 s, exported as config lines the config accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from feedhub.config import WidgetConfig, parse_config
from feedhub.models import Author, Item, Media
from feedhub.publish.decisions import UNDO_SECONDS, Decisions
from feedhub.publish.moderation import Decision, classify, decisions_of, export_lines
from feedhub.store.sqlite import SqliteStore

DAY = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)


def post(n: int, who: str = "a", source: str = "tag", **kw: object) -> Item:
    return Item(
        id=f"p{n}",
        source=source,
        url=f"https://x.example/{n}",
        content_html=f"<p>post {n} {kw.pop('text', '')}</p>",
        author=Author(name=who, handle=f"@{who}@x.example"),
        published=DAY + timedelta(minutes=n),
        **kw,  # type: ignore[arg-type]
    )


def widget(**kw: object) -> WidgetConfig:
    return WidgetConfig(sources=["tag", "city"], **kw)  # type: ignore[arg-type]


def test_the_queue_trusted_sources_and_decisions():
    items = [post(1), post(2), post(3), post(4, source="city"), post(5)]
    decided = {
        "p1": Decision("approve", "admin", 10.0),
        "p2": Decision("reject", "admin", 11.0),
        "p5": Decision("pin", "admin", 12.0),
    }
    out = classify(items, widget(moderation="approve", trusted=["city"]), decided)
    assert sorted(it.id for it in out.shown) == ["p1", "p4", "p5"]
    assert [it.id for it in out.queued] == ["p3"]
    assert [it.id for it in out.rejected] == ["p2"]
    assert out.pins == ["p5"]
    # Ids in the config win: a hidden one shows nowhere, a pinned one shows though rejected.
    config = classify(items, widget(moderation="approve", hide=["p1"], pin=["p2"]), decided)
    assert sorted(it.id for it in config.shown) == ["p2", "p5"]
    # Open: everything not rejected shows, and a waiting post never moves the digest.
    assert len(classify(items, widget(), decided).shown) == 4
    before = classify(items, widget(moderation="approve"), decided).digest()
    after = classify([*items, post(9)], widget(moderation="approve"), decided).digest()
    assert before == after


def test_rules_decide_before_the_queue_with_their_reason():
    items = [
        post(1, "a", text="casino gratuit"),
        post(2, "b", lang="de"),
        post(3, "c", lang="fr-CA"),
        post(4, "d", media=(Media(url="https://x.example/i.jpg"),)),
        post(5, "d", media=(Media(url="https://x.example/j.jpg"),)),
        post(6, "e"),
    ]
    rules = {"per_author_per_day": 1, "languages": ["fr"], "media_required": True}
    cfg = widget(filters={"exclude": ["Casino"]}, rules=rules, trusted=["tag"])
    out = classify(items, cfg, {"p6": Decision("approve", "admin", 1.0)})
    held = {it.id: why for it, why in out.held}
    assert held == {
        "p1": "block word 'casino'",
        "p2": "language 'de' is not one of fr",
        "p3": "no image or video",
        "p5": "more than 1 posts by @d@x.example on 2026-12-06",
    }
    assert sorted(it.id for it in out.shown) == ["p4", "p6"]  # a person's approval passes


async def test_decisions_kept_undone_and_exported(tmp_path: Path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    decisions = Decisions(store)
    await decisions.decide("wall", "p1", "approve", "admin")
    await decisions.decide("wall", "p1", "reject", "admin")
    await decisions.decide("wall", "p2", "pin", "admin")
    assert await decisions.undo("wall", "p1")  # back to approved
    assert (await decisions.load("wall"))["p1"].action == "approve"
    assert await decisions.undo("wall", "p1")  # back to nothing
    assert "p1" not in await decisions.load("wall")
    assert not await decisions.undo("wall", "p2", now=10**10 + UNDO_SECONDS)
    await decisions.decide("wall", "p3", "reject", "admin")
    await store.close()

    again = SqliteStore(tmp_path / "s.sqlite3")
    await again.open()
    kept = decisions_of(await again.decisions("wall"))
    await again.close()
    assert {k: d.action for k, d in kept.items()} == {"p2": "pin", "p3": "reject"}
    text = "\n".join(["widgets:", *export_lines("wall", kept, ["x1"], ["p3"])])
    assert yaml.safe_load(text) == {"widgets": {"wall": {"hide": ["x1"], "pin": ["p3", "p2"]}}}
    wall = yaml.safe_load(text)["widgets"]["wall"]
    cfg = parse_config(
        {
            "sources": {"tag": {"type": "feed", "url": "https://x.example/f"}},
            "widgets": {"wall": {"sources": ["tag"], **wall}},
        }
    )
    assert cfg.widgets["wall"].pin == ["p3", "p2"]
