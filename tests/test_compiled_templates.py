"""Compiled templates kept between starts: a second environment loads what the first compiled,
a changed template is compiled again, another environment's compilation is never loaded, and
a cache that cannot be written or read back costs the saving, never a render."""

from __future__ import annotations

from jinja2 import Environment, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from feedhub.publish.themes import CompiledTemplates, ThemeLoader


def sandboxed(themes, cache_dir) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ThemeLoader([str(themes)]), undefined=StrictUndefined, trim_blocks=True
    )
    env.bytecode_cache = CompiledTemplates(env, str(cache_dir))
    return env


def a_theme(tmp_path, text="hello {{ word }}"):
    themes = tmp_path / "themes"
    (themes / "plain").mkdir(parents=True, exist_ok=True)
    (themes / "plain" / "widget.html").write_text(text)
    return themes


def test_a_second_start_loads_the_compiled_template(tmp_path):
    themes, cache = a_theme(tmp_path), tmp_path / "cache"
    cache.mkdir()
    assert sandboxed(themes, cache).get_template("plain/widget.html").render(word="a") == "hello a"
    (kept,) = cache.glob("feedhub-*.cache")

    # The next start reads the file (a compiled template marked so would not load otherwise).
    before = kept.stat().st_mtime_ns
    again = sandboxed(themes, cache).get_template("plain/widget.html")
    assert again.render(word="b") == "hello b" and kept.stat().st_mtime_ns == before

    # A changed template is compiled again, in place of the old code.
    (themes / "plain" / "widget.html").write_text("bye {{ word }}")
    assert sandboxed(themes, cache).get_template("plain/widget.html").render(word="c") == "bye c"


def test_another_environments_compilation_is_never_loaded(tmp_path):
    themes, cache = a_theme(tmp_path), tmp_path / "cache"
    cache.mkdir()
    plain = Environment(loader=ThemeLoader([str(themes)]))
    plain.bytecode_cache = CompiledTemplates(plain, str(cache))
    plain.get_template("plain/widget.html")
    sandboxed(themes, cache).get_template("plain/widget.html")
    assert len(list(cache.glob("feedhub-*.cache"))) == 2


def test_a_cache_that_fails_never_fails_a_render(tmp_path):
    themes = a_theme(tmp_path)
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    env = sandboxed(themes, not_a_dir)
    assert env.get_template("plain/widget.html").render(word="x") == "hello x"

    cache = tmp_path / "cache"
    cache.mkdir()
    sandboxed(themes, cache).get_template("plain/widget.html")
    for kept in cache.glob("feedhub-*.cache"):
        kept.write_bytes(b"damaged")
    assert sandboxed(themes, cache).get_template("plain/widget.html").render(word="y") == "hello y"
