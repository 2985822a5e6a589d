"""Config validation: one test per kind of mistake, each message naming the key's path."""

from __future__ import annotations

import subprocess
import sys

import pytest

from feedhub.config import ConfigError, load_config, parse_config
from tests.conftest import ROOT

BASE = {
    "sources": {"blog": {"type": "feed", "url": "https://example.org/feed.xml"}},
    "widgets": {"sidebar": {"sources": ["blog"]}},
}


def problems(data, env=None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(data, env=env or {})
    return err.value.problems


def with_(path: str, value, data=None):
    """BASE with one value set at a dotted path."""
    import copy

    data = copy.deepcopy(data or BASE)
    node = data
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


def test_the_example_config_is_valid():
    config = load_config(ROOT / "config.yaml", env={})
    assert "sidebar" in config.widgets and config.widgets["sidebar"].locale == "fr"
    assert config.sources["news"].url == "examples/news.xml"


def test_limit_out_of_range_names_the_path():
    assert problems(with_("widgets.sidebar.limit", 0)) == [
        "widgets.sidebar.limit: must be between 1 and 200, got 0"
    ]


def test_unknown_key():
    assert problems(with_("widgets.sidebar.colour", "red")) == [
        "widgets.sidebar.colour: unknown key"
    ]
    assert problems(with_("servr", {})) == ["servr: unknown key"]


def test_missing_required_key():
    data = with_("sources.blog", {"type": "feed"})
    assert problems(data) == ["sources.blog.url: is required"]


def test_wrong_type():
    (msg,) = problems(with_("server.port", "eighty"))
    assert msg.startswith("server.port: must be a valid integer")


def test_bad_duration_and_size():
    found = problems(with_("fetch.max_bytes", "lots", with_("fetch.interval", "soon")))
    assert "fetch.interval: must be a duration like 90s, 15m, 2h or 1d, got 'soon'" in found
    assert "fetch.max_bytes: must be a size like 512KB or 10MB, got 'lots'" in found


def test_durations_and_sizes_parse():
    config = parse_config(with_("fetch", {"interval": "2h", "timeout": 45, "max_bytes": "2MB"}))
    assert (config.fetch.interval, config.fetch.timeout, config.fetch.max_bytes) == (
        7200,
        45,
        2_000_000,
    )
    assert (
        parse_config(with_("widgets.sidebar.filters", {"max_age": "30d"}))
        .widgets["sidebar"]
        .filters.max_age
        == 30 * 86400
    )


def test_unknown_enum_value():
    (msg,) = problems(with_("storage.backend", "mongodb"))
    assert msg.startswith("storage.backend: must be one of 'memory', 'sqlite' or 'redis'")


def test_unknown_source_type():
    (msg,) = problems(with_("sources.blog.type", "myspace"))
    assert msg.startswith("sources.blog: type must be one of feed, mastodon")


def test_widget_naming_an_unknown_source():
    assert problems(with_("widgets.sidebar.sources", ["blog", "nope"])) == [
        "widgets.sidebar.sources[1]: unknown source 'nope'"
    ]


def test_unknown_theme_and_locale():
    found = problems(
        with_("widgets.sidebar.locale", "xx_YY", with_("widgets.sidebar.theme", "../../etc"))
    )
    assert any(m.startswith("widgets.sidebar.theme: no theme '../../etc'") for m in found)
    assert "widgets.sidebar.locale: unknown locale 'xx_YY'" in found


def test_bad_regex_filter():
    (msg,) = problems(with_("widgets.sidebar.filters", {"exclude": ["/(unclosed/"]}))
    assert msg.startswith("widgets.sidebar.filters.exclude: bad regular expression")


def test_env_interpolation_default_and_unset():
    data = with_("admin.token", "${TOKEN}")
    config = parse_config(data, env={"TOKEN": "s3cret"})
    assert config.admin.token == "s3cret"
    assert parse_config(with_("admin.token", "${TOKEN:-fallback}"), env={}).admin.token == (
        "fallback"
    )
    assert problems(data) == [
        "admin.token: environment variable TOKEN is not set"
        " (set it, or give a default: ${TOKEN:-default})"
    ]


def test_x_without_token_is_a_clear_error():
    data = with_("sources.tw", {"type": "x", "username": "hub", "bearer_token": "${X_TOKEN:-}"})
    (msg,) = problems(data)
    assert msg.startswith("sources.tw.bearer_token: is required for X")


def test_every_problem_is_listed_at_once():
    data = with_(
        "widgets.sidebar.limit", 500, with_("server.port", 0, with_("fetch.concurrency", -1))
    )
    found = problems(data)
    assert len(found) == 3
    assert {m.split(":")[0] for m in found} == {
        "widgets.sidebar.limit",
        "server.port",
        "fetch.concurrency",
    }


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("server:\n  port: [8080\nsources: {}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    (msg,) = err.value.problems
    assert msg.startswith(f"{path}:") and "not valid YAML" in msg


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feedhub", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_check_command_lists_every_problem_and_exits_1(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "widgets:\n  sidebar:\n    sources: [ghost]\n    limit: 0\nfetch:\n  interval: often\n"
    )
    result = run_cli("check", "-c", str(path))
    assert result.returncode == 1
    assert "widgets.sidebar.limit: must be between 1 and 200, got 0" in result.stderr
    assert "widgets.sidebar.sources[0]: unknown source 'ghost'" in result.stderr
    assert "fetch.interval: must be a duration" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_bad_file_with_the_same_messages(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("widgets:\n  sidebar:\n    sources: [ghost]\n")
    result = run_cli("serve", "-c", str(path))
    assert result.returncode == 1
    assert "widgets.sidebar.sources[0]: unknown source 'ghost'" in result.stderr


def test_check_accepts_the_example():
    result = run_cli("check", "-c", "config.yaml")
    assert result.returncode == 0, result.stderr
    assert "ok (" in result.stdout


def test_media_section_defaults_and_mistakes():
    config = parse_config(BASE, env={})
    m = config.media
    assert (m.proxy, m.dir, m.widths, m.max_bytes, m.max_pixels, m.max_total) == (
        True,
        "var/media",
        [320, 640, 1280],
        20_000_000,
        40_000_000,
        2_000_000_000,
    )
    assert m.grace_period == 7 * 86400 and m.youtube_player == "https://www.youtube-nocookie.com"
    assert parse_config(with_("media.widths", [640, 320, 640]), env={}).media.widths == [320, 640]
    assert problems(with_("media.widths", [])) == ["media.widths: must list at least one width"]
    assert problems(with_("media.widths", [8000])) == [
        "media.widths: each width must be between 16 and 4096 pixels, got 8000"
    ]
    assert problems(with_("media.max_total", "lots"))[0].startswith(
        "media.max_total: must be a size"
    )
    assert problems(with_("media.grace_period", 0))[0].startswith("media.grace_period:")
    assert problems(with_("media.youtube_player", "https://p.example/embed")) == [
        "media.youtube_player: must be an origin, scheme://host[:port], "
        "got 'https://p.example/embed'"
    ]
    assert problems(with_("media.proxi", False))[0].startswith("media.proxi:")


def test_check_warns_that_without_the_proxy_visitors_contact_the_platforms(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "sources:\n  blog: {type: feed, url: 'https://example.org/f.xml'}\nmedia:\n  proxy: false\n"
    )
    result = run_cli("check", "-c", str(path))
    assert result.returncode == 0
    assert "warning: media.proxy is false" in result.stdout
    assert "contacts them" in result.stdout
    assert "warning" not in run_cli("check", "-c", "config.yaml").stdout


def test_metrics_per_source_is_a_boolean_named_in_its_error():
    assert parse_config(BASE).metrics.per_source is True  # every series, as before the key
    assert parse_config(with_("metrics.per_source", False)).metrics.per_source is False
    (msg,) = problems(with_("metrics.per_source", "sometimes"))
    assert msg.startswith("metrics.per_source: must be a valid boolean")
    assert problems(with_("metrics.per_sources", False)) == ["metrics.per_sources: unknown key"]
