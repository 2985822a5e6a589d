"""Tokens kept sealed in the store: a state's token record in the SQLite file, connected
accounts and alert deliveries carried by `copy_records`, and a key that cannot open them."""

from __future__ import annotations

from cryptography.fernet import Fernet

from feedhub.models import SESSION, TOKEN, FetchState
from feedhub.store.memory import MemoryStore
from feedhub.store.sealing import Sealer
from feedhub.store.sqlite import SqliteStore
from feedhub.store.transfer import copy_records

SECRET = "IGQVJ-renewed-token-never-in-clear-81f"


def with_token() -> FetchState:
    return FetchState(meta={TOKEN: {"value": SECRET, "of": "abc", "expires": 1.0}})


async def test_a_state_token_is_sealed_in_the_file_and_opened_on_read(tmp_path):
    key = Fernet.generate_key().decode()
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path)
    store.sealer = Sealer(key)
    await store.open()
    await store.save("ig", with_token(), [])
    assert (await store.get_state("ig")).meta[TOKEN]["value"] == SECRET
    assert (await store.all_states())["ig"].meta[TOKEN]["expires"] == 1.0
    await store.close()
    kept = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert SECRET.encode() not in kept and b"fernet:" in kept

    other = SqliteStore(path)  # another key: the value reads as none, the rest stays
    other.sealer = Sealer(Fernet.generate_key().decode())
    await other.open()
    record = (await other.get_state("ig")).meta[TOKEN]
    await other.close()
    assert record["value"] == "" and record["of"] == "abc"


async def test_a_bluesky_sessions_jwts_are_sealed_too(tmp_path):
    access, refresh = "eyJhbGciOi.access-jwt-never-in-clear", "eyJhbGciOi.refresh-jwt-9c1"
    session = {"access": access, "refresh": refresh, "did": "did:plc:abc", "of": "f1"}
    key = Fernet.generate_key().decode()
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path)
    store.sealer = Sealer(key)
    await store.open()
    await store.save("search", FetchState(meta={SESSION: session}), [])
    assert (await store.get_state("search")).meta[SESSION] == session
    await store.close()
    kept = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert access.encode() not in kept and refresh.encode() not in kept
    assert b"did:plc:abc" in kept  # who the session is for is no secret


async def test_a_copy_carries_accounts_and_deliveries_as_they_are(tmp_path):
    source = SqliteStore(tmp_path / "a.sqlite3")
    await source.open()
    await source.save("ig", FetchState(), [])
    await source.put_account("ig", "fernet:sealed-record")
    await source.add_alert('{"title": "first", "sent": 1.0}', 1.0)
    await source.add_alert('{"title": "second", "sent": 2.0}', 2.0)
    target = MemoryStore()
    await copy_records(source, target)
    await source.close()
    assert await target.get_account("ig") == "fernet:sealed-record"
    assert [t for t in await target.recent_alerts(5)] == [
        '{"title": "second", "sent": 2.0}',
        '{"title": "first", "sent": 1.0}',
    ]
