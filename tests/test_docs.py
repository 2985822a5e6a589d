"""The README documents every config key and every route the app serves."""

from __future__ import annotations

import re

from pydantic import BaseModel

from feedhub.config import Config, FeedSource, parse_config
from feedhub.web.app import create_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def keys(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field name of a model and of the models it nests (unions included)."""
    seen = seen if seen is not None else set()
    found = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        found.add(name)
        for sub in _models(field.annotation):
            if sub not in seen:
                seen.add(sub)
                found |= keys(sub, seen)
    return found


def _models(annotation) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_every_config_key_is_documented():
    missing = sorted(
        k for k in keys(Config) if not re.search(rf"`(?:[\w<>]+\.)*{k}(?:\.[\w<>]+)*`", README)
    )
    assert missing == [], f"undocumented config keys: {missing}"
    assert "`url`" in README and FeedSource.model_fields["url"]


def test_every_route_is_documented():
    app = create_app(parse_config({}))
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    paths.remove("/{tail}")  # the fallback: whatever no route matched, a counted 404/405
    documented = set(re.findall(r"`(?:GET|POST|GET, POST) ([^`]+)`", README))
    documented = {p.split("?")[0] for d in documented for p in re.split(r",\s*", d)}
    missing = sorted(
        p
        for p in paths
        if not any(p == d or p.startswith("/w/") and d.startswith("/w/") for d in documented)
        and p not in documented
    )
    assert missing == [], f"undocumented routes: {missing}"
