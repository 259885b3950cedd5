#!/usr/bin/env python3
"""Python baseline for `zipp mine ingest`: the same work with zstandard + orjson into dicts.

Reads Reddit dumps (zstd NDJSON, 2 GiB window), drops deleted authors, removed bodies and bot
accounts, and builds user-community edge counts with first/last times, the three best-scoring
snippets per edge and the image URLs per user. Prints one JSON line with bytes, lines, seconds,
MB/s and lines/s.

    pip install zstandard orjson
    python3 benches/ingest_baseline.py DUMP.zst [DUMP.zst ...]
"""

import html
import io
import json
import sys
import time

import orjson
import zstandard

BOTS = {
    name.lower()
    for name in [
        "AutoModerator", "BotDefense", "RepostSleuthBot", "RemindMeBot", "SaveVideo", "savevideobot",
        "WikiTextBot", "sneakpeekbot", "B0tRank", "GifReversingBot", "LinkifyBot", "TweetPoster",
        "Paywall-Bot", "same_post_bot", "haikusbot", "timezone_bot", "converter-bot", "MAGIC_EYE_BOT",
        "VredditDownloader", "stabbot", "transcribot", "nice-scores", "Anti-Evil Operations",
    ]
}
DELETED = {"", "[deleted]", "[removed]", "[unavailable]"}
REMOVED = {"[deleted]", "[removed]"}
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def is_bot(author: str) -> bool:
    if author.endswith(("_bot", "-bot", "_Bot")) and len(author) > 4:
        return True
    if author.endswith("Bot") and len(author) > 3 and author[-4].islower():
        return True
    return author.lower() in BOTS


def images(d: dict) -> list:
    out = []
    mm = d.get("media_metadata")
    if mm:
        for item in mm.values():
            s = (item or {}).get("s") or {}
            u = s.get("u") or s.get("gif")
            if u:
                out.append(html.unescape(u))
    if not out and d.get("is_self") is not True:
        url = d.get("url") or ""
        if url.split("?")[0].lower().endswith(IMAGE_EXT) or url.startswith("https://i.redd.it/"):
            out.append(html.unescape(url))
        elif d.get("post_hint") == "image":
            prev = ((d.get("preview") or {}).get("images") or [{}])[0].get("source", {}).get("url")
            out.append(html.unescape(prev or url))
    return out


def main(paths: list) -> None:
    edges = {}
    snippets = {}
    user_images = {}
    nbytes = lines = kept = malformed = 0
    start = time.perf_counter()
    for path in paths:
        dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
        with open(path, "rb") as f, dctx.stream_reader(f) as reader:
            for line in io.BufferedReader(reader, 1 << 20):
                lines += 1
                nbytes += len(line)
                try:
                    d = orjson.loads(line)
                except orjson.JSONDecodeError:
                    malformed += 1
                    continue
                author, sub = d.get("author"), d.get("subreddit")
                if not author or not sub or author in DELETED or is_bot(author):
                    continue
                body = d.get("body")
                if body is not None:
                    if body.strip() in REMOVED:
                        continue
                    text = body
                else:
                    text = d.get("title") or ""
                    selftext = d.get("selftext") or ""
                    if selftext and selftext not in REMOVED:
                        text = text + "\n" + selftext
                created = d.get("created_utc") or 0
                created = int(float(created)) if isinstance(created, str) else int(created)
                score = d.get("score") or 0
                key = (author, sub)
                e = edges.get(key)
                if e is None:
                    edges[key] = [1, created, created]
                else:
                    e[0] += 1
                    e[1] = min(e[1], created)
                    e[2] = max(e[2], created)
                if text:
                    pool = snippets.setdefault(key, [])
                    pool.append((score, text[:1000]))
                    if len(pool) > 3:
                        pool.sort(key=lambda p: -p[0])
                        pool.pop()
                if body is None:
                    urls = images(d)
                    if urls:
                        lst = user_images.setdefault(author, [])
                        for u in urls:
                            if len(lst) < 64 and u not in lst:
                                lst.append(u)
                kept += 1
    secs = time.perf_counter() - start
    print(json.dumps({
        "impl": "python (zstandard + orjson)",
        "bytes": nbytes, "lines": lines, "kept": kept, "malformed": malformed, "edges": len(edges),
        "seconds": round(secs, 3), "mb_per_s": round(nbytes / 1e6 / secs, 1),
        "lines_per_s": round(lines / secs),
    }))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
