#!/usr/bin/env python3
"""Builds the scoring benchmark corpus: ~TARGET_MB of article text as files of ~5 KB,
made by shuffling and concatenating the dev-set items (title + text) and the seed
articles, deterministically (seeded). Also writes terms.txt: 300 plain spellings taken
from Config/keywords.toml (wildcards removed), for the grep comparison."""
import json, os, random, re, sys

repo, shared, out, target_mb = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
file_bytes = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
rng = random.Random(20261130)
texts = []
dev = os.path.join(shared, "relevance", "dev.jsonl")
if os.path.exists(dev):
    for line in open(dev, encoding="utf-8"):
        d = json.loads(line)
        texts.append(d["title"] + "\n\n" + d["text"] + "\n")
seeds = os.path.join(repo, "Tests", "FeedwatchClassifyTests", "Fixtures", "seeds")
for f in sorted(os.listdir(seeds)):
    texts.append(open(os.path.join(seeds, f), encoding="utf-8").read())
corpus = os.path.join(out, "corpus")
os.makedirs(corpus, exist_ok=True)
total, n = 0, 0
while total < target_mb * 1e6:
    parts, size = [], 0
    while size < file_bytes:
        t = rng.choice(texts)
        parts.append(t)
        size += len(t.encode("utf-8"))
    body = "\n".join(parts)
    with open(os.path.join(corpus, "a%05d.txt" % n), "w", encoding="utf-8") as f:
        f.write(body)
    total += len(body.encode("utf-8"))
    n += 1

# 300 spellings from the shipped keyword file, as fixed strings for grep -F.
spellings = []
config = "\n".join(l.split("#")[0] if not l.lstrip().startswith("#") else "" for l in open(os.path.join(repo, "Config", "keywords.toml"), encoding="utf-8"))
in_terms = False
term_text = []
for line in config.splitlines():
    if re.match(r"\s*terms\s*=", line): in_terms = True
    if in_terms: term_text.append(line)
    if in_terms and line.strip().endswith("]") and not line.strip().endswith("],"): in_terms = False
for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', "\n".join(term_text)):
    s = m.group(1).replace("*", "").strip()
    if len(s) >= 2 and not re.fullmatch(r"[a-z_0-9]+", s) and s not in spellings:
        spellings.append(s)
with open(os.path.join(out, "terms.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(spellings[:300]) + "\n")
print("%d files, %.1f MB, %d grep terms" % (n, total / 1e6, min(300, len(spellings))))
