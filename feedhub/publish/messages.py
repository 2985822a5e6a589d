"""The few words a widget says itself, in the widget's language.

The English words are the message ids of a gettext catalogue: `locales/feedhub.pot` lists
them, `locales/<locale>/LC_MESSAGES/feedhub.po` translates them, and `make messages` compiles
each into the `feedhub.mo` read here (shipped in the package). A language without a
catalogue gets English.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

from feedhub import package_folder

LOCALES_DIR = package_folder("feedhub", "publish", "locales")
DOMAIN = "feedhub"
# Template name -> message id. `{name}` in a message is replaced by the template.
WORDS = {
    "empty": "No posts yet.",
    "pinned": "Pinned",
    "reposted": "{name} reposted",
    "reply": "Reply",
    "sensitive": "Sensitive content",
    "more": "More posts",
    "also_on": "Also on:",
    # A video's click-to-load placeholder; `{host}` is what playing it contacts.
    "play": "Play",
    "plays_on": "Playing it loads the player from {host}.",
    "opens_on": "Plays on {host}, in a new tab.",
    # A post's engagement counts, read before each number.
    "replies": "Replies",
    "reposts": "Reposts",
    "likes": "Likes",
    # The control under a long post's first lines.
    "show_more": "Show more",
    "show_less": "Show less",
    # What a picture without a description is folded behind (`require_alt: fold`).
    "no_alt": "No description",
    # The account header: a link to follow the account on its network, and its counts.
    "follow": "Follow",
    "followers": "Followers",
    "posts": "Posts",
    # The picture viewer (a <dialog>): its buttons, and where a picture stands in its post.
    "close": "Close",
    "previous_picture": "Previous picture",
    "next_picture": "Next picture",
    "picture_of": "Picture {n} of {count}",
    # The carousel's buttons.
    "previous_post": "Previous post",
    "next_post": "Next post",
}
_TRADITIONAL = {"TW", "HK", "MO"}  # Chinese written in traditional characters


def catalogue_names(locale: str) -> list[str]:
    """The catalogues that may serve `locale`, most specific first: "pt_BR" → pt_BR, pt;
    Chinese by script ("zh_TW" → zh_Hant, "zh" → zh_Hans)."""
    try:
        loc = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return []
    names = [str(loc)]
    if loc.language == "zh":
        script = loc.script or ("Hant" if loc.territory in _TRADITIONAL else "Hans")
        names.append(f"zh_{script}")
    if loc.territory:
        names.append(f"{loc.language}_{loc.territory}")
    names.append(loc.language)
    return list(dict.fromkeys(names))


@lru_cache(maxsize=64)
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for `locale`, or one that answers in English."""
    for name in catalogue_names(locale):
        if (LOCALES_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
            return Translations.load(str(LOCALES_DIR), [name], DOMAIN)
    return NullTranslations()


@lru_cache(maxsize=64)
def messages_for(locale: str) -> dict[str, str]:
    """The widget's words for a locale, by template name."""
    gettext = translations(locale).gettext
    return {key: gettext(message) for key, message in WORDS.items()}
