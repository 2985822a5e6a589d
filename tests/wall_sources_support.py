"""Answers of the other wall sources, written here in the shapes the platforms document: a
Tumblr `/v2/tagged` answer (NPF posts, each with its blog), an Instagram hashtag search and
`recent_media` page, a Threads `keyword_search` page."""

from __future__ import annotations

from typing import Any


def tumblr_post(n: int, blog: str, when: int, words: str, tag: str) -> dict[str, Any]:
    return {
        "object_type": "post",
        "type": "blocks",
        "id": 770000000000000000 + n,
        "id_string": str(770000000000000000 + n),
        "is_blocks_post_format": True,
        "blog_name": blog,
        "blog": {
            "name": blog,
            "title": blog.capitalize(),
            "description": "",
            "url": f"https://{blog}.tumblr.com/",
            "uuid": f"t:{blog}uuid",
            "updated": when,
        },
        "post_url": f"https://{blog}.tumblr.com/post/{770000000000000000 + n}/fete",
        "slug": "fete",
        "timestamp": when,
        "state": "published",
        "reblog_key": f"rk{n}",
        "tags": [tag],
        "short_url": f"https://tmblr.co/Z{n}",
        "summary": words,
        "note_count": 3,
        "content": [{"type": "text", "text": words}],
        "layout": [],
        "trail": [],
    }


def tumblr_tagged(tag: str) -> dict[str, Any]:
    return {
        "meta": {"status": 200, "msg": "OK"},
        "response": [
            tumblr_post(2, "lumieres", 1765053000, "Les façades de la place Bellecour", tag),
            tumblr_post(1, "lyonnaise", 1765049400, "Première soirée", tag),
        ],
    }


def instagram_hashtag(hashtag_id: str) -> dict[str, Any]:
    return {"data": [{"id": hashtag_id}]}


def instagram_recent() -> dict[str, Any]:
    return {
        "data": [
            {
                "id": "18030000000000001",
                "caption": "Les lumières sur la Saône #fetedeslumieres",
                "media_type": "IMAGE",
                "media_url": "https://scontent.cdninstagram.com/v/t51/fdl1.jpg?stp=dst-jpg",
                "permalink": "https://www.instagram.com/p/DFdl0001/",
                "timestamp": "2026-12-06T20:05:00+0000",
            },
            {
                "id": "18030000000000002",
                "caption": "Carrousel de Fourvière #fetedeslumieres",
                "media_type": "CAROUSEL_ALBUM",
                "media_url": "https://scontent.cdninstagram.com/v/t51/fdl2.jpg",
                "permalink": "https://www.instagram.com/p/DFdl0002/",
                "timestamp": "2026-12-06T19:55:00+0000",
                "children": {
                    "data": [
                        {
                            "media_type": "IMAGE",
                            "media_url": "https://scontent.cdninstagram.com/v/t51/fdl2a.jpg",
                            "id": "18030000000000003",
                        }
                    ]
                },
            },
        ],
        "paging": {"cursors": {"after": "QVFIUmFkZA"}},
    }


def threads_found() -> dict[str, Any]:
    return {
        "data": [
            {
                "id": "18050000000000001",
                "media_type": "TEXT_POST",
                "permalink": "https://www.threads.net/@julie.lyon/post/DFdlThr001",
                "username": "julie.lyon",
                "text": "Ce soir c'est la Fête des Lumières #fetedeslumieres",
                "timestamp": "2026-12-06T20:25:00+0000",
            }
        ],
        "paging": {"cursors": {"before": "QVFIUmJl", "after": "QVFIUmFm"}},
    }
