#!/usr/bin/env python3
"""The Python peer: a feedparser fetch-and-parse loop with 8 threads.

    fpl.py URLS STATE.json cold|warm [THREADS]

cold: GET every URL (Accept-Encoding: gzip), feedparser.parse(bytes), save
each response's ETag / Last-Modified to STATE.json. warm: the same with
If-None-Match / If-Modified-Since from STATE.json (a 304 is not parsed —
what any polling loop does). urllib from the standard library, one
connection per request (urllib has no keep-alive pool). Prints one line:
"ok=K s200=A s304=B errors=E entries=T".
"""
import gzip
import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import feedparser

urls = [l.strip() for l in open(sys.argv[1]) if l.strip()]
state_path, mode = sys.argv[2], sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
state = json.load(open(state_path)) if mode == "warm" else {}


def one(url):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "User-Agent": "fpl/1"})
    st = state.get(url, {})
    if st.get("etag"):
        req.add_header("If-None-Match", st["etag"])
    if st.get("lm"):
        req.add_header("If-Modified-Since", st["lm"])
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            if r.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            d = feedparser.parse(body)
            return url, 200, len(d.entries), r.headers.get("ETag"), r.headers.get("Last-Modified")
    except urllib.error.HTTPError as e:
        if e.code == 304:
            return url, 304, 0, st.get("etag"), st.get("lm")
        return url, e.code, 0, None, None
    except Exception:
        return url, 0, 0, None, None


with ThreadPoolExecutor(threads) as ex:
    res = list(ex.map(one, urls))
s200 = sum(1 for r in res if r[1] == 200)
s304 = sum(1 for r in res if r[1] == 304)
if mode == "cold":
    json.dump({u: {"etag": e, "lm": lm} for u, c, _, e, lm in res if c == 200}, open(state_path, "w"))
print("ok=%d s200=%d s304=%d errors=%d entries=%d" % (s200 + s304, s200, s304, len(res) - s200 - s304,
                                                      sum(r[2] for r in res)))
