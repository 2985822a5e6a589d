"""What the admin page shows, computed from fetch states and items: pure, no I/O.

The chart is a small inline SVG (no script, no external file), so the page needs nothing but
its own stylesheet under a strict Content Security Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from feedhub.models import FetchState, Item

CHART_W, CHART_H = 180, 36


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: str
    type: str
    state: str
    errors: int
    last_success: str
    last_success_iso: str
    last_error: str
    next_check: str
    next_check_iso: str
    item_count: int
    chart: Markup
    withheld: str  # authors left out at their request, as one line; "" when none
    # A renewed token's expiry (read from the state's token record, never the token itself).
    token_expires: str = ""
    token_expires_iso: str = ""
    token_problem: str = ""


@dataclass(frozen=True, slots=True)
class WidgetRow:
    name: str
    sources: list[str]
    item_count: int
    newest_age: str
    newest_iso: str


def span(seconds: float) -> str:
    """A short human duration: 45 s, 12 min, 3 h, 2 d."""
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def ago(when: float | None, now: float) -> str:
    return "never" if not when else f"{span(now - when)} ago"


def due(when: float, now: float) -> str:
    if not when:
        return "now"
    return "now" if when <= now else f"in {span(when - now)}"


def iso(when: float | None) -> str:
    if not when:
        return ""
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def source_row(sid: str, kind: str, state: FetchState | None, now: float) -> SourceRow:
    state = state or FetchState()
    return SourceRow(
        id=sid,
        type=kind,
        state=state.health,
        errors=state.errors,
        last_success=ago(state.last_success, now),
        last_success_iso=iso(state.last_success),
        last_error=state.last_error,
        next_check=due(state.next_check, now),
        next_check_iso=iso(state.next_check),
        item_count=state.item_count,
        chart=history_chart(state.history),
        withheld=withheld_line(state.withheld) if state.withheld else "",
        **token_fields(state, now),
    )


def token_fields(state: FetchState, now: float) -> dict[str, str]:
    """When the source's token expires, and why its last renewal failed, if it has one."""
    expires = state.token_expires
    if expires is None:
        return {"token_problem": state.renewal_problem}
    when = iso(expires)
    left = f"expired {span(now - expires)} ago" if expires <= now else f"in {span(expires - now)}"
    return {
        "token_expires": f"{when[:10]} ({left})",
        "token_expires_iso": when,
        "token_problem": state.renewal_problem,
    }


def withheld_line(withheld: dict[str, str]) -> str:
    """The one line /admin shows for a source's left-out authors."""
    return "left out at their request: " + "; ".join(
        f"{who} ({why})" for who, why in sorted(withheld.items())
    )


def newest_of(items: list[Item]) -> tuple[int, datetime | None]:
    """What the widget table shows of a widget's first page: how many items, the newest's time."""
    return len(items), max((it.sort_time for it in items), default=None)


def widget_row(
    name: str, sources: list[str], shown: tuple[int, datetime | None], now: datetime
) -> WidgetRow:
    count, newest = shown
    return WidgetRow(
        name=name,
        sources=sources,
        item_count=count,
        newest_age=f"{span((now - newest).total_seconds())} old" if newest else "no items",
        newest_iso=newest.isoformat(timespec="seconds") if newest else "",
    )


def history_chart(history: list[dict[str, Any]]) -> Markup:
    """Bars of each recent fetch's duration (red when it failed) and dots for new items."""
    if not history:
        return Markup('<span class="muted">no fetches yet</span>')
    n = len(history)
    slot = CHART_W / max(n, 1)
    top_ms = max(float(h.get("ms", 0)) for h in history) or 1.0
    top_new = max(int(h.get("new", 0)) for h in history) or 1
    parts = [
        f'<svg class="chart" width="{CHART_W}" height="{CHART_H}" '
        f'viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="recent fetches">'
    ]
    for i, h in enumerate(history):
        ms = float(h.get("ms", 0))
        new = int(h.get("new", 0))
        height = max(1.0, (CHART_H - 6) * ms / top_ms)
        x = i * slot
        cls = "ok" if h.get("ok") else "err"
        label = (
            f"{iso(h.get('t'))} · {ms:.0f} ms · {new} new · "
            f"HTTP {h.get('status') or '-'}{'' if h.get('ok') else ' · failed'}"
        )
        parts.append(
            f'<rect class="{cls}" x="{x + 1:.1f}" y="{CHART_H - height:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}</title></rect>"
        )
        if new:
            cy = CHART_H - 3 - (CHART_H - 8) * new / top_new
            parts.append(f'<circle class="new" cx="{x + slot / 2:.1f}" cy="{cy:.1f}" r="2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def alert_row(record: dict[str, Any]) -> dict[str, Any]:
    """A delivery record as the admin page lists it: when, what, and each target's answer."""
    sent = record.get("sent")
    events = record.get("events")
    targets = record.get("targets")
    return {
        "sent": iso(float(sent)) if isinstance(sent, int | float) else "",
        "title": str(record.get("title") or ""),
        "events": [str(e.get("text", "")) for e in events if isinstance(e, dict)]
        if isinstance(events, list)
        else [],
        "targets": {str(k): str(v) for k, v in targets.items()}
        if isinstance(targets, dict)
        else {},
    }
