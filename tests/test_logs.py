"""Logs go to stderr, one line per event, as text or JSON (--log-format / FEEDHUB_LOG_FORMAT)."""

from __future__ import annotations

import json
import logging

import pytest

from feedhub.logs import setup_logging


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield root
    root.handlers[:], level = saved
    root.setLevel(level)


def emit_events() -> None:
    log = logging.getLogger("feedhub.test")
    log.info("config reloaded: %d sources", 3)
    log.error(
        "config reload refused, keeping the running config:\n%s\n%s",
        "widgets.side.limit: must be between 1 and 200, got 0",
        "surprise: unknown key",
    )
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("error serving GET /w/side")
    logging.getLogger("feedhub.test").debug("not shown at INFO")


def test_text_is_one_line_per_event(capsys, root_logger):
    setup_logging("text")
    emit_events()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3, lines
    assert " INFO feedhub.test: config reloaded: 3 sources" in lines[0]
    assert lines[1].split(" ", 1)[1].startswith("ERROR feedhub.test: config reload refused")
    assert "got 0 ⏎ surprise: unknown key" in lines[1]
    assert "Traceback (most recent call last): ⏎ " in lines[2] and "ValueError: boom" in lines[2]


def test_json_from_the_environment(capsys, root_logger, monkeypatch):
    monkeypatch.setenv("FEEDHUB_LOG_FORMAT", "json")
    setup_logging(None)
    emit_events()
    lines = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["level"] for e in events] == ["info", "error", "error"]
    assert events[0]["message"] == "config reloaded: 3 sources"
    assert events[0]["logger"] == "feedhub.test" and events[0]["time"].endswith("Z")
    assert "surprise: unknown key" in events[1]["message"]
    assert "ValueError: boom" in events[2]["exception"]


def test_flag_wins_over_environment_and_verbose_shows_debug(capsys, root_logger, monkeypatch):
    monkeypatch.setenv("FEEDHUB_LOG_FORMAT", "json")
    setup_logging("text", logging.DEBUG)
    logging.getLogger("feedhub.test").debug("shown at DEBUG")
    err = capsys.readouterr().err
    assert " DEBUG feedhub.test: shown at DEBUG" in err and not err.startswith("{")


def test_a_malformed_request_is_one_short_line(capsys, root_logger):
    from aiohttp.http_exceptions import LineTooLong

    setup_logging("text")
    try:
        raise LineTooLong(b"/" + b"a" * 9000, 8190, 9001)
    except LineTooLong:
        logging.getLogger("aiohttp.server").exception("Error handling request from 192.0.2.9")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, lines
    assert (
        " INFO aiohttp.server: Error handling request from 192.0.2.9: 400 Got more than" in lines[0]
    )
    assert "Traceback" not in lines[0]
