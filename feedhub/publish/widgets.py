"""Each widget's version, its rendered bytes, and rendering a change before it shows."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlencode

from feedhub.config import Config, WidgetConfig
from feedhub.media.markup import Images
from feedhub.models import PROFILE, FetchState, Item, Profile
from feedhub.publish import formats
from feedhub.publish.cache import Entry, Key, RenderCache
from feedhub.publish.decisions import Decisions, classified, moderated_page
from feedhub.publish.messages import messages_for
from feedhub.publish.paging import Page, decode_cursor, encode_cursor, page_of, source_after
from feedhub.publish.render import Renderer, WidgetView
from feedhub.publish.selection import read_window, variant_count
from feedhub.store import Store

log = logging.getLogger("feedhub")
# Of a changed widget, at most this many of its rendered variants (format, limit, locale,
# theme) are rendered ahead; any other renders when it is next asked for.
PRERENDER = 16
RENDER_CACHE = 2048  # rendered entries kept at least


class ImageMarkup(Protocol):
    """What a rendering asks of the media cache: how to write the items' images."""

    @property
    def epochs(self) -> Mapping[str, int]:
        """Per source: moves when more of its images are cached (its widgets change)."""
        ...

    async def markup(self, items: Iterable[Item], words: Mapping[str, str]) -> Images: ...


class NoSuchWidget(LookupError):
    """The widget is not in the running config: a reload removed it while a request for it
    was being answered. Its answer is a 404, as for any unknown name."""


