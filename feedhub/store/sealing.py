"""Tokens kept in the store, encrypted with the key from FEEDHUB_SECRET_KEY (Fernet:
AES-128-CBC and HMAC-SHA256, from `cryptography`).

Two things are sealed: a connected account's record (`Store.put_account`), and the token
record a source's fetch state carries (`FetchState.meta["token"]`: the token in use, renewed
by feedhub). The backends seal a state as they write it and open it as they read it, so the
file, the Redis keys, their backups and dumps hold only the sealed form. A sealed value
that this key cannot open (the key changed) reads as no value: the source falls back to its
configured or connected token, and its poll says what is wrong if that fails too.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from feedhub.models import SESSION, TOKEN, FetchState

PREFIX = "fernet:"


class Sealer:
    """Encrypts and decrypts with one key."""

    def __init__(self, key: str) -> None:
        from cryptography.fernet import Fernet  # here: a daemon without a key never loads it

        self._fernet = Fernet(key.encode())

    def seal(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The clear text, or None when this key cannot open it (or it is not sealed)."""
        from cryptography.fernet import InvalidToken

        if not sealed.startswith(PREFIX):
            return None
        try:
            return self._fernet.decrypt(sealed[len(PREFIX) :].encode()).decode()
        except (InvalidToken, ValueError):
            return None


# The secrets a fetch state carries: per record of its meta, the fields that are sealed (a
# renewed Meta token; an AT Protocol session's access and refresh JWTs).
SECRETS = {TOKEN: ("value",), SESSION: ("access", "refresh")}


def seal_state(data: dict[str, Any], sealer: Sealer | None) -> dict[str, Any]:
    """A fetch state's dict as it is written: the secrets of its records sealed."""
    meta = data.get("meta")
    if sealer is None or not isinstance(meta, dict):
        return data
    sealed = dict(meta)
    for key, fields in SECRETS.items():
        record = meta.get(key)
        if isinstance(record, dict):
            sealed[key] = {
                name: sealer.seal(value)
                if name in fields
                and isinstance(value, str)
                and value
                and not value.startswith(PREFIX)
                else value
                for name, value in record.items()
            }
    return {**data, "meta": sealed}


def open_state(data: dict[str, Any], sealer: Sealer | None) -> dict[str, Any]:
    """A fetch state's dict as it was read: its secrets opened ("" when the key cannot: the
    source starts again from the token it is configured or connected with, or logs in
    again). Without a sealer (`feedhub store copy`, say) the sealed values stay as they are."""
    meta = data.get("meta")
    if sealer is None or not isinstance(meta, dict):
        return data
    for key, fields in SECRETS.items():
        record = meta.get(key)
        if isinstance(record, dict):
            meta[key] = {
                name: (sealer.open(value) or "")
                if name in fields and isinstance(value, str) and value.startswith(PREFIX)
                else value
                for name, value in record.items()
            }
    return data


def state_text(state: FetchState, sealer: Sealer | None) -> str:
    """A fetch state as a backend writes it: its dict (`state_dict`) sealed, as JSON."""
    return json.dumps(seal_state(state_dict(state), sealer))


_STATE_ORDER = tuple(f.name for f in dataclasses.fields(FetchState))


def state_dict(state: FetchState) -> dict[str, Any]:
    """`state.to_dict()`, copied by hand where it can be: asdict deep-copies every value,
    most of a save's time (ten thousand a pass of 304s)."""
    try:
        return {name: _json_copy(getattr(state, name)) for name in _STATE_ORDER}
    except TypeError:  # something not JSON-shaped: as asdict makes it
        return state.to_dict()


def _json_copy(value: Any) -> Any:
    """JSON-shaped data copied as `asdict` copies it; TypeError for anything else."""
    kind = type(value)
    if kind is dict:
        return {k: _json_copy(v) for k, v in value.items()}
    if kind is list:
        return [_json_copy(v) for v in value]
    if value is None or kind in (str, int, float, bool):
        return value
    raise TypeError(kind)


def state_data(text: str | bytes, sealer: Sealer | None) -> dict[str, Any]:
    data = json.loads(text)
    return open_state(data, sealer) if isinstance(data, dict) else data
