"""Is a Redis store whole? The shape of feedhub's keys under the prefix: each kind of key
has its type, the schema key (`{prefix}:schema`, reported as found) is a number, and every
JSON value parses."""

from __future__ import annotations

import json
from typing import Any

from feedhub.store.check import CheckReport

# The type of each kind of key under the prefix (the part after `{prefix}:`).
KEY_TYPES = {
    "states": "hash",
    "items": "string",
    "ranked": "list",
    "order": "zset",
    "item": "hash",
    "lease": "string",
    "schema": "string",
    "decisions": "hash",
}
JSON_KINDS = {"states", "items", "ranked", "item", "decisions"}


async def check_redis(client: Any, prefix: str, *, full: bool = False) -> CheckReport:
    """The schema key is a number, each kind of key has its type and (`full`) every JSON
    value parses. `client` is a redis.asyncio client with decoded responses."""
    report = CheckReport(f"redis prefix {prefix!r}")
    raw = await client.get(f"{prefix}:schema")
    if raw is not None:
        if str(raw).isdigit():
            report.version = int(raw)
        else:
            report.problems.append(f"{prefix}:schema holds {str(raw)[:40]!r}, not a number")
    keys = [str(k) async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    for key in keys:
        kind = key[len(prefix) + 1 :].split(":", 1)[0]
        report.counts[kind] = report.counts.get(kind, 0) + 1
        if full or kind in ("states", "schema"):  # the cheap ones are checked at start too
            report.problems += await _key_problems(client, key, kind, full)
    return report


async def _key_problems(client: Any, key: str, kind: str, full: bool) -> list[str]:
    expected = KEY_TYPES.get(kind)
    if expected is None:  # a kind this check does not know: its own code reads it
        return []
    actual = await client.type(key)
    if actual == "none":  # gone since the scan
        return []
    if actual != expected:
        return [f"{key} is a {actual}, not a {expected}"]
    if not full or kind not in JSON_KINDS:
        return []
    if expected == "hash":
        values = list((await client.hgetall(key)).values())
    elif expected == "list":
        values = list(await client.lrange(key, 0, -1))
    else:
        values = [await client.get(key)]
    bad = sum(1 for value in values if not _is_json(value))
    return [f"{key}: {bad} values that are not JSON"] if bad else []


def _is_json(value: str | None) -> bool:
    try:
        json.loads(value or "")
    except ValueError:
        return False
    return True
