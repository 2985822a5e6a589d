"""Author consent, one rule across networks: an author who asked not to be republished or
surfaced is left out of every widget, and the source says whom it left out and why.

- Mastodon and Pixelfed: `#nobot` in the account's note or profile fields (the fediverse's
  "do not republish me", honoured by bots and Mastofeed), and `#noindex`, the same request
  aimed at indexers, which a widget on a public page is one of; `noindex: true` (the
  account's "keep me out of search engines" setting, which a widget page would defeat) and
  `discoverable: false` (not to be featured or suggested). `#nosearch` is not counted: it
  asks fediverse search not to index posts, which a widget does not do.
- Bluesky: the `!no-unauthenticated` self-label (not to be shown to logged-out viewers,
  which every widget visitor is).

Pure: adapters call these on the account objects of the answers they parse.
"""

from __future__ import annotations

import re
from typing import Any

from feedhub.content.sanitize import html_to_text
from feedhub.models import WITHHELD as WITHHELD  # the meta key of the left-out authors

_TAG_RE = re.compile(r"(?<![\w#])#(nobot|noindex)\b", re.IGNORECASE)
BLUESKY_LABEL = "!no-unauthenticated"


def fediverse_refusal(account: Any) -> str:
    """Why a Mastodon-API account asked not to be shown, or ""."""
    if not isinstance(account, dict):
        return ""
    texts = [str(account.get("note") or "")]
    for f in account.get("fields") or []:
        if isinstance(f, dict):
            texts += [str(f.get("name") or ""), str(f.get("value") or "")]
    for text in texts:
        if m := _TAG_RE.search(html_to_text(text)):
            return f"#{m.group(1).lower()} in its profile"
    if account.get("noindex") is True:
        return "noindex: true"
    if account.get("discoverable") is False:
        return "discoverable: false"
    return ""


def bluesky_refusal(profile: Any) -> str:
    """Why a Bluesky profile asked not to be shown, or ""."""
    labels = profile.get("labels") if isinstance(profile, dict) else None
    for label in labels if isinstance(labels, list) else []:
        if isinstance(label, dict) and label.get("val") == BLUESKY_LABEL:
            return f"{BLUESKY_LABEL} label"
    return ""
