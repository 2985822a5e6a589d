"""`feedhub fetch` and `feedhub render`: one source or one widget, once, then exit."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from feedhub.cli.common import AddCommand, known, load, loop_runner, one_shot
from feedhub.config import Config
from feedhub.ingest.accounts import read_accounts
from feedhub.publish import formats
from feedhub.publish.cache import Key
from feedhub.store import open_store
from feedhub.store.base import opened


def register(add: AddCommand) -> None:
    p = add("fetch", "fetch one source now and print its items")
    p.add_argument("source", help="a source id from the config")
    p.add_argument("--json", action="store_true", help="print the items as JSON")
    p.set_defaults(func=cmd_fetch)
    p = add("render", "render a widget once from the stored items, for static sites")
    p.add_argument("widget", help="a widget name from the config")
    p.add_argument(
        "-f",
        "--format",
        default="html",
        choices=sorted(formats.FORMATS),
        help="html (fragment, default), page (whole document) or a feed format",
    )
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument(
        "--fetch",
        action="store_true",
        help="poll the widget's sources first (and store what they give)",
    )
    p.set_defaults(func=cmd_render)


def cmd_fetch(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    if not known(args.source, "source", config.sources, args.config):
        return 2
    with loop_runner() as runner:
        return runner.run(_fetch(config, args.source, args.json))


async def _fetch(config: Config, source_id: str, as_json: bool) -> int:
    if config.stored_sources():  # their tokens are in the store: read, nothing written
        async with opened(open_store(config.storage, config.base_dir)) as store:
            config = config.with_accounts(await read_accounts(store, config))
    memory = config.model_copy(
        update={"storage": config.storage.model_copy(update={"backend": "memory"})}
    )
    async with one_shot(memory) as svc:
        svc.polling.renew_tokens = False  # what it would renew, a memory store would lose
        result = await svc.polling.poll(source_id)
        items = await svc.store.get_items(source_id)
    if result.error:
        print(f"{source_id}: {terminal_safe(result.error)}", file=sys.stderr)
        return 1
    items.sort(key=lambda it: it.sort_time, reverse=True)
    if as_json:
        text = json.dumps([it.to_dict() for it in items], indent=2, ensure_ascii=False)
        print(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
        return 0
    for it in items:
        when = it.published.strftime("%Y-%m-%d %H:%M") if it.published else "????-??-?? ??:??"
        text = terminal_safe((it.title or it.summary)[:90])
        print(f"{when}  {text}\n                  {terminal_safe(it.url)}")
    print(f"{len(items)} items from {source_id}", file=sys.stderr)
    return 0


# What a terminal would act on rather than show: C0 and C1 controls, DEL, and the bidi
# controls that reorder a line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Upstream text as it may be printed: each control character shown escaped (`\\x1b`)."""
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def cmd_render(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    if not known(args.widget, "widget", config.widgets, args.config):
        return 2
    with loop_runner() as runner:
        body = runner.run(_render(config, args.widget, args.format, args.fetch))
    if args.output and args.output != "-":
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    return 0


async def _render(config: Config, name: str, fmt: str, fetch: bool) -> bytes:
    async with one_shot(config) as svc:
        if fetch:
            for sid in config.widgets[name].sources:
                await svc.polling.poll(sid)
            await svc.media.idle()  # a static page is written once: with its images
        widget = config.widgets[name]
        view = await svc.widgets.view(Key(name, fmt, widget.limit, widget.locale, widget.theme))
        return formats.render(svc.widgets.renderer, fmt, view).body
