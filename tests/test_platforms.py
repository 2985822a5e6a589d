"""A platform is one record: registered at run time, a platform is checked, fetched and shown
with no other edit; the built-in ones agree with every list derived from them."""

from __future__ import annotations

import asyncio
from typing import Literal, get_args

import pytest

from feedhub.config import PLATFORMS, Config, ConfigError, Platform, SourceBase, parse_config
from feedhub.config.platforms import BUILTIN, Platforms
from feedhub.config.schema import config_model
from feedhub.models import Item
from feedhub.publish.crossposts import normal_text
from feedhub.sources import adapter_class, make_adapter
from tests.conftest import ROOT, fixture_bytes, write_config
from tests.platform_support import PARROT, ParrotAdapter, ParrotSource, run_cli

TYPES = (
    "feed, mastodon, bluesky, youtube, reddit, x, instagram, threads, facebook, peertube,"
    " lemmy, pixelfed, tumblr, mastodon_tag, bluesky_search, bluesky_feed, mastodon_favourites,"
    " bluesky_likes, mastodon_list, pixelfed_tag, tumblr_tag, instagram_tag, threads_search"
)


def parrot_config(tmp_path, upstream):
    upstream.set("/flocks/garden.json", fixture_bytes("parrot/flock.json"), "application/json")
    return write_config(
        tmp_path,
        {
            "storage": {"backend": "sqlite", "path": str(tmp_path / "db.sqlite3")},
            "fetch": {"allow_private_addresses": True},
            "sources": {
                "birds": {"type": "parrot", "flock": "garden", "base_url": upstream.base_url}
            },
            "widgets": {"side": {"title": "Garden", "sources": ["birds"]}},
        },
    )


async def test_a_registered_platform_is_checked_fetched_and_shown(tmp_path, upstream, capsys):
    path = str(parrot_config(tmp_path, upstream))
    assert await asyncio.to_thread(run_cli, "check", "-c", path) == 1
    assert f"type must be one of {TYPES}, got 'parrot'" in capsys.readouterr().err

    with PLATFORMS.registered(PARROT):
        assert await asyncio.to_thread(run_cli, "check", "-c", path) == 0
        assert "ok (1 sources, 1 widgets)" in capsys.readouterr().out

        assert await asyncio.to_thread(run_cli, "fetch", "birds", "-c", path) == 0
        out, err = capsys.readouterr()
        assert "2026-11-24 10:00  The figs are ripe by the south wall." in out
        assert "https://parrot.example/garden/p-1" in out and "2 items from birds" in err
        assert "alert" not in out  # the adapter's items went through the sanitizer

        page = tmp_path / "side.html"
        assert (
            await asyncio.to_thread(
                run_cli, "render", "side", "--fetch", "-o", str(page), "-c", path
            )
            == 0
        )
        html = page.read_text()
        assert '<span class="fh-network">Parrot Social</span>' in html
        assert "First frost on the lettuce" in html
        assert len(upstream.requests_to("/flocks/garden.json")) == 2

    assert "parrot" not in PLATFORMS
    assert await asyncio.to_thread(run_cli, "check", "-c", path) == 1
    capsys.readouterr()


def test_a_registered_platform_is_refused_again_once_unregistered():
    source = {"type": "parrot", "flock": "garden"}
    with PLATFORMS.registered(PARROT):
        config = parse_config({"sources": {"birds": source}})
        assert isinstance(config.sources["birds"], ParrotSource)
        assert isinstance(config, Config) and config_model() is not Config
        assert isinstance(make_adapter("birds", config.sources["birds"]), ParrotAdapter)
        with pytest.raises(ConfigError) as info:  # its own model still validates its keys
            parse_config({"sources": {"birds": {"type": "parrot"}}})
        assert info.value.problems == ["sources.birds.flock: is required"]
    assert config_model() is Config
    with pytest.raises(ConfigError) as info:
        parse_config({"sources": {"birds": source}})
    assert info.value.problems == [f"sources.birds: type must be one of {TYPES}, got 'parrot'"]


def test_an_unknown_or_missing_type_is_refused_with_the_list_of_types():
    with pytest.raises(ConfigError) as info:
        parse_config({"sources": {"a": {"type": "myspace", "url": "x"}, "b": {"url": "x"}}})
    assert info.value.problems == [
        f"sources.a: type must be one of {TYPES}, got 'myspace'",
        f"sources.b: type is required (one of {TYPES})",
    ]


@pytest.mark.parametrize("platform", BUILTIN, ids=lambda p: p.type)
def test_every_list_a_builtin_platform_is_in_agrees_with_its_record(platform: Platform):
    name = platform.type
    assert platform.config.model_fields["type"].annotation == Literal[name]
    assert PLATFORMS[name] is platform
    cls = adapter_class(name)
    assert cls.network == name and platform.adapter.startswith(f"feedhub.sources.{name}:")
    assert PLATFORMS.display_names()[name] == platform.display
    assert PLATFORMS.has_titles(name) is platform.titled
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n| `{name}` |" in readme, f"the README's sources table has no row for {name}"


def test_the_config_model_takes_exactly_the_builtin_platforms_in_order():
    assert PLATFORMS.types() == tuple(p.type for p in BUILTIN)
    entry = get_args(Config.model_fields["sources"].annotation)[1]  # Annotated[union, Field]
    union, field = get_args(entry)
    assert list(get_args(union)) == [p.config for p in BUILTIN]
    assert field.discriminator == "type"


class Pigeon(SourceBase):
    type: Literal["pigeon"]


def test_a_record_is_refused_when_it_cannot_name_its_type_or_its_adapter():
    class Untyped(SourceBase):
        kind: str = ""

    with pytest.raises(TypeError, match="Untyped must declare type"):
        Platform(Untyped, "tests.platform_support:ParrotAdapter", "Untyped")
    with pytest.raises(ValueError, match="adapter must be 'package.module:Class'"):
        Platform(ParrotSource, "tests.platform_support.ParrotAdapter", "Parrot")


def test_a_registration_lasts_its_with_block_and_a_type_is_registered_once():
    registry = Platforms(PARROT)
    with pytest.raises(ValueError, match="'parrot' is already registered"):
        registry.register(Platform(ParrotSource, PARROT.adapter, "Another parrot"))
    with pytest.raises(RuntimeError), registry.registered(Platform(Pigeon, PARROT.adapter, "")):
        assert registry.types() == ("parrot", "pigeon")
        raise RuntimeError
    assert registry.types() == ("parrot",)


def test_an_adapter_whose_network_is_another_type_is_refused():
    with (
        PLATFORMS.registered(Platform(Pigeon, PARROT.adapter, "")),
        pytest.raises(TypeError, match="network is 'parrot'"),
    ):
        adapter_class("pigeon")


@pytest.mark.parametrize("network", ["peertube", "lemmy", "youtube"])
def test_titled_platforms_are_matched_on_their_titles_as_widgets_show_them(network):
    item = Item(
        id="1",
        source="s",
        url="https://tube.example/w/1",
        network=network,
        title="Visite du dépôt",
        content_html="<p>Une heure dans le dépôt</p>",
    )
    assert normal_text(item) == "visite du dépôt"
    untitled = Item(
        id="2",
        source="s",
        url="https://m.example/@a/2",
        network="mastodon",
        title="ignored",
        content_html="<p>Une heure dans le dépôt</p>",
    )
    assert normal_text(untitled) == "une heure dans le dépôt"
