"""The ElementTree fast path against feedparser: for every document it reads, the same items.

For each body of a corpus (the XML fixtures, the XSS corpus placed in every field of them, the
benchmark's feeds, and generated variants below), `parse_xml_feed` must either decline (None)
or give exactly what `parse_with_feedparser` gives; and it must not decline the ordinary ones.
"""

from __future__ import annotations

import pytest

from bench.corpus import feed as bench_feed
from feedhub.sources import feed
from feedhub.sources.base import ParseError
from feedhub.sources.fastfeed import parse_xml_feed
from feedhub.sources.feed import parse_feed, parse_with_feedparser
from tests.conftest import FIXTURES, fixture_bytes
from tests.feeds_support import NAMESPACES, UTF8_DECL, rss
from tests.xss_corpus import ALL, placed_xml

URL = "https://feeds.example.org/feed"
EDGES = sorted(p for p in (FIXTURES / "corpus").iterdir() if p.suffix in (".rss", ".atom"))
XML_FIXTURES = [
    "feeds/rss20.xml",
    "feeds/atom.xml",
    "feeds/rss10.rdf",
    "feeds/rss091.xml",
    "reddit/new.rss",
    "youtube/videos.xml",
]


def item(
    title: str = "<title>Post</title>",
    link: str = "<link>https://blog.example.org/p/1</link>",
    guid: str = "<guid>https://blog.example.org/p/1</guid>",
    date: str = "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>",
    body: str = "<description>Hello &lt;b&gt;world&lt;/b&gt;</description>",
    more: str = "",
) -> str:
    return f"<item>{title}{link}{guid}{date}{body}{more}</item>"


def pub(date: str) -> str:
    return item(date=f"<pubDate>{date}</pubDate>")


def atom(*entries: str, head: str = "", attrs: str = "") -> bytes:
    return (
        f'{UTF8_DECL}<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:media="http://search.yahoo.com/mrss/"{attrs}><title>Atom</title>'
        f"<id>urn:uuid:1</id><updated>2026-11-24T10:00:00Z</updated>{head}"
        f"{''.join(entries)}</feed>"
    ).encode()


def entry(
    title: str = "<title>Entry</title>",
    ident: str = "<id>tag:atom.example.org,1</id>",
    link: str = '<link rel="alternate" href="https://atom.example.org/1"/>',
    dates: str = "<published>2026-11-24T10:00:00Z</published>"
    "<updated>2026-11-24T11:00:00Z</updated>",
    body: str = '<content type="html">&lt;p&gt;Hi &lt;a href="x"&gt;x&lt;/a&gt;</content>',
    more: str = "",
) -> str:
    return f"<entry>{title}{ident}{link}{dates}{body}{more}</entry>"


def rdf(*items: str, channel: str = "") -> bytes:
    return (
        f'{UTF8_DECL}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns="http://purl.org/rss/1.0/" {NAMESPACES}><channel rdf:about="https://rdf.example.org/">'
        f"<title>RDF</title><link>https://rdf.example.org/</link>{channel}</channel>"
        f"{''.join(items)}</rdf:RDF>"
    ).encode()


def rdf_item(more: str = "", about: str = "https://rdf.example.org/a") -> str:
    return (
        f'<item rdf:about="{about}"><title>A</title><link>{about}</link>'
        f"<description>Text &amp; more</description>{more}</item>"
    )


