"""The table of output formats is what the web layer serves: each format's media type, CORS
and theme as its record says, and a format added to the table is served with no other edit."""

from __future__ import annotations

from feedhub.publish.formats import FORMATS, Format
from feedhub.publish.render import Rendered, Renderer, WidgetView
from tests.conftest import fixture_bytes, make_config


async def widget_service(tmp_path, upstream, feedhub_service):
    upstream.set("/feed.xml", fixture_bytes("feeds/rss20.xml"))
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
                "widgets": {"side": {"sources": ["blog"]}},
            },
        )
    )
    await running.poll_all()
    return running


async def test_each_format_is_served_as_its_record_says(tmp_path, upstream, feedhub_service):
    running = await widget_service(tmp_path, upstream, feedhub_service)
    for name, record in FORMATS.items():
        path = "/w/side" + (f".{name}" if record.suffixed else "")
        status, _, headers = await running.get(path, headers={"Origin": "https://site.example"})
        assert status == 200, path
        assert headers["Content-Type"] == record.media_type, path
        assert ("Access-Control-Allow-Origin" in headers) == record.cross_origin, path
        if not record.suffixed:
            assert (await running.get(f"/w/side.{name}"))[0] == 404
        themed = (await running.get(path + "?theme=cards"))[1] != (await running.get(path))[1]
        assert themed == record.themed, path


async def test_a_format_added_to_the_table_is_served_with_no_other_edit(
    tmp_path, upstream, feedhub_service, monkeypatch
):
    def write_titles(r: Renderer, view: WidgetView) -> Rendered:
        return Rendered("\n".join(it.title for it in view.items).encode())

    monkeypatch.setitem(FORMATS, "txt", Format(write_titles, "text/plain; charset=utf-8"))
    running = await widget_service(tmp_path, upstream, feedhub_service)
    status, body, headers = await running.get(
        "/w/side.txt", headers={"Origin": "https://a.example"}
    )
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body.splitlines() and all(line.strip() for line in body.splitlines())
    assert (await running.get("/w/side.txt?theme=cards"))[1] == body  # not themed
