#!/usr/bin/env python3
"""Soak publisher: every PERIOD seconds, FRACTION of the N feeds in DIR
"publish" three new items (their generation goes up by one; the oldest three
items drop out), written atomically with their .gz twins, so nginx sends a
new ETag and a 200 for them. Runs until killed.

    mutate.py DIR N [PERIOD=60] [FRACTION=0.2]
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import gencorpus  # noqa: E402

d, n = sys.argv[1], int(sys.argv[2])
period = float(sys.argv[3]) if len(sys.argv) > 3 else 60
frac = float(sys.argv[4]) if len(sys.argv) > 4 else 0.2
gen = [0] * n
rng = random.Random(7)
tick = 0
while True:
    time.sleep(period)
    tick += 1
    changed = rng.sample(range(n), int(n * frac))
    for i in changed:
        gen[i] += 1
        gencorpus.write(os.path.join(d, gencorpus.name(i)), gencorpus.render(i, gen[i]).encode("utf-8"), True)
    print("tick %d: %d feeds changed" % (tick, len(changed)), flush=True)
