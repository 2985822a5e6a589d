"""What the tests of the admin pages share."""

from __future__ import annotations

import re


def csrf_of(page: str) -> str:
    """The form token an admin page carries, for the POST that follows."""
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "no form token on the admin page"
    return match.group(1)
