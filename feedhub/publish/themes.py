"""A theme's stylesheet follows its templates: extending a theme brings that theme's CSS along.

`mine/widget.html` that extends `default:cards/widget.html` is styled by `_base/style.css`,
then `cards/style.css`, then `mine/style.css` if there is one, so a site theme can replace a
single block and inherit everything else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, TemplateNotFound, nodes
from jinja2.bccache import Bucket

from feedhub import __version__
from feedhub.config import theme_names


class CompiledTemplates(FileSystemBytecodeCache):
    """The templates as Jinja compiled them, kept between starts in Jinja's own folder for
    them (`$TMPDIR/_jinja2-cache-<uid>`, the user's alone): a start then loads the widget
    templates instead of parsing and compiling them again (~50 ms of each start). A template
    whose source changed is compiled again; a folder that cannot be written costs the saving,
    never a render. The files are named for the environment that compiles them (its class,
    settings and versions): code compiled otherwise, by another program's Jinja or another
    release, is never loaded into this one."""

    def __init__(self, env: Environment, directory: str | None = None) -> None:
        super().__init__(directory, pattern="feedhub-%s.cache")
        self.salt = repr(
            (
                type(env).__qualname__,
                env.trim_blocks,
                env.lstrip_blocks,
                env.undefined.__name__,
                getattr(env.autoescape, "__qualname__", env.autoescape),
                jinja2.__version__,
                __version__,
            )
        )

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}|{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_templates(env: Environment) -> CompiledTemplates | None:
    """The cache of `env`'s compiled templates, or None where no private folder can be had."""
    try:
        return CompiledTemplates(env)
    except (OSError, RuntimeError):
        return None


class ThemeLoader(FileSystemLoader):
    """A theme folder's files, never through a symbolic link: a site theme is a folder of
    templates, and a link inside it could make any file of the machine a template."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if _linked(Path(filename), [Path(p) for p in self.searchpath]):
            raise TemplateNotFound(template)
        return source, filename, uptodate


def _linked(path: Path, roots: list[Path]) -> bool:
    """True when `path`, or a folder between it and the search root it is under, is a link."""
    root = next((r for r in roots if path.is_relative_to(r)), None)
    if root is None:
        return True
    here = path
    while here != root:
        if os.path.islink(here):
            return True
        here = here.parent
    return False


def theme_folders(dirs: Sequence[Path]) -> dict[str, list[Path]]:
    """Every theme of the theme dirs and the folders that hold it, in search order: the
    first is the one used, the others are hidden by it."""
    found: dict[str, list[Path]] = {}
    for folder in dirs:
        for name in sorted(theme_names([folder])):
            found.setdefault(name, []).append(folder / name)
    return dict(sorted(found.items()))


def parent_template(env: Environment, name: str) -> str | None:
    """The template `name` extends (a constant `{% extends %}`), or None."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    for node in env.parse(source).find_all(nodes.Extends):
        if isinstance(node.template, nodes.Const):
            return str(node.template.value)
    return None


def template_chain(env: Environment, theme: str) -> list[str]:
    """The widget templates of a theme, from `_base` to the theme itself."""
    chain: list[str] = []
    name: str | None = f"{theme}/widget.html"
    try:
        while name and name not in chain:
            chain.append(name)
            name = parent_template(env, name)
    except TemplateNotFound:
        pass
    names = list(reversed(chain))
    if not names or not names[0].endswith("_base/widget.html"):
        names.insert(0, "_base/widget.html")
    return names


def theme_css(env: Environment, theme: str) -> str:
    """The stylesheets of every template in the theme's chain, base first, each once."""
    assert env.loader is not None
    parts: list[str] = []
    seen: set[str | None] = set()
    for template in template_chain(env, theme):
        try:
            source, filename, _ = env.loader.get_source(
                env, template.rsplit("/", 1)[0] + "/style.css"
            )
        except TemplateNotFound:
            continue
        if filename not in seen:
            seen.add(filename)
            parts.append(source)
    return "\n".join(parts)
