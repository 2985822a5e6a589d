"""Config of the seven newer source types: each mistake named by its path, in plain words."""

from __future__ import annotations

import pytest

from feedhub.config import ConfigError, parse_config


def problems(source: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config({"sources": {"s": source}, "widgets": {"w": {"sources": ["s"]}}}, env={})
    return err.value.problems


def test_tokens_are_required_with_where_to_put_them():
    assert problems({"type": "instagram"}) == [
        "sources.s.token: is required: set token: ${INSTAGRAM_TOKEN} and export the"
        " account's long-lived token"
    ]
    assert problems({"type": "tumblr", "blog": "staff"})[0].startswith(
        "sources.s.api_key: is required: set api_key: ${TUMBLR_API_KEY}"
    )
    assert problems({"type": "facebook", "token": "t"}) == [
        "sources.s.page_id: is required (or `token: stored`: the Page picked on /admin/connect)"
    ]


def test_renewal_age_is_bounded():
    assert problems({"type": "threads", "token": "t", "refresh_after": "12h"}) == [
        "sources.s.refresh_after: must be between 1d and 50d, got 43200s"
    ]


def test_fediverse_names_and_exactly_one_of():
    assert problems({"type": "peertube", "channel": "ligne4"}) == [
        "sources.s.channel: must look like name@tube.example, got 'ligne4'"
    ]
    assert problems(
        {"type": "lemmy", "community": "a@lemmy.example", "user": "b@lemmy.example"}
    ) == ["sources.s: give exactly one of community or user"]
    assert problems({"type": "pixelfed", "account": "@someone"}) == [
        "sources.s.account: must look like @user@pixelfed.example, got '@someone'"
    ]


def test_sensitive_is_hide_or_fold_and_limits():
    assert problems({"type": "lemmy", "community": "a@lemmy.example", "sensitive": "show"}) == [
        "sources.s.sensitive: must be one of 'hide' or 'fold', got 'show'"
    ]
    assert problems({"type": "tumblr", "blog": "staff", "api_key": "k", "limit": 50}) == [
        "sources.s.limit: must be less than or equal to 20, got 50"
    ]


def test_defaults():
    config = parse_config(
        {
            "sources": {
                "t": {"type": "threads", "token": "t"},
                "p": {"type": "pixelfed", "account": "@me@pixel.example"},
            }
        },
        env={},
    )
    threads, pixelfed = config.sources["t"], config.sources["p"]
    assert threads.user_id == "me" and threads.refresh_after == 7 * 86400
    assert threads.limit == 20 and not threads.exclude_reposts
    assert pixelfed.sensitive == "hide" and pixelfed.token == "" and pixelfed.exclude_replies