# Item-level variants of RSS 2.0: all are ordinary, so the fast path must read every one.
RSS_ITEMS = {
    "entities": item(
        title="<title>Fish &amp; chips &#169; &#x263A; &#8212; x</title>",
        body="<description>a &amp;amp; b &#60;i&#62;x&#60;/i&#62;</description>",
    ),
    "cdata_html": item(
        body="<description><![CDATA[<p>A <a href='/rel'>link</a> and "
        "<img src='i.png'></p>]]></description>"
    ),
    "escaped_html": item(
        body="<description>&lt;p&gt;Esc &lt;em&gt;aped&lt;/em&gt;&lt;/p&gt;</description>"
    ),
    "plain_text_description": item(body="<description>Just text, two\n\nparagraphs</description>"),
    "title_amp": item(title="<title>Q&amp;A: AT&amp;T</title>"),
    "title_escaped_tag": item(title="<title>&lt;b&gt;Bold&lt;/b&gt; move</title>"),
    "title_entity_text": item(title="<title>Fish &amp;amp; chips</title>"),
    "title_cdata_tag": item(title="<title><![CDATA[Use <code>x</code> here]]></title>"),
    "title_lt_only": item(title="<title>1 &lt; 2 and 3 &gt; 2</title>"),
    "relative_link": item(link="<link>/posts/1?a=1&amp;b=2</link>", guid=""),
    "no_guid": item(guid=""),
    "no_link_permalink_guid": item(link=""),
    "no_link_guid_not_permalink": item(link="", guid='<guid isPermaLink="false">p-1</guid>'),
    "guid_not_permalink": item(guid='<guid isPermaLink="false">post-0001</guid>'),
    "relative_guid": item(link="", guid="<guid>/p/rel</guid>"),
    "link_double_escaped": item(
        link="<link>https://blog.example.org/p?a=1&amp;amp;b=2&amp;copy;x</link>", guid=""
    ),
    "link_url_attribute": item(link="", more='<atom:link url="https://blog.example.org/u"/>'),
    "no_title": item(title=""),
    "empty_title": item(title="<title></title>"),
    "only_description": item(title="", link="", guid="", date=""),
    "date_gmt": pub("Tue, 24 Nov 2026 10:00:00 GMT"),
    "date_plus0000": pub("Tue, 24 Nov 2026 10:00:00 +0000"),
    "date_minus0500": pub("Tue, 24 Nov 2026 10:00:00 -0500"),
    "date_est": pub("Tue, 24 Nov 2026 10:00:00 EST"),
    "date_pdt": pub("Tue, 24 Nov 2026 10:00:00 PDT"),
    "date_no_seconds": pub("Tue, 24 Nov 2026 10:00 GMT"),
    "date_single_digit_day": pub("Wed, 4 Nov 2026 10:00:00 GMT"),
    "date_no_weekday": pub("24 Nov 2026 10:00:00 GMT"),
    "date_two_digit_year": pub("Tue, 24 Nov 26 10:00:00 GMT"),
    "date_no_zone": pub("Tue, 24 Nov 2026 10:00:00"),
    "date_garbage": pub("sometime last week"),
    "date_empty": pub(""),
    "date_missing": item(date=""),
    "dc_date_z": item(date="<dc:date>2026-11-24T10:00:00Z</dc:date>"),
    "dc_date_offset": item(date="<dc:date>2026-11-24T10:00:00+02:00</dc:date>"),
    "dc_date_fraction": item(date="<dc:date>2026-11-24T10:00:00.123Z</dc:date>"),
    "dc_date_only": item(date="<dc:date>2026-11-24</dc:date>"),
    "pubdate_and_dc_date": item(more="<dc:date>2026-11-25T10:00:00Z</dc:date>"),
    "author_email_name": item(more="<author>ada@example.org (Ada Example)</author>"),
    "author_name": item(more="<author>Ada Example</author>"),
    "author_email": item(more="<author>ada@example.org</author>"),
    "author_empty": item(more="<author></author>"),
    "dc_creator": item(more="<dc:creator>Grace Example</dc:creator>"),
    "enclosure_image": item(
        more='<enclosure url="https://blog.example.org/i.jpg" type="image/jpeg" length="1"/>'
    ),
    "enclosure_audio": item(
        more='<enclosure url="https://blog.example.org/a.mp3" type="audio/mpeg" length="1"/>'
    ),
    "enclosure_relative": item(more='<enclosure url="img/e.png" type="Image/PNG"/>'),
    "media_thumbnail": item(
        more='<media:thumbnail url="https://blog.example.org/t.jpg" width="320" height="180"/>'
    ),
    "media_thumbnail_text": item(more="<media:thumbnail>t/text.jpg</media:thumbnail>"),
    "media_content_medium": item(
        more='<media:content url="https://blog.example.org/m.jpg" '
        'medium="image" width="640" height="480"/>'
    ),
    "media_content_type": item(
        more='<media:content url="https://blog.example.org/m.png" type="image/png"/>'
    ),
    "media_content_video": item(
        more='<media:content url="https://blog.example.org/v.mp4" type="video/mp4"/>'
    ),
    "media_group": item(
        more="<media:group><media:title>Other</media:title><media:content "
        'url="https://blog.example.org/g.jpg" medium="image"/>'
        '<media:thumbnail url="https://blog.example.org/g-t.jpg"/>'
        "</media:group>"
    ),
    "media_and_enclosure_same": item(
        more='<media:thumbnail url="https://b.example/x.jpg"/>'
        '<enclosure url="https://b.example/x.jpg" '
        'type="image/jpeg"/>'
    ),
    "content_after_description": item(
        more="<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>"
    ),
    "content_before_description": item(
        body="<content:encoded>&lt;p&gt;Full&lt;/p&gt;"
        "</content:encoded><description>Short"
        "</description>"
    ),
    "summary_depth": item(
        body="<description>Top</description>",
        more=(
            "<content:encoded>C</content:encoded><media:group><media:description>Deep"
            "</media:description></media:group>"
        ),
    ),
    "content_only": item(body="<content:encoded><![CDATA[<p>Only content</p>]]></content:encoded>"),
    "whitespace": item(
        title="<title>\n   Spaced   title \n</title>",
        link="<link>\n https://blog.example.org/p/ws \n</link>",
        guid="<guid>\n https://blog.example.org/p/ws </guid>",
        date="<pubDate>  Tue, 24 Nov 2026 10:00:00 GMT  </pubDate>",
        body="<description>\n  <![CDATA[ <p>x</p> ]]>\n</description>",
    ),
    "unknown_namespaced": item(
        more='<foo:bar xmlns:foo="http://example.org/foo">x</foo:bar>'
        '<slash:comments xmlns:slash="http://purl.org/rss/1.0/'
        'modules/slash/">3</slash:comments><wfw:commentRss '
        'xmlns:wfw="http://wellformedweb.org/commentAPI/">/c'
        "</wfw:commentRss><comments>/comments</comments>"
    ),
    "media_title_then_dc_title": item(
        more="<media:group><media:title>M</media:title></media:group><dc:title>Later</dc:title>"
    ),
    "xml_base_sibling": item(
        link="",
        body='<description xml:base="https://other.example/d/">'
        '&lt;a href="x"&gt;x&lt;/a&gt;</description>',
        more="<link>after/rel</link>",
    ),
    "text_link_enclosure": item(
        more='<atom:link rel="enclosure" type="image/png">'
        "https://blog.example.org/e.png</atom:link>"
    ),
    "unknown_with_children": item(more="<extra><title>Not the title</title></extra>"),
    "categories": item(
        more='<category>News</category><category domain="d">Misc</category>'
        "<dc:subject>Subject</dc:subject>"
    ),
    "atom_link_in_item": item(link="", more='<atom:link href="https://blog.example.org/al"/>'),
    "atom_link_enclosure": item(more='<atom:link rel="enclosure" type="image/png" href="/e.png"/>'),
    "xml_base_item": '<item xml:base="https://other.example/dir/">' + item()[6:],
    "xml_lang_item": '<item xml:lang="de_DE">' + item()[6:],
    "uppercase_tags": "<Item><TITLE>Caps</TITLE><Link>https://blog.example.org/caps</Link>"
    "<Description>x</Description></Item>",
    "mojibake": item(title="<title>CafÃ© ouvert</title>"),
    "c1_control": item(title="<title>dots\u0085 and \u0093quotes\u0094</title>"),
    "non_ascii": item(
        title="<title>Réunion à 20 h – ligne 4 ✓</title>",
        body="<description>Œuvre 😀</description>",
    ),
    "source_url_link": item(link="<link>javascript:alert(1)</link>"),
}

