"""ThemeLoader: a theme folder's templates load, and none is read through a symbolic link,
whether the link is the file or a folder between it and the theme dir."""

from __future__ import annotations

import pytest
from jinja2 import Environment, TemplateNotFound

from feedhub.publish.themes import ThemeLoader


@pytest.fixture
def themes(tmp_path):
    """A theme dir with a plain theme, and outside it a secret a link could point at."""
    secret = tmp_path / "secret.html"
    secret.write_text("the database password")
    root = tmp_path / "themes"
    (root / "plain").mkdir(parents=True)
    (root / "plain" / "widget.html").write_text("plain {{ word }}")
    return root, secret


def test_a_themes_own_files_load(themes):
    root, _ = themes
    env = Environment(loader=ThemeLoader([str(root)]))
    assert env.get_template("plain/widget.html").render(word="ok") == "plain ok"


def test_a_linked_file_is_not_found(themes):
    root, secret = themes
    (root / "plain" / "leak.html").symlink_to(secret)
    (root / "plain" / "page.html").write_text('{% include "plain/leak.html" %}')
    env = Environment(loader=ThemeLoader([str(root)]))
    with pytest.raises(TemplateNotFound):
        env.get_template("plain/leak.html")
    with pytest.raises(TemplateNotFound):
        env.get_template("plain/page.html").render()


def test_a_file_under_a_linked_folder_is_not_found(themes):
    root, secret = themes
    outside = secret.parent / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "widget.html").write_text("from outside")
    (root / "aliased").symlink_to(outside, target_is_directory=True)
    (root / "plain" / "sub").symlink_to(outside / "deep", target_is_directory=True)
    env = Environment(loader=ThemeLoader([str(root)]))
    for name in ("aliased/deep/widget.html", "plain/sub/widget.html"):
        with pytest.raises(TemplateNotFound):
            env.get_template(name)


def test_the_theme_dir_itself_may_be_a_link(themes, tmp_path):
    """Where the operator keeps the theme dir is theirs to choose; links inside it are not."""
    root, _ = themes
    (tmp_path / "site-themes").symlink_to(root, target_is_directory=True)
    env = Environment(loader=ThemeLoader([str(tmp_path / "site-themes")]))
    assert env.get_template("plain/widget.html").render(word="here") == "plain here"


def test_the_first_theme_dir_that_has_the_file_is_used(themes, tmp_path):
    root, _ = themes
    (tmp_path / "builtin" / "plain").mkdir(parents=True)
    (tmp_path / "builtin" / "plain" / "widget.html").write_text("built in")
    (tmp_path / "builtin" / "plain" / "other.html").write_text("only built in")
    env = Environment(loader=ThemeLoader([str(root), str(tmp_path / "builtin")]))
    assert env.get_template("plain/widget.html").render(word="first") == "plain first"
    assert env.get_template("plain/other.html").render() == "only built in"
