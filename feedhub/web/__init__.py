"""The HTTP interface: the aiohttp app (`app.create_app`) and one module of handlers per
part of it (widgets, embed codes and oEmbed, admin, metrics, health, WebSub callbacks).

Handlers ask the service for what they answer; they share the app's typed state from `keys`.
May import: every stage below, and `feedhub.service`.
"""