# Whole documents: channel-level and Atom/RDF variants, each marked with whether the fast path
# reads it (True) or must decline (a reason).
DOCUMENTS: dict[str, tuple[bytes, bool | str]] = {
    "rss_all_items": (rss(*RSS_ITEMS.values()), True),
    **{f"rss_{name}": (rss(body), True) for name, body in RSS_ITEMS.items()},
    "rss_channel_fields": (
        rss(
            item(),
            channel=(
                "<language>en-us</language><ttl> 45 </ttl><description>About</description>"
                '<atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" '
                'href="https://feeds.example.org/feed"/><image><url>https://blog.example.org/l.png'
                "</url><title>Logo</title><link>https://blog.example.org/</link></image>"
                "<textInput><title>Search</title><description>d</description><name>q</name>"
                "<link>https://blog.example.org/s</link></textInput><generator>gen</generator>"
                "<category>c</category><cloud domain='x' port='80'/><copyright>c</copyright>"
                "<lastBuildDate>Tue, 24 Nov 2026 10:00:00 GMT</lastBuildDate>"
            ),
        ),
        True,
    ),
    "rss_managing_editor": (
        rss(
            item(),
            item(more="<author>own@example.org</author>"),
            channel="<managingEditor>ed@example.org (Editor)</managingEditor>",
        ),
        True,
    ),
    "rss_channel_dc_creator": (
        rss(item(), channel="<dc:creator>Channel Author</dc:creator>"),
        True,
    ),
    "rss_xml_base_channel": (
        rss(
            item(
                link="<link>p/2</link>",
                body=("<description><![CDATA[<a href='x'>x</a><img src='/i.png'>]]></description>"),
            ),
            attrs=' xml:base="https://base.example/dir/"',
        ),
        True,
    ),
    "rss_same_link_two_bases": (
        rss(
            *(
                f'<item xml:base="https://{host}.example/d/">'
                "<title>T</title><link>same</link><description "
                'xml:base="sub/">&lt;a href="x"&gt;x&lt;/a&gt;'
                "</description></item>"
                for host in ("one", "two")
            )
        ),
        True,
    ),
    "rss_xml_lang_root": (rss(item(), item(body=""), attrs=' xml:lang="fr_CA"'), True),
    "rss_items_outside_channel": (
        f'{UTF8_DECL}<rss version="2.0"><channel><title>T</title><link>https://a.example/</link>'
        f"</channel>{item()}{item(title='<title>Second</title>')}</rss>".encode(),
        True,
    ),
    "rss_no_declaration_ascii": (rss(item(), decl=""), True),
    "rss_latin1_ascii_body": (
        rss(
            item(title="<title>Caf&#233;</title>"),
            decl=('<?xml version="1.0" encoding="ISO-8859-1"?>'),
        ),
        True,
    ),
    "rss_utf8_bom": (b"\xef\xbb\xbf" + rss(item()), True),
    "rss_empty_item": (rss("<item></item>", item()), True),
    "rss_image_only_items": (
        rss(
            *(
                f'<item><media:content url="https://p.example/{n}.jpg" medium="image"/></item>'
                for n in range(2)
            )
        ),
        True,
    ),
    "rss_relative_hub": (
        rss(item(), channel='<atom:link rel="hub" href=""/><atom:link rel="self" href="/self"/>'),
        True,
    ),
    "rss_text_hub": (
        rss(item(), channel='<atom:link rel="hub">https://hub.example/t</atom:link>'),
        True,
    ),
    "rss_ttl_with_attribute": (rss(item(), channel='<ttl unit="min">30</ttl>'), True),
    "rss_two_items_title_depth": (
        rss(
            item(more="<media:title>Media</media:title>"),
            item(title="", more="<dc:title>DC</dc:title>"),
        ),
        True,
    ),
    "rss_content_in_channel": (rss(item(), channel="<content:encoded>x</content:encoded>"), True),
    "rss_itunes": (
        rss(
            item(
                more="<itunes:duration>12:00</itunes:duration><itunes:explicit>no"
                "</itunes:explicit><itunes:image href='https://a.example/i.jpg'"
                "/><itunes:author>Host</itunes:author>"
            ),
            channel='<itunes:category text="Tech"><itunes:category text="Sub"/></itunes:category>',
            attrs=' xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd"',
        ),
        True,
    ),
    "atom_basic": (atom(entry()), True),
    "atom_titles": (
        atom(
            entry(title='<title type="html">A &lt;em&gt;b&lt;/em&gt;</title>'),
            entry(title='<title type="text">&lt;b&gt;not html&lt;/b&gt;</title>'),
            entry(title=""),
        ),
        True,
    ),
    "atom_content_types": (
        atom(
            entry(body='<content type="text">Plain\n\ntext</content>'),
            entry(body="<summary>Only a summary</summary>"),
            entry(
                body='<summary type="html">&lt;b&gt;S&lt;/b&gt;</summary>'
                '<content type="html">&lt;p&gt;C&lt;/p&gt;</content>'
            ),
            entry(body="<content>No type &lt;b&gt;x&lt;/b&gt;</content>"),
            entry(body=""),
        ),
        True,
    ),
    "atom_xml_base": (
        atom(
            entry(
                link='<link href="rel/1"/>',
                more=(
                    '<content type="html" xml:base="/c/">&lt;a href="y"&gt;y&lt;/a&gt;</content>'
                ),
            ),
            attrs=' xml:base="https://atom.example.org/base/"',
        ),
        True,
    ),
    "atom_xml_lang": (
        atom(
            entry(),
            entry(more='<summary xml:lang="de">S</summary>', body=""),
            entry(body=""),
            attrs=' xml:lang="en_GB"',
        ),
        True,
    ),
    "atom_authors": (
        atom(
            entry(
                more="<author><name>Ann</name><uri>/ann</uri><email>ann@example.org</email>"
                "</author>"
            ),
            entry(more="<author><email>e@example.org</email></author>"),
            entry(
                more="<author><name>C1\u0093name\u0094</name><email>c1\u0085@example.org</email>"
                "</author>"
            ),
            entry(
                more='<author xml:base="https://people.example/"><name>Bob</name><uri>bob</uri>'
                "</author>"
            ),
            entry(),
            head="<author><name>Feed Author</name><uri>https://atom.example.org/fa</uri></author>",
        ),
        True,
    ),
    "atom_links": (
        atom(
            entry(link=""),
            entry(link='<link href="https://a.example/x" type="application/pdf"/>'),
            entry(
                more='<link rel="enclosure" type="image/jpeg" href="/e.jpg"/>'
                '<link rel="related" href="/r"/>'
            ),
            head='<link rel="hub" href="https://hub.example/"/><link rel="self" '
            'href="https://atom.example.org/feed"/>',
        ),
        True,
    ),
    "atom_extras": (
        atom(
            entry(
                more='<category term="t"/><rights>r</rights><contributor><name>'
                "C</name></contributor><media:thumbnail "
                'url="https://a.example/t.jpg"/>'
            )
        ),
        True,
    ),
    "rdf_basic": (
        rdf(
            rdf_item(),
            rdf_item(about="https://rdf.example.org/b"),
            rdf_item(about="urn:x:c").replace("<link>urn:x:c", "<link>/c"),
            channel=(
                '<image rdf:resource="https://rdf.example.org/i.png"/><items><rdf:Seq><rdf:li '
                'rdf:resource="https://rdf.example.org/a"/></rdf:Seq></items>'
            ),
        ),
        True,
    ),
    "rdf_dc_fields": (
        rdf(
            rdf_item(
                "<dc:creator>Dee</dc:creator><dc:date>2026-11-20T08:00:00-05"
                ":00</dc:date><content:encoded>&lt;p&gt;C&lt;/p&gt;"
                "</content:encoded>"
            ),
            channel="<dc:language>nl</dc:language>",
        ),
        True,
    ),
    # Declined, each for the reason given.
    "empty_channel": (rss(), "no entries: feedparser's verdict hangs on the channel title"),
    "latin1_non_ascii": (
        rss(
            item(title="<title>Caf\u00e9</title>"),
            decl=('<?xml version="1.0" encoding="ISO-8859-1"?>'),
        ).replace(b"\xc3\xa9", b"\xe9"),
        "not UTF-8: feedparser decodes it by another codec",
    ),
    "undeclared_non_ascii": (
        rss(item(title="<title>Café</title>"), decl=""),
        "no declaration: feedparser reads it as Latin-1",
    ),
    "doctype": (
        rss(
            item(),
            decl=UTF8_DECL + '<!DOCTYPE rss SYSTEM "http://my.netscape.com/'
            'publish/formats/rss-0.91.dtd">',
        ),
        "a DOCTYPE: feedparser strips it",
    ),
    "not_well_formed": (rss(item()).replace(b"</item>", b""), "not well-formed: loose parser"),
    "source": (
        rss(item(more='<source url="https://s.example/">S</source>')),
        "source: feedparser moves its fields to a source dict",
    ),
    "two_descriptions": (
        rss(item(more="<media:description>M</media:description>")),
        "a second description without content becomes the content",
    ),
    "content_then_two_descriptions": (
        rss(
            item(more="<content:encoded>c</content:encoded>"),
            item(more="<dc:description>D</dc:description>"),
        ),
        "the next item's second description becomes its content",
    ),
    "title_with_markup": (
        rss(item(title="<title>A <b>bold</b> title</title>")),
        "child elements of a text element: feedparser reads XHTML",
    ),
    "atom_xhtml_content": (
        atom(
            entry(
                body='<content type="xhtml"><div xmlns="http://www.w3.org'
                '/1999/xhtml"><p>X</p></div></content>'
            )
        ),
        "XHTML content",
    ),
    "atom_xhtml_title": (atom(entry(title='<title type="xhtml">T</title>')), "XHTML title"),
    "atom_base64": (atom(entry(body='<content type="image/png">aGk=</content>')), "base64 content"),
    "atom_source": (atom(entry(more="<source><title>S</title></source>")), "source"),
    "itunes_owner": (
        rss(
            item(),
            channel="<itunes:owner><itunes:name>Owner</itunes:name></itunes:owner>",
            attrs=' xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd"',
        ),
        "itunes:owner's name overwrites the feed author's in feedparser",
    ),
    "prefix_rebound": (
        rss(
            item(
                more='<x:a xmlns:x="http://one.example/">1</x:a>'
                '<x:b xmlns:x="http://two.example/">2</x:b>'
            )
        ),
        "a prefix bound twice: feedparser keeps one global prefix table",
    ),
    "georss": (
        rss(
            item(
                more='<georss:point xmlns:georss="http://www.georss.org/georss">1 2</georss:point>'
            )
        ),
        "georss: not replayed",
    ),
}


