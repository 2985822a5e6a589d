"""The application's typed state and the handler type, shared by every handler module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from feedhub.service import Service

SERVICE = web.AppKey("service", Service)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
