"""How Redis holds a source's items: `{p}:order:{source}` (a sorted set, item id scored by
its rank, read a page at a time) and `{p}:item:{source}` (a hash, item id -> JSON); and the
move of a source that releases before kept the earlier way (a `{p}:ranked:{source}` list, or
an `{p}:items:{source}` JSON array), done when it is first read: a rank is computed from the
item, which a script cannot do.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as aioredis

from feedhub.models import Item, item_json
from feedhub.store.rows import decode_items

log = logging.getLogger(__name__)
CHUNK = 10_000  # items per command: bounded, whatever the count


def write_items(tx: Any, prefix: str, source_id: str, items: list[Item], texts: list[str]) -> None:
    """Queue on `tx` the commands that replace the source's items (any layout) with these."""
    order, item = f"{prefix}:order:{source_id}", f"{prefix}:item:{source_id}"
    tx.delete(f"{prefix}:items:{source_id}", f"{prefix}:ranked:{source_id}", order, item)
    for start in range(0, len(items), CHUNK):
        chunk = range(start, min(start + CHUNK, len(items)))
        tx.zadd(order, {items[i].id: items[i].rank for i in chunk})
        tx.hset(item, mapping={items[i].id: texts[i] for i in chunk})


async def move_earlier_layout(r: aioredis.Redis, prefix: str, source_id: str) -> list[str]:
    """The JSON texts of a source kept the earlier way, moved to the paged layout now; []
    when there is none."""
    ranked, old = f"{prefix}:ranked:{source_id}", f"{prefix}:items:{source_id}"
    texts = [str(t) for t in await r.lrange(ranked, 0, -1)]
    if not texts and (raw := await r.get(old)):
        texts = [json.dumps(d) for d in json.loads(raw)]
    if not texts:
        return []
    items, bad = await asyncio.to_thread(decode_items, texts)
    if bad:  # rows that cannot be read are not moved: the next poll writes the source whole
        log.error("redis: %d rows of %s cannot be read (%s)", len(bad), source_id, bad[0])
        texts = [item_json(item) for item in items]
    async with r.pipeline(transaction=True) as tx:
        write_items(tx, prefix, source_id, items, texts)
        await tx.execute()
    log.info("redis: %d items of %s moved to the paged layout", len(items), source_id)
    return texts