def corpus() -> dict[str, bytes]:
    docs = {f"fixture {name}": fixture_bytes(name) for name in XML_FIXTURES}
    docs.update({f"edges {path.name}": path.read_bytes() for path in EDGES})
    for name in ("feeds/rss20.xml", "feeds/atom.xml", "reddit/new.rss", "youtube/videos.xml"):
        for r in range(len(ALL)):
            docs[f"xss {name} round {r}"] = placed_xml(fixture_bytes(name), r)
    for n in (0, 1, 7, 42):
        docs[f"bench feed({n})"] = bench_feed(n, version=n % 3)
    docs["bench feed(3, items=1)"] = bench_feed(3, items=1)
    docs.update({f"variant {name}": body for name, (body, _) in DOCUMENTS.items()})
    return docs


CORPUS = corpus()


# How a body may be served: (url, network, headers); None is how parse_feed was called
# before it took headers (the address only), {} a local file's.
SERVED = [
    (URL, "feed", None),
    ("https://feeds.example.org/a/b.xml?x=1#f", "reddit", None),
    ("/srv/site/public/feed.xml", "feed", {}),
    (
        URL,
        "feed",
        {
            "content-type": "application/rss+xml; charset=UTF-8",
            "content-location": URL,
            "content-language": "de_CH",
        },
    ),
    (URL, "feed", {"content-type": "text/xml", "content-location": "https://cdn.example.net/f/"}),
    (URL, "feed", {"content-type": "application/xml; charset=iso-8859-1", "content-location": URL}),
    (URL, "feed", {"content-type": "text/html; charset=Shift_JIS", "content-location": URL}),
    (URL, "feed", {"content-type": "application/octet-stream", "content-location": URL}),
    (URL, "feed", {"content-type": "text/xml; charset=x-unknown", "content-location": URL}),
]


