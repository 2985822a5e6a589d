"""Which images an item shows, and how they and its players are written into a widget."""

from __future__ import annotations

from feedhub.content.sanitize import sanitize_html
from feedhub.media.collect import item_images
from feedhub.media.markup import Images
from feedhub.media.players import from_iframe, youtube_id
from feedhub.media.records import MediaRecord
from feedhub.models import Author, Item, Media

WORDS = {
    "play": "Play",
    "plays_on": "Playing it connects to {host}.",
    "opens_on": "Opens on {host}.",
    "no_alt": "No description",
}
CONTENT = sanitize_html(
    '<p>Look <img src="https://cdn.example/in.png" alt="a crane" width="600" height="400"></p>'
    '<iframe src="https://www.youtube.com/embed/dQ4w9WgXcQ0" title="Meeting"></iframe>'
    '<iframe src="https://evil.example/embed/x"></iframe>'
)
ITEM = Item(
    id="1",
    source="s",
    url="https://social.example/@a/1",
    content_html=CONTENT,
    author=Author(name="A", avatar="https://cdn.example/avatar.png"),
    reposted_by=Author(name="B", avatar="https://cdn.example/b.png"),
    media=(
        Media("https://cdn.example/photo.jpg", alt="a tram"),
        Media(
            "https://cdn.example/clip.mp4", type="video", preview_url="https://cdn.example/clip.jpg"
        ),
        Media("https://cdn.example/avatar.png"),
    ),
)


def test_every_image_of_an_item_once():
    assert item_images(ITEM) == [
        "https://cdn.example/avatar.png",
        "https://cdn.example/b.png",
        "https://cdn.example/photo.jpg",
        "https://cdn.example/clip.jpg",
        "https://cdn.example/in.png",
        "https://i.ytimg.com/vi/dQ4w9WgXcQ0/hqdefault.jpg",
    ]


def test_youtube_ids():
    for url in (
        "https://www.youtube.com/watch?v=dQ4w9WgXcQ0&t=3",
        "https://youtu.be/dQ4w9WgXcQ0",
        "https://www.youtube-nocookie.com/embed/dQ4w9WgXcQ0",
        "https://www.youtube.com/shorts/dQ4w9WgXcQ0",
    ):
        assert youtube_id(url) == "dQ4w9WgXcQ0", url
    assert youtube_id("https://evil.example/watch?v=dQ4w9WgXcQ0") == ""
    assert youtube_id("https://www.youtube.com/watch?v=<script>") == ""
    assert from_iframe("https://evil.example/embed/x", "", "https://p.example") is None


def cached(url: str, digest: str) -> MediaRecord:
    return MediaRecord(
        url=url, digest=digest, fallback="jpg", sizes=((320, 213), (640, 427), (900, 600))
    )


def test_proxied_images_use_m_urls_and_failed_ones_their_alt_text():
    records = {
        "https://cdn.example/in.png": cached("https://cdn.example/in.png", "a" * 24),
        "https://i.ytimg.com/vi/dQ4w9WgXcQ0/hqdefault.jpg": cached("t", "b" * 24),
    }
    images = Images(
        records,
        "https://w.example/",
        proxy=True,
        words=WORDS,
        youtube_origin="https://www.youtube-nocookie.com",
    )
    out = images.content(ITEM.content_html)
    m = "https://w.example/m/" + "a" * 24
    assert (f'src="{m}-640" srcset="{m}-320 320w, {m}-640 640w, {m}-900 900w"') in out
    assert 'width="900" height="600" alt="a crane" loading="lazy" decoding="async"' in out
    assert "cdn.example" not in out and "<iframe" not in out and "evil.example" not in out
    assert 'data-player="https://www.youtube-nocookie.com/embed/dQ4w9WgXcQ0?autoplay=1"' in out
    assert 'href="https://www.youtube.com/watch?v=dQ4w9WgXcQ0"' in out
    assert "https://w.example/m/" + "b" * 24 in out and ">Meeting<" in out
    assert "Playing it connects to www.youtube-nocookie.com." in out
    # Not cached (failed): the alt text stays, the image does not.
    assert images.img("https://cdn.example/photo.jpg", "a tram") == (
        '<span class="fh-alt">a tram</span>'
    )
    assert images.img("https://cdn.example/photo.jpg", "") == ""


def test_video_media_links_to_the_post():
    images = Images({}, "https://w.example", proxy=True, words=WORDS)
    assert images.item_player(ITEM) == ""  # not a YouTube item: no player for all of it
    out = images.video(ITEM, ITEM.media[1])
    assert 'href="https://social.example/@a/1"' in out and "data-player" not in out
    assert "Opens on social.example." in out


def test_without_the_proxy_images_link_to_the_platform():
    images = Images({}, "https://w.example", proxy=False, words=WORDS)
    out = images.content(ITEM.content_html)
    assert 'src="https://cdn.example/in.png" width="600" height="400" alt="a crane"' in out
    assert images.img("javascript:alert(1)", "x") == '<span class="fh-alt">x</span>'


def test_content_pictures_without_alt_text_follow_require_alt():
    images = Images({}, "https://w.example", proxy=False, words=WORDS)
    html = '<p>a</p><img src="https://cdn.example/a.png" alt="a crane"><img src="https://cdn.example/b.png">'
    assert images.content(html).count("<img") == 2
    hidden = images.content(html, "hide")
    assert hidden.count("<img") == 1 and "b.png" not in hidden
    folded = images.content(html, "fold")
    assert (
        '<details class="fh-noalt"><summary>No description</summary><img src="https://cdn.example/b.png"'
        in folded
    )
    assert folded.index("a.png") < folded.index("<details")
