#!/usr/bin/env python3
"""Writes N distinct RSS 2.0 feeds of about 60 KB each: genfeeds.py DIR N."""
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rng = random.Random(42)
words = ("Pyongyang Moscow Kremlin summit treaty delegation ministry railway port Vladivostok "
         "sanctions artillery shells envoy cooperation agreement economic military talks border "
         "Rason Khasan bridge tourism labour exports grain oil satellite launch visit premier").split()
for i in range(n):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
             f"<title>Feed {i}</title><link>http://example.org/{i}/</link>"
             f"<description>Generated feed {i}</description>"]
    size = sum(len(p) for p in parts)
    j = 0
    while size < 60_000:
        text = " ".join(rng.choice(words) for _ in range(60))
        item = (f"<item><title>Item {j} of feed {i}: {text[:60]}</title>"
                f"<link>http://example.org/{i}/{j}</link><guid>urn:feed:{i}:{j}</guid>"
                f"<pubDate>Mon, 30 Nov 2026 {j % 24:02d}:00:00 GMT</pubDate>"
                f"<description>{text}</description></item>")
        parts.append(item)
        size += len(item)
        j += 1
    parts.append("</channel></rss>\n")
    with open(os.path.join(out, f"feed-{i}.xml"), "w") as f:
        f.write("".join(parts))
