"""What a widget means for a visitor's privacy, as facts a site can publish: whom the
visitor's browser contacts, the cookies set (none), and what feedhub keeps, for how long.

Served as `/w/{widget}/privacy.json` and as a readable page (`feedhub.web.privacy`); the
WordPress plugin copies them into the site's privacy policy guide. Decisions only, from the
config: nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from feedhub.config import Config
from feedhub.media.players import player_origins


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a source's items stay in the store: the newest `max_items`, and, when one is
    set, a post that has left the upstream's answer for at most `max_age` seconds after it
    was published."""

    max_items: int
    max_age: float | None = None


def retention(config: Config, source_id: str) -> Retention:
    """The store's retention of one source, as the config sets it (the one place that reads
    it for publishing: a new limit is a field here)."""
    return Retention(
        max_items=config.source_max_items(source_id), max_age=config.source_max_age(source_id)
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def index(config: Config) -> dict[str, Any]:
    """The public list of widgets: names and titles, nothing else."""
    return {"widgets": [{"name": name, "title": w.title} for name, w in config.widgets.items()]}


def widget_privacy(config: Config, name: str) -> dict[str, Any]:
    """One widget's privacy facts, for `/w/{name}/privacy.json`."""
    widget = config.widgets[name]
    feedhub = origin_of(config.public_url)
    images = "feedhub" if config.media.proxy else "platforms"
    facts: dict[str, Any] = {
        "widget": name,
        "title": widget.title,
        "origins": {
            # With the media cache off, images come from each platform's own servers.
            "before_click": [feedhub] if config.media.proxy else [feedhub, "platform image hosts"],
            "on_click": player_origins(config.media.youtube_player),
        },
        "images": images,
        "cookies": [],
        "visitor_data": "none",
        "kept": [
            {
                "source": sid,
                "type": config.sources[sid].type,
                "max_items": (kept := retention(config, sid)).max_items,
                "max_age_seconds": kept.max_age,
            }
            for sid in widget.sources
        ],
    }
    facts["text"] = privacy_text(facts)
    return facts


def days(seconds: float) -> str:
    value = seconds / 86400
    return f"{value:g} day" + ("" if value == 1 else "s")


def privacy_text(facts: dict[str, Any]) -> list[str]:
    """The facts as plain sentences, the same on the readable page and in a privacy policy."""
    origins = facts["origins"]
    first = " and ".join(origins["before_click"])
    lines = [
        f"Showing this widget, a visitor's browser contacts only this site and {first}.",
        "Only when the visitor clicks a video does the browser load its player, from "
        + ", ".join(origins["on_click"])
        + ".",
        "The widget sets no cookies and stores nothing in the visitor's browser; feedhub keeps"
        " no record of visitors.",
    ]
    for kept in facts["kept"]:
        age = kept["max_age_seconds"]
        limit = (
            f"; a post that has left the source's own feed goes once it is {days(age)} old"
            if age
            else ""
        )
        lines.append(
            f"From the source {kept['source']} ({kept['type']}), feedhub keeps the public posts"
            f" it shows, at most the newest {kept['max_items']}{limit}."
        )
    return lines