@pytest.mark.parametrize("name", list(CORPUS))
def test_fast_path_matches_feedparser_or_declines(name):
    body = CORPUS[name]
    for url, network, headers in SERVED:
        fast = parse_xml_feed(body, url, "src", network, headers)
        try:
            expected = parse_with_feedparser(body, url, "src", network, headers)
        except ParseError:
            assert fast is None  # the fast path may not turn parse_feed's error into items
            continue
        if fast is not None:
            assert fast == expected, (url, headers)


CHARSETS = {
    "utf-8 said by both": (
        rss(item(title="<title>Café</title>")),
        "application/rss+xml; charset=utf-8",
        True,
    ),
    "utf-8 undeclared, text/xml": (
        rss(item(title="<title>Café</title>"), decl=""),
        "text/xml",
        True,
    ),
    "utf-8 undeclared, said by http": (
        rss(item(title="<title>Café</title>"), decl=""),
        "application/xml; charset=utf-8",
        True,
    ),
    "utf-8 declared, latin-1 by http": (
        rss(item(title="<title>Café</title>")),
        "application/xml; charset=ISO-8859-1",
        False,
    ),
    "ascii declared latin-1, utf-8 by http": (
        rss(item(), decl=('<?xml version="1.0" encoding="ISO-8859-1"?>')),
        "text/xml; charset=utf-8",
        False,
    ),
    "shift_jis by http only": (
        rss(item(title="<title>記事投稿</title>"), decl="").decode().encode("shift_jis"),
        "application/xml; charset=Shift_JIS",
        False,
    ),
    "latin-1 undeclared, said by http": (
        rss(item(title="<title>Café</title>"), decl="").decode().encode("latin-1"),
        "text/xml; charset=iso-8859-1",
        False,
    ),
}


