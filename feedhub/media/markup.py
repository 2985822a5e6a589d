"""How cached images and click-to-load players appear in a widget's HTML.

One place writes every `<img>` a widget shows (templates call `Images.img`, content goes
through `rewrite_content`): with the media cache on, its URLs are feedhub's own `/m/` files
with `srcset`, `sizes` and their real width and height; an image that failed shows its alt text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup, escape

from feedhub.content.sanitize import safe_url
from feedhub.media import players
from feedhub.media.collect import TAG_RE, attributes
from feedhub.media.records import MediaRecord
from feedhub.models import Item, Media

MEDIA_SIZES = "(min-width: 700px) 640px, 100vw"
AVATAR = 32  # CSS pixels, as the themes show avatars
_BOX_RE = re.compile(r' (?:width|height)="\d+"')
_IFRAME_END = "</iframe>"


class Images:
    """The images one rendering may show, and the words its placeholders say."""

    def __init__(
        self,
        records: Mapping[str, MediaRecord],
        public_url: str,
        *,
        proxy: bool,
        words: Mapping[str, str],
        youtube_origin: str = players.YOUTUBE_PLAYER,
    ) -> None:
        self.records = records
        self.base = public_url.rstrip("/") + "/m/"
        self.proxy = proxy
        self.words = words
        self.youtube_origin = youtube_origin

    def img(
        self,
        url: str,
        alt: str = "",
        cls: str = "",
        sizes: str = MEDIA_SIZES,
        width: int | None = None,
        height: int | None = None,
        direct: str = "",
        box: int | None = None,
    ) -> Markup:
        """An `<img>` for an upstream image URL, or its alt text when there is no image.

        `direct` is the URL to link instead when the cache is off (a platform's smaller
        preview); `box`, a square display size that overrides the image's own (avatars)."""
        attrs = self._source(direct or url if not self.proxy else url, sizes, width, height)
        if attrs is not None and box:
            attrs = _BOX_RE.sub("", attrs) + f' width="{box}" height="{box}"'
        if attrs is None:
            return Markup(f'<span class="fh-alt">{escape(alt)}</span>') if alt else Markup()
        if cls:
            attrs = f' class="{escape(cls)}"' + attrs
        return Markup(
            f'<img{attrs} alt="{escape(alt)}" loading="lazy" decoding="async" '
            'referrerpolicy="no-referrer">'
        )

    def full(self, url: str, direct: str = "") -> str:
        """The address of a picture at its largest: its biggest `/m/` file, or (cache off)
        the platform's; "" when there is none to show."""
        if not self.proxy:
            return safe_url(direct or url, image=True)
        record = self.records.get(url)
        if record is None or not record.ok or not record.sizes:
            return ""
        return f"{self.base}{record.digest}-{record.sizes[-1][0]}"

    def avatar(self, url: str) -> Markup:
        return self.img(url, "", "fh-avatar", sizes=f"{AVATAR}px", box=AVATAR)

    def _source(self, url: str, sizes: str, width: int | None, height: int | None) -> str | None:
        if not self.proxy:
            direct = safe_url(url, image=True)
            if not direct:
                return None
            box = f' width="{width}" height="{height}"' if width and height else ""
            return f' src="{escape(direct)}"{box}'
        record = self.records.get(url)
        if record is None or not record.ok or not record.sizes:
            return None
        name = self.base + record.digest
        srcset = ", ".join(f"{name}-{w} {w}w" for w, _ in record.sizes)
        largest_w, largest_h = record.sizes[-1]
        src = next((w for w, _ in record.sizes if w >= 640), largest_w)
        return (
            f' src="{name}-{src}" srcset="{srcset}" sizes="{escape(sizes)}"'
            f' width="{largest_w}" height="{largest_h}"'
        )

    def player(self, player: players.Player) -> Markup:
        """A placeholder: the proxied thumbnail, a play button, the title and a line saying
        what playing contacts. It is a link to the platform; the page's script turns a click
        on it into the player (`data-player`), sandboxed and without popups."""
        words = self.words
        link = safe_url(player.link) or "#"
        note = (words["plays_on"] if player.embed else words["opens_on"]).format(host=player.host)
        thumb = (
            self.img(
                player.thumbnail,
                player.alt,
                "fh-player-thumb",
                width=player.width,
                height=player.height,
            )
            if player.thumbnail
            else ""
        )
        data = (
            f' data-player="{escape(player.embed)}"'
            f' data-player-title="{escape(player.title or words["play"])}"'
            if player.embed
            else ""
        )
        title = (
            f'<span class="fh-player-title">{escape(player.title)}</span>' if player.title else ""
        )
        return Markup(
            f'<figure class="fh-player"{data}><a class="fh-play" href="{escape(link)}"'
            f' target="_blank" rel="noopener noreferrer">{thumb}'
            f'<span class="fh-play-button" aria-hidden="true">▶</span>{title}'
            f'<span class="fh-visually-hidden">{escape(words["play"])}</span></a>'
            f'<figcaption class="fh-player-note">{escape(note)}</figcaption></figure>'
        )

    def item_player(self, item: Item) -> Markup:
        """The placeholder of the video an item is about (a YouTube video), or nothing."""
        found = players.from_item(item, self.youtube_origin)
        return self.player(found) if found else Markup()

    def video(self, item: Item, media: Media) -> Markup:
        """The placeholder of one video among an item's media."""
        return self.player(players.from_media(item, media))

    def unlabelled(self, picture: Markup, require_alt: str) -> Markup:
        """A picture its author left without a description, as `require_alt` says: shown
        (`show`), folded behind a visible "No description" marker that opens on a click
        (`fold`), or left out (`hide`)."""
        if require_alt == "hide" or not picture:
            return Markup()
        if require_alt == "fold":
            return Markup(
                f'<details class="fh-noalt"><summary>{escape(self.words["no_alt"])}</summary>'
                f"{picture}</details>"
            )
        return picture

    def content(self, fragment: str, require_alt: str = "show") -> Markup:
        """Sanitized content with its images on `/m/` (those without alt text as
        `require_alt` says) and its players as placeholders."""
        if "<i" not in fragment:
            return Markup(fragment)
        out, pos = [], 0
        for tag in TAG_RE.finditer(fragment):
            out.append(fragment[pos : tag.start()])
            pos = tag.end()
            attrs = attributes(tag[2])
            if tag[1] == "img":
                alt = attrs.get("alt", "").strip()
                picture = self.img(
                    attrs.get("src", ""),
                    alt,
                    width=_number(attrs.get("width")),
                    height=_number(attrs.get("height")),
                )
                out.append(picture if alt else self.unlabelled(picture, require_alt))
                continue
            end = fragment.find(_IFRAME_END, pos)
            pos = len(fragment) if end < 0 else end + len(_IFRAME_END)
            found = players.from_iframe(
                attrs.get("src", ""), attrs.get("title", ""), self.youtube_origin
            )
            if found is not None:
                out.append(self.player(found))
        out.append(fragment[pos:])
        return Markup("".join(out))


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
