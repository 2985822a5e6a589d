"""`feedhub store copy --to URL` between two backends: through the store interface, source by
source, each source's fetch state (with what adapters keep in it, such as renewed tokens) and
items, and the media cache's records. What the source store holds beyond those is named,
never dropped silently. (Between two stores of one backend, its `Maintenance.copy` carries every
table or key as it is.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from feedhub.store.base import ALERTS_KEPT, Outcome, Refused, Store, opened


@dataclass
class CopyReport:
    sources: int = 0
    items: int = 0
    left_out: list[str] = field(default_factory=list)  # what the interface does not carry

    def lines(self, target: str) -> list[str]:
        out = [
            f"copied {self.sources} sources ({self.items} items with their fetch state) to {target}"
        ]
        out += [f"  not carried: {what}" for what in self.left_out]
        return out


async def is_empty(store: Store) -> bool:
    """No source recorded yet: a copy into it loses nothing."""
    return not await store.all_states()


async def copy_records(source: Store, target: Store) -> CopyReport:
    """Every source's fetch state and items, from one open store into another."""
    report = CopyReport()
    for sid, state in sorted((await source.all_states()).items()):
        items = await source.get_items(sid)
        await target.save(sid, state, items)
        report.sources += 1
        report.items += len(items)
    # What the media cache knows of each image URL (the files stay in media.dir).
    for text in await source.media_records():
        record = json.loads(text)
        await target.put_media(record["url"], record.get("digest", ""), text)
    # Connected accounts, as they are (sealed: the same FEEDHUB_SECRET_KEY opens them), and
    # the alert deliveries, oldest first.
    for sid in sorted(await source.all_states()):
        account = await source.get_account(sid)
        if account is not None:
            await target.put_account(sid, account)
    for text in reversed(await source.recent_alerts(ALERTS_KEPT)):
        sent = json.loads(text).get("sent")
        await target.add_alert(text, float(sent) if isinstance(sent, int | float) else 0.0)
    # Moderation decisions, as they were taken.
    for widget, decided in (await source.all_decisions()).items():
        for item_id, text in decided.items():
            await target.decide(widget, item_id, text)
    return report


async def copy_across(source: Store, target: Store, shown: str, force: bool) -> Outcome:
    """Copy between two (unopened) stores of different backends; running replicas of the
    target are told that every source changed."""
    missing = await source.maintenance().left_out()
    async with opened(source) as src, opened(target) as dst:
        if not force and not await is_empty(dst):
            raise Refused(f"{shown} already holds feedhub data; --force copies over it")
        report = await copy_records(src, dst)
        report.left_out = missing
        for sid, state in (await dst.all_states()).items():
            await dst.publish(sid, state.digest)
    return Outcome(report.lines(shown))
