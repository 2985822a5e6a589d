"""What a moderated widget may show: decisions, rules and the queue. Pure: no I/O.

A widget is moderated with `moderation: approve` (posts of sources not in `trusted:` wait in
a queue until approved) or with `rules:`. For each post, in this order:
1. a person's (or a favourite's) decision: reject hides it for good, approve and pin show it;
2. the rules, which decide without a person: the block words (`filters.exclude`), the
   languages, media required, then at most N posts per author per day (counted among the
   posts the other rules let through, oldest first); a post they hold back is never shown,
   and the reason is kept for /admin/moderation;
3. a trusted source (or `moderation: open`) shows the post; any other waits in the queue.
Ids in the config's `hide:` and `pin:` still win over all of this.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from feedhub.config import WidgetConfig
from feedhub.models import Item, item_json
from feedhub.publish.selection import Matcher, filter_text

APPROVE, REJECT, PIN = "approve", "reject", "pin"
ACTIONS = (APPROVE, REJECT, PIN)
VISUAL = ("image", "video")


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision on one post of one widget: what, by whom, when (unix time)."""

    action: str
    by: str
    at: float
    source: str = ""
    previous: str = ""  # the decision this one replaced (its JSON), for an undo

    def to_json(self) -> str:
        return json.dumps(
            {
                "action": self.action,
                "by": self.by,
                "at": self.at,
                "source": self.source,
                "previous": self.previous,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Decision | None:
        """The decision a stored text holds; None for one that is not ours (left alone)."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("action") not in ACTIONS:
            return None
        at = data.get("at")
        return cls(
            str(data["action"]),
            str(data.get("by") or ""),
            float(at) if isinstance(at, int | float) else 0.0,
            str(data.get("source") or ""),
            str(data.get("previous") or ""),
        )


@dataclass(slots=True)
class Classified:
    """A moderated widget's posts, each in one list: shown (pinned by a decision among
    them, newest pin first in `pins`), queued, held back by a rule (with the reason) and
    rejected."""

    shown: list[Item] = field(default_factory=list)
    queued: list[Item] = field(default_factory=list)
    held: list[tuple[Item, str]] = field(default_factory=list)
    rejected: list[Item] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)

    def digest(self) -> str:
        """What the shown posts are, and in which pin order: a widget's version is made from
        this, so a post arriving in the queue does not change what its visitors can see."""
        h = hashlib.blake2b(digest_size=10)
        for item in sorted(self.shown, key=lambda it: (it.source, it.id)):
            h.update(item_json(item).encode())
        h.update("|".join(self.pins).encode())
        return h.hexdigest()


def rule_reason(item: Item, widget: WidgetConfig, block: Matcher) -> str:
    """Why a rule other than the daily cap holds the post back, or ""."""
    if block:
        text = filter_text(item)
        for word in block.words:
            if word in text.casefold():
                return f"block word {word!r}"
        for pattern in block.patterns:
            if pattern.search(text):
                return f"block pattern /{pattern.pattern}/"
    rules = widget.rules
    if rules.languages and item.lang:
        lang = item.lang.replace("_", "-").lower()
        wanted = [w.replace("_", "-").lower() for w in rules.languages]
        if lang not in wanted and lang.split("-")[0] not in wanted:
            return f"language {item.lang!r} is not one of {', '.join(rules.languages)}"
    if rules.media_required and not any(m.type in VISUAL for m in item.media):
        return "no image or video"
    return ""


def author_key(item: Item) -> str:
    return item.author.handle or item.author.url or item.author.name


def classify(
    items: Iterable[Item], widget: WidgetConfig, decisions: Mapping[str, Decision]
) -> Classified:
    """Each post of a moderated widget in its list (see the module's docstring)."""
    out = Classified()
    block = Matcher.compile(widget.filters.exclude)
    hidden, config_pins = set(widget.hide), set(widget.pin)
    trusted = set(widget.trusted)
    cap = widget.rules.per_author_per_day
    undecided: list[Item] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        if (item.source, item.id) in seen or item.id in hidden:
            continue
        seen.add((item.source, item.id))
        decision = decisions.get(item.id)
        if item.id in config_pins:
            out.shown.append(item)
        elif decision is not None and decision.action == REJECT:
            out.rejected.append(item)
        elif decision is not None:
            out.shown.append(item)
        elif why := rule_reason(item, widget, block):
            out.held.append((item, why))
        else:
            undecided.append(item)
    per_day: dict[tuple[str, str], int] = defaultdict(int)
    for item in sorted(undecided, key=lambda it: (it.sort_time, it.id)):
        day = (author_key(item), item.sort_time.date().isoformat())
        per_day[day] += 1
        if cap and per_day[day] > cap:
            out.held.append(
                (item, f"more than {cap} posts by {day[0] or 'this author'} on {day[1]}")
            )
        elif widget.moderation == "open" or item.source in trusted:
            out.shown.append(item)
        else:
            out.queued.append(item)
    pinned = [(d.at, item_id) for item_id, d in decisions.items() if d.action == PIN]
    shown_ids = {it.id for it in out.shown}
    out.pins = [item_id for _, item_id in sorted(pinned, reverse=True) if item_id in shown_ids]
    return out


def decisions_of(texts: Mapping[str, str]) -> dict[str, Decision]:
    """The stored texts of a widget's decisions, read (those that are not ours left out)."""
    found = {}
    for item_id, text in texts.items():
        if (decision := Decision.from_json(text)) is not None:
            found[item_id] = decision
    return found


def export_lines(
    widget: str,
    decisions: Mapping[str, Decision],
    hide_ids: Iterable[str] = (),
    pin_ids: Iterable[str] = (),
) -> list[str]:
    """A widget's decisions as the `hide:` and `pin:` lists config.yaml takes: the ids the
    config has first, as written (they win: an id it pins is not hidden, nor pinned one it
    hides), then the rejected posts and the pinned ones (oldest pin first)."""
    hide, pin = list(hide_ids), list(pin_ids)
    hide += sorted(
        i for i, d in decisions.items() if d.action == REJECT and i not in pin and i not in hide
    )
    pins = sorted((d.at, i) for i, d in decisions.items() if d.action == PIN)
    pin += [i for _, i in pins if i not in hide and i not in pin]
    lines = [f"  {widget}:"]
    for key, ids in (("hide", hide), ("pin", pin)):
        lines.append(f"    {key}: {json.dumps(ids)}")
    return lines


def as_view(decision: Decision | None) -> dict[str, Any]:
    """A decision as the admin page shows it."""
    if decision is None:
        return {}
    return {"action": decision.action, "by": decision.by, "at": decision.at}
