"""Which settings a running daemon cannot change on reload: the address it listens on, the
store it opened and its media cache. Pure: a reload applies the rest and reports these."""

from __future__ import annotations

from typing import Any

from feedhub.config.schema import Config

# (section, key or None for the whole section)
RESTART_ONLY: tuple[tuple[str, str | None], ...] = (
    ("server", "host"),
    ("server", "port"),
    ("storage", None),
    ("media", None),
)
SHOWN = {
    "backend",
    "path",
    "prefix",
    "lease",
    "proxy",
    "dir",
    "widths",
    "max_bytes",
    "max_pixels",
    "max_total",
    "grace_period",
    "timeout",
    "youtube_player",
    "max_images_per_item",
    "max_images_per_poll",
}


def _value(config: Config, section: str, key: str | None) -> Any:
    part = getattr(config, section)
    return part if key is None else getattr(part, key)


def needs_restart(running: Config, new: Config) -> list[str]:
    """The restart-only settings `new` changes, each as "server.port: 8080 → 8081"."""
    changed = []
    for section, key in RESTART_ONLY:
        old, value = _value(running, section, key), _value(new, section, key)
        if old == value:
            continue
        if key is None:  # a section: name each of its keys that changed
            for name in type(old).model_fields:
                a, b = getattr(old, name), getattr(value, name)
                if a != b:  # values only where they hold no secret (a Redis URL may)
                    shown = f": {a} → {b}" if name in SHOWN else " changed"
                    changed.append(f"{section}.{name}{shown}")
        else:
            changed.append(f"{section}.{key}: {old} → {value}")
    return changed


def applicable(running: Config, new: Config) -> Config:
    """`new` with the restart-only settings of the running config."""
    server = new.server.model_copy(
        update={"host": running.server.host, "port": running.server.port}
    )
    return new.model_copy(
        update={"server": server, "storage": running.storage, "media": running.media}
    )


def refused_on_reload(running: Config, new: Config) -> list[str]:
    """What makes a valid file still unfit to replace a running config. A reload happens
    when an editor saves, so a file emptied by a slip must not empty the daemon; and a token
    removed would open the admin pages to every loopback client, which is every visitor when a
    proxy on this machine relays them without a forwarding header: a daemon cannot tell, so
    removing the token takes a restart (where the start-up checks of the admin policy apply)."""
    problems = []
    if not new.sources:
        problems.append(
            "sources: none listed; a reload never empties a running daemon"
            " (restart feedhub to run without sources)"
        )
    if running.admin.token and not new.admin.token:
        problems.append(
            "admin.token: a reload cannot remove the admin token"
            " (restart feedhub to run the admin pages without one)"
        )
    return problems
