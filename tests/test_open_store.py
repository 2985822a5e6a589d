"""`open_store`: each backend of the table opens and keeps items, an unknown name is refused
by name, and the table names exactly the backends the config accepts."""

from __future__ import annotations

import typing

import pytest

from feedhub.config import StorageConfig
from feedhub.models import FetchState
from feedhub.store import BACKENDS, open_store
from feedhub.store.base import opened
from tests import redis_support
from tests.redis_support import REDIS_URL
from tests.store_support import items_of

redis_prefix = redis_support.redis_prefix


def test_the_table_names_the_backends_the_config_accepts():
    accepted = typing.get_args(StorageConfig.model_fields["backend"].annotation)
    assert sorted(BACKENDS) == sorted(accepted)


async def roundtrip(cfg: StorageConfig, base_dir: str = ".") -> str:
    store = open_store(cfg, base_dir)
    async with opened(store):
        await store.save("blog", FetchState(etag='"e"', digest="d1"), items_of("blog", 3))
        assert len(await store.recent_items("blog", 2)) == 2
        assert (await store.get_state("blog")).etag == '"e"'
        await store.publish("blog", "d1")  # declared on every store; a no-op unless shared
    return type(store).__name__


async def test_memory():
    assert await roundtrip(StorageConfig(backend="memory")) == "MemoryStore"


async def test_sqlite_on_a_file_relative_to_the_config(tmp_path):
    cfg = StorageConfig(backend="sqlite", path="var/store.sqlite3")
    assert await roundtrip(cfg, str(tmp_path)) == "SqliteStore"
    assert (tmp_path / "var" / "store.sqlite3").is_file()


async def test_redis(redis_prefix):
    cfg = StorageConfig(backend="redis", url=REDIS_URL, prefix=redis_prefix)
    assert await roundtrip(cfg) == "RedisStore"
    again = open_store(cfg)
    async with opened(again):
        assert len(await again.get_items("blog")) == 3


def test_an_unknown_backend_is_refused_by_name():
    cfg = StorageConfig.model_construct(backend="mongodb")  # past the config's own check
    with pytest.raises(ValueError) as refused:
        open_store(cfg)
    message = str(refused.value)
    assert "storage.backend" in message and "'mongodb'" in message
    assert all(name in message for name in BACKENDS)


def test_the_config_refuses_an_unknown_backend_too():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        StorageConfig(backend="mongodb")