@pytest.mark.parametrize("name", list(CHARSETS))
def test_fast_path_declines_when_http_and_the_document_disagree(name):
    body, content_type, reads = CHARSETS[name]
    headers = {"content-type": content_type, "content-location": URL}
    fast = parse_xml_feed(body, URL, "src", "feed", headers)
    assert (fast is not None) is reads
    items, _ = parse_feed(body, URL, "src", headers=headers)
    assert items == parse_with_feedparser(body, URL, "src", "feed", headers)[0]
    assert items[0].title in ("Café", "記事投稿", "Post")


@pytest.mark.parametrize("name", XML_FIXTURES)
def test_fast_path_reads_the_fixture_feeds(name):
    assert parse_xml_feed(fixture_bytes(name), URL, "src") is not None


@pytest.mark.parametrize("n", [0, 1, 7, 42])
def test_fast_path_reads_the_bench_feeds(n):
    items, _ = parse_xml_feed(bench_feed(n), URL, "src") or ([], {})
    assert len(items) == 50


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_fast_path_reads_ordinary_variants_and_declines_the_rest(name):
    body, reads = DOCUMENTS[name]
    assert (parse_xml_feed(body, URL, "src") is not None) is (reads is True), reads


def test_most_variants_are_read():
    read = sum(reads is True for _, reads in DOCUMENTS.values())
    assert read >= 4 * (len(DOCUMENTS) - read)


def test_parse_feed_uses_the_fast_path_and_falls_back(monkeypatch):
    def no_feedparser(*args, **kwargs):
        raise AssertionError("feedparser called")

    monkeypatch.setattr(feed.feedparser, "parse", no_feedparser)
    items, extra = parse_feed(fixture_bytes("feeds/rss20.xml"), URL, "src")
    assert items[0].title == "Second post: images & links" and extra["ttl"] == 30 * 60
    monkeypatch.undo()
    body, _ = DOCUMENTS["atom_xhtml_content"]
    assert parse_feed(body, URL, "src") == parse_with_feedparser(body, URL, "src")


def test_fast_path_declines_with_a_feedparser_release_it_does_not_replay(monkeypatch):
    monkeypatch.setattr(feed.feedparser, "__version__", "6.1.0")
    assert parse_xml_feed(fixture_bytes("feeds/rss20.xml"), URL, "src") is None