class Widgets:
    """Renders widgets from the store's items; a widget's version names its current bytes.

    `states` is the service's map of fetch states: a widget's version is derived from its
    config and the digests of its sources' items, so it changes exactly when they do.
    """

    def __init__(
        self, config: Config, store: Store, states: Mapping[str, FetchState], images: ImageMarkup
    ) -> None:
        self.store = store
        self.states = states
        self.versions: dict[str, str] = {}
        self.renders = RenderCache()
        self._seeds: dict[str, bytes] = {}
        self._seeds_for: object = None
        self._images = images
        self.decisions = Decisions(store)
        # Per moderated widget: the digest of what it shows (its version is made from this,
        # not from its sources' digests, so a post waiting in the queue changes nothing).
        self.shown_digests: dict[str, str] = {}
        # Per widget: (version, item count, newest item) of its last first page, for /admin.
        self.first_pages: dict[str, tuple[str, int, datetime | None]] = {}
        self.configure(config)

    def configure(self, config: Config) -> None:
        """Use a new config: templates and every rendered copy are dropped."""
        self.config = config
        self.renderer = Renderer(config)
        self.renders.clear()
        # Room for every variant of every widget: none is ever rendered twice per version.
        themes = len(self.renderer.themes)
        self.renders.resize(
            max(
                RENDER_CACHE,
                sum(
                    variant_count(w, themes, len(formats.FORMATS), len(formats.THEMED_FORMATS))
                    for w in config.widgets.values()
                ),
            )
        )

    def recompute(self, source_id: str | None = None) -> None:
        """A widget's version changes when its config or any of its sources' items change.

        With `source_id`, only the widgets showing that source are recomputed. The map is new
        every time, so a reader may compare its identity to know that nothing changed since
        it last looked (the widget handler's fast path does).
        """
        fresh = self.versions_of(source_id)
        self.versions = {**self.versions, **fresh} if source_id else fresh

    def versions_of(self, source_id: str | None = None) -> dict[str, str]:
        """The versions of the widgets showing `source_id` (of all without it), from the
        current states."""
        if self._seeds_for is not self.config:  # each widget's config, serialized once
            self._seeds = {
                name: json.dumps(w.model_dump(mode="json"), sort_keys=True).encode()
                for name, w in self.config.widgets.items()
            }
            self._seeds_for = self.config
        versions = {}
        for name, widget in self.config.widgets.items():
            if source_id and source_id not in widget.sources:
                continue
            h = hashlib.blake2b(self._seeds[name], digest_size=10)
            if widget.moderated:
                h.update(f"|shown={self.shown_digests.get(name, '')}".encode())
            for sid in widget.sources:
                state = self.states.get(sid)
                if not widget.moderated:
                    h.update(f"|{sid}={state.digest if state else ''}".encode())
                if sid in self._images.epochs:
                    h.update(f"+{self._images.epochs[sid]}".encode())
                if sid in self.store.unreadable.epochs:
                    h.update(f"#{self.store.unreadable.epochs[sid]}".encode())
                if widget.header != "none" and state and PROFILE in state.meta:
                    h.update(json.dumps(state.meta[PROFILE], sort_keys=True).encode())
            versions[name] = h.hexdigest()
        return versions

    async def prerender(self, versions: dict[str, str]) -> None:
        """Render the new version of what was being served of each changed widget, before the
        version switches: meanwhile visitors get the previous bytes and never wait on it."""
        for name, version in versions.items():
            if self.versions.get(name) == version:
                continue
            # First pages before later ones: a reader paging back waits on a render, the
            # widget's visitors do not.
            keys = sorted(self.renders.keys_for(name), key=lambda k: bool(k.before))
            for key in keys[:PRERENDER]:
                try:
                    await self._render(key, version)
                except Exception:  # the request that asks for it will answer 500 and log it
                    log.exception("widget %s: rendering %s failed", name, key.fmt)

    async def warm(self) -> None:
        """Render each widget's page and fragment before serving: templates compile and locale
        data loads here, not in the first visitors' requests."""
        self.renderer.warm({widget.locale for widget in self.config.widgets.values()})
        for name, widget in self.config.widgets.items():
            for fmt in ("page", "html"):
                key = Key(name, fmt, widget.limit, widget.locale, widget.theme)
                try:
                    await self.rendered(key)
                except Exception:
                    log.exception("widget %s: rendering %s failed", name, fmt)

    def _config_of(self, name: str) -> WidgetConfig:
        widget = self.config.widgets.get(name)
        if widget is None:
            raise NoSuchWidget(name)
        return widget

    async def items(self, name: str, limit: int | None = None) -> list[Item]:
        """The first page of the widget: what its current version shows."""
        return (await self.page(name, limit)).items

    async def page(self, name: str, limit: int | None = None, before: str = "") -> Page:
        """A page of the widget after the cursor `before` (checked by the caller): each
        source is read from that position, a bounded window each."""
        widget = self._config_of(name)
        cursor = decode_cursor(before) if before else None
        if widget.moderated:
            shown = await classified(self.store, widget, self.decisions.of(name))
            return moderated_page(shown, widget, datetime.now(UTC), limit or widget.limit, cursor)
        window = read_window(widget)
        read = {
            sid: await self.store.page(sid, window, source_after(cursor, sid))
            for sid in widget.sources
        }
        return page_of(read, window, widget, datetime.now(UTC), limit or widget.limit, cursor)

    async def rendered(self, key: Key) -> Entry:
        """The widget's bytes for these parameters, rendered only if its items changed."""
        version = self.versions.get(key.widget)
        if version is None:
            raise NoSuchWidget(key.widget)
        return await self._render(key, version)

    async def _render(self, key: Key, version: str) -> Entry:
        entry = self.renders.peek(key, version)
        if entry is not None:
            return entry

        async def produce() -> tuple[bytes, str, dict[str, str]]:
            view = await self.view(key, version)
            # In a thread: a render is milliseconds of CPU the loop's other answers must not
            # wait behind (the serving process gives its loop the GIL back every 1 ms).
            out = await asyncio.to_thread(formats.render, self.renderer, key.fmt, view)
            return out.body, out.content_type, out.headers

        return await self.renders.get(key, version, produce)

    def _widget_config(self, key: Key) -> WidgetConfig:
        """The widget's config, with the color scheme a request asked for."""
        cfg = self._config_of(key.widget)
        return cfg.model_copy(update={"scheme": key.scheme}) if key.scheme else cfg

    def profiles(self, name: str) -> list[tuple[str, Profile]]:
        """The accounts a widget's header shows: (source, profile) of each of its sources
        that has one, in the widget's order; none when `header: none`."""
        widget = self._config_of(name)
        if widget.header == "none":
            return []
        found = [(sid, self.states[sid].profile) for sid in widget.sources if sid in self.states]
        return [(sid, p) for sid, p in found if p is not None]

    async def view(self, key: Key, version: str | None = None) -> WidgetView:
        page = await self.page(key.widget, key.limit, key.before)
        items = page.items
        if version and not key.before and key.limit == self._config_of(key.widget).limit:
            newest = max((it.sort_time for it in items), default=None)
            self.first_pages[key.widget] = (version, len(items), newest)
        profiles = self.profiles(key.widget)
        pictures = items + [p.images_item(sid) for sid, p in profiles]
        return WidgetView(
            name=key.widget,
            cfg=self._widget_config(key),
            items=items,
            theme=key.theme,
            locale=key.locale,
            limit=key.limit,
            public_url=self.config.public_url,
            version=self.versions.get(key.widget, "") if version is None else version,
            images=await self.images(pictures, key.locale),
            profiles=[p for _, p in profiles],
            next_url=self.next_url(key, encode_cursor(page.next)) if page.next else "",
        )

    def next_url(self, key: Key, cursor: str) -> str:
        """The address of the page after this one, in the same format and parameters."""
        widget = self._config_of(key.widget)
        # The script embed's page is the fragment, which a link can open.
        suffix = {"page": "", "js": ".html"}.get(key.fmt, f".{key.fmt}")
        query = [
            (name, value)
            for name, value, default in (
                ("limit", str(key.limit), str(widget.limit)),
                ("locale", key.locale, widget.locale),
                ("theme", key.theme, widget.theme),
                ("scheme", key.scheme, ""),
            )
            if value != default
        ]
        query.append(("before", cursor))
        return f"{self.config.public_url}/w/{key.widget}{suffix}?{urlencode(query)}"

    async def shown_items(self) -> list[Item]:
        """The items the current version of every widget shows."""
        return [it for name in self.config.widgets for it in await self.items(name)]

    async def source_changed(self, source_id: str, state: FetchState | None = None) -> None:
        """A source's items (or its images) changed: render what its widgets were serving,
        then switch their versions to it."""
        for name, widget in self.config.widgets.items():
            if widget.moderated and source_id in widget.approve_from:
                liked = await self.store.item_ids(source_id)
                if await self.decisions.approve_new(name, liked, f"favourite ({source_id})"):
                    await self.moderation_changed(name, reload=False)
            if widget.moderated and source_id in widget.sources:
                await self.moderation_changed(name, reload=False, switch=False)
        await self.prerender(self.versions_of(source_id))
        self.recompute(source_id)  # from the states as they are now

    async def moderation_changed(self, name: str, reload: bool = True, switch: bool = True) -> None:
        """A moderated widget's decisions (`reload`: read them again) or posts changed: what
        it shows is computed again, and with `switch` rendered and switched to."""
        widget = self.config.widgets.get(name)
        if widget is None or not widget.moderated:
            return
        decided = await self.decisions.load(name) if reload else self.decisions.of(name)
        self.shown_digests[name] = (await classified(self.store, widget, decided)).digest()
        if switch:
            fresh = {k: v for k, v in self.versions_of().items() if k == name}
            await self.prerender(fresh)
            self.versions = {**self.versions, **fresh}

    async def start_moderation(self) -> None:
        """Every moderated widget's decisions read, and what it shows computed (at start and
        after a config reload), before its version is computed."""
        for name, widget in self.config.widgets.items():
            if widget.moderated:
                await self.moderation_changed(name, switch=False)
        self.recompute()

    async def images(self, items: list[Item], locale: str) -> Images:
        """How these items' images are written, in the locale's words."""
        return await self._images.markup(items, messages_for(locale))
