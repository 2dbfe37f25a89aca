#!/usr/bin/env python3
"""Benchmark corpus: N news feeds of about 60 KB each, mixed formats.

    gencorpus.py DIR N [--hosts H] [--gen G] [--only I,J,...] [--gz]

Feed i is RSS 2.0 when i % 3 == 0, Atom 1.0 when i % 3 == 1, RDF/RSS 1.0
when i % 3 == 2 (files feed-i.rss / .atom / .rdf). Items are ordinary news
filler built from a fixed vocabulary, plus now and then a relevant item
whose text comes from the repository's seeds/ and the daemon test fixture
events.json, so the classifier, dedup and alert stages do real work. Every
item has a stable GUID and link; the newest item of generation G of feed i
is item number G * 3 + 40 (each generation adds three items and drops three),
so bumping G is "the feed published three new stories".

--gz also writes feed-i.EXT.gz (gzip -6) beside every file for nginx's
gzip_static, so the server does not spend the benchmark's CPU compressing.
Writes are atomic (temp file + rename) so a running nginx never serves half
a file. Deterministic apart from the dates, which are relative to now.
"""
import argparse
import gzip
import json
import os
import random
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ITEMS = 40           # items per feed, about 1.5 KB each -> ~60 KB
PER_GEN = 3          # new items per generation
RELEVANT_EVERY = 97  # about 1 item in 97 is on topic

FILLER = ("the city council said on monday that the new budget would fund road repairs and more buses "
          "officials expect the plan to pass next week after a long debate over school spending and taxes "
          "shares rose in early trading as investors welcomed stronger quarterly earnings from retailers "
          "the weather service warned of heavy rain and flooding in coastal areas through the weekend "
          "a spokesperson for the hospital declined to comment on staffing levels during the strike "
          "the football club confirmed the signing of a midfielder on a three year contract worth millions "
          "researchers published a study showing that regular walking lowers the risk of heart disease "
          "the central bank kept interest rates unchanged citing steady inflation and a cooling labour market "
          "firefighters contained the blaze after several hours and no injuries were reported by police "
          "the minister announced a review of housing rules after complaints from tenants and landlords "
          "election officials said turnout was higher than expected in several districts on sunday "
          "the festival returns this summer with more than two hundred artists on five stages downtown").split()


def load_relevant():
    """Relevant texts: seeds/ (long articles, first ~1 KB) and events.json."""
    out = []
    seeds = os.path.join(ROOT, "seeds")
    for name in sorted(os.listdir(seeds)) if os.path.isdir(seeds) else []:
        with open(os.path.join(seeds, name), encoding="utf-8", errors="replace") as f:
            lines = [l.strip() for l in f if len(l.strip()) > 40]
        if lines:
            out.append((lines[0][:120], " ".join(lines[1:])[:1200]))
    ev = os.path.join(ROOT, "Tests/FeedwatchDaemonTests/Fixtures/events.json")
    if os.path.exists(ev):
        for e in json.load(open(ev, encoding="utf-8")):
            out.append((e["title"], e["text"]))
    if not out:
        out.append(("North Korea and Russia sign treaty", "Pyongyang and Moscow signed a treaty on mutual defence."))
    return out


RELEVANT = load_relevant()
NOW = datetime.now(timezone.utc).replace(second=0, microsecond=0)


def item(i, j):
    """Item j of feed i (deterministic)."""
    rng = random.Random(i * 1_000_003 + j)
    if (i * 31 + j) % RELEVANT_EVERY == 0:
        title, text = RELEVANT[(i + j) % len(RELEVANT)]
        text = (text + " " + " ".join(rng.choice(FILLER) for _ in range(40)))
    else:
        words = [rng.choice(FILLER) for _ in range(200)]
        title = " ".join(words[:9]).capitalize()
        text = " ".join(words[9:]).capitalize() + "."
    # Descriptions carry HTML as real news feeds do (escaped in the XML): a
    # picture, paragraphs, a link — the markup readers strip or sanitize.
    cut = len(text) // 2
    cut = text.rfind(" ", 0, cut) if " " in text[:cut] else cut
    html = (f'<p><img src="http://img.news.example/{i}/{j}.jpg" alt="photo" width="640" height="360"/></p>'
            f"<p>{text[:cut]}</p><p>{text[cut:]} <a href=\"http://news.example/{i}/{j}\">Read more</a></p>")
    # Published recently so a fresh state alerts (alert_backlog is 48h by default): item j is (1000 - j)
    # minutes before now (~16 h for the first generation), later generations newer.
    when = NOW - timedelta(minutes=max(0, 1000 - j))
    return dict(title=title, text=html, guid=f"urn:bench:{i}:{j}", link=f"http://news.example/{i}/{j}", when=when)


def render(i, gen):
    newest = gen * PER_GEN + ITEMS
    items = [item(i, j) for j in range(newest, newest - ITEMS, -1)]
    kind = i % 3
    if kind == 0:
        body = "".join(
            f"<item><title>{escape(it['title'])}</title><link>{it['link']}</link>"
            f"<guid isPermaLink=\"false\">{it['guid']}</guid>"
            f"<pubDate>{it['when'].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<description>{escape(it['text'])}</description></item>\n" for it in items)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
                f"<title>Bench outlet {i}</title><link>http://news.example/{i}/</link>"
                f"<description>Benchmark feed {i}</description><language>en</language>\n{body}</channel></rss>\n")
    if kind == 1:
        upd = items[0]["when"].strftime("%Y-%m-%dT%H:%M:%SZ")
        body = "".join(
            f"<entry><title>{escape(it['title'])}</title><link href=\"{it['link']}\"/>"
            f"<id>{it['guid']}</id><updated>{it['when'].strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"<summary type=\"html\">{escape(it['text'])}</summary></entry>\n" for it in items)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                f"<title>Bench outlet {i}</title><id>urn:bench:feed:{i}</id><updated>{upd}</updated>"
                f"<link href=\"http://news.example/{i}/\"/>\n{body}</feed>\n")
    body = "".join(
        f"<item rdf:about=\"{it['link']}\"><title>{escape(it['title'])}</title><link>{it['link']}</link>"
        f"<dc:date>{it['when'].strftime('%Y-%m-%dT%H:%M:%SZ')}</dc:date>"
        f"<description>{escape(it['text'])}</description></item>\n" for it in items)
    seq = "".join(f"<rdf:li rdf:resource=\"{it['link']}\"/>" for it in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f"<channel rdf:about=\"http://news.example/{i}/\"><title>Bench outlet {i}</title>"
            f"<link>http://news.example/{i}/</link><description>Benchmark feed {i}</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>\n{body}</rdf:RDF>\n")


def name(i):
    return f"feed-{i}." + ("rss", "atom", "rdf")[i % 3]


def write(path, data, gz):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    if gz:
        with open(tmp + ".gz", "wb") as f:
            f.write(gzip.compress(data, 6, mtime=0))
        os.rename(tmp + ".gz", path + ".gz")
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--gen", type=int, default=0)
    ap.add_argument("--only", default="")
    ap.add_argument("--gz", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    which = [int(x) for x in a.only.split(",") if x] if a.only else range(a.n)
    for i in which:
        write(os.path.join(a.dir, name(i)), render(i, a.gen).encode("utf-8"), a.gz)


if __name__ == "__main__":
    main()
