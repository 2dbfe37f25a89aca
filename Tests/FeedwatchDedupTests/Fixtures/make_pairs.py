#!/usr/bin/env python3
"""Builds the labelled story-pair set used by StoryPairAccuracyTests.

Run from the repository root with the shared data at ../shared (or pass its
path): python3 Tests/FeedwatchDedupTests/Fixtures/make_pairs.py [SHARED_DIR]
Writes articles.jsonl and pairs.jsonl next to this script. Deterministic.

Sources:
- seeds/*.txt: 000, 001 and 003 report one event (Ri Yong Ho in Moscow,
  April 2018); 002 (Russian senators in Pyongyang, March 2019) and 004
  (Choe Ryong Hae's trip, November 2014) are other stories.
- relevance/dev.jsonl: paraphrased real articles. Same-event groups are
  listed by hand in SAME_EVENT below (the labelling rule: one concrete event
  — a meeting, a vote, a strike, a deal — reported by different outlets).
  Pairs whose labels are debatable (a preview of a summit vs the summit, a
  factory tour vs the summit of the same trip) are listed in AMBIGUOUS and
  left out rather than forced. Negatives are chosen mechanically, without
  looking at any score: every same-language pair of different events
  published within 7 days of each other, and every pair sharing two or more
  capitalized names (same people, different event/date).
- synthetic.jsonl (hand-written next to this script): other Lavrov visits to
  Pyongyang (2018, 2023, 2025) and same-cast, same-week different events.
- wire copies derived here from the originals with the edits agencies and
  aggregators make: dateline + byline + "UPDATE 1-" title, sentences after
  the lead reordered, last sentence trimmed, small word substitutions.
Cross-language pairs of one event (an English and a Korean report) are
written with kind "crosslang": the tokenizer cannot match 푸틴 with Putin,
so they are reported separately and not part of the asserted figures.
"""
import json, os, random, re, sys, itertools

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared")

SEEDS = {
    "000": ("N. Korea FM in rare Moscow visit amid diplomatic thaw", "2018-04-10T03:00:00Z"),
    "001": ("Pyongyang sends envoy to Moscow ahead of talks", "2018-04-10T00:30:00Z"),
    "002": ("N. Korea believed to be desperate to win Russia's support", "2019-03-18T09:00:00Z"),
    "003": ("DPRK FM Visits Russia: Russian Foreign Minister Lavrov accepts invitation to visit DPRK", "2018-04-10T16:00:00Z"),
    "004": ("North Korea and Russia try to boost ties", "2014-11-14T06:00:00Z"),
}

# One event each (dev ids). Different languages in one group become crosslang pairs.
SAME_EVENT = [
    ["r0244", "r0247"],                      # Sept 2012 debt write-off deal
    ["r0146", "r0147", "r0392"],             # Kim's March 2018 Beijing trip
    ["r0128", "r0129", "r0130"],             # Singapore summit
    ["r0438", "r0440", "r0445"],             # World Cup: South Korea 2-0 Germany
    ["r0368", "r0369", "r0370"],             # Hanoi summit collapse
    ["r0010", "r0014"],                      # Kim-Putin Vladivostok 2019
    ["r0476", "r0477"],                      # Aug 2020 plenum calls party congress
    ["r0144", "r0145"],                      # Seoul bans strategic exports to Russia
    ["r0423", "r0425"],                      # Castellum: Russia most-sanctioned
    ["r0016", "r0020"],                      # Shoigu at Pyongyang arms show
    ["r0079", "r0084", "r0085", "r0093"],    # Vostochny summit 2023
    ["r0462", "r0465"],                      # Kim at Komsomolsk aircraft plant
    ["r0133", "r0135"],                      # Hyundai sells St Petersburg plant
    ["r0139", "r0143"],                      # Seoul-Moscow export-control spat
    ["r0230", "r0231"],                      # KN-23s fired at Kharkiv
    ["r0432", "r0435"],                      # South Korean missionary held in Russia
    ["r0222", "r0224", "r0226"],             # Russian veto of the UN sanctions panel
    ["r0072", "r0077", "r0078", "r0094"],    # Putin in Pyongyang, June 2024
    ["r0330", "r0332", "r0334"],             # Yoon on arming Ukraine
    ["r0322", "r0323"],                      # captured North Korean soldiers ask for Seoul
    ["r0107", "r0341"],                      # 15 June 2023 missile launch
    ["r0108", "r0339"],                      # 22 April 2024 missile launch
    ["r0383", "r0387"],                      # Wagner mutiny ends
    ["r0417", "r0418"],                      # Nordwind Moscow-Pyongyang flights approved
    ["syn_lavrov2023", "syn_lavrov2023b", "r0086"],  # Lavrov in Pyongyang, Oct 2023
]
# Same cast or same topic, different event (and usually a different date).
HARD_NEGATIVES = [
    ("r0014", "r0084"), ("r0014", "r0085"), ("r0244", "r0248"), ("r0247", "r0248"), ("r0053", "r0047"),
    ("r0167", "r0168"), ("r0476", "r0478"), ("r0449", "r0448"), ("r0055", "r0056"), ("r0417", "r0416"),
    ("r0460", "r0456"), ("r0461", "r0456"), ("r0452", "r0455"), ("r0411", "r0058"), ("r0058", "r0061"),
    ("r0413", "r0055"), ("r0431", "r0429"), ("r0429", "r0430"), ("r0257", "r0258"), ("r0179", "r0180"),
    ("r0366", "r0363"), ("r0276", "r0277"), ("r0277", "r0275"), ("r0274", "r0270"), ("r0283", "r0285"),
    ("r0285", "r0280"), ("r0283", "r0280"), ("r0340", "r0341"), ("r0341", "r0339"), ("r0016", "syn_shoigu_2024"),
    ("r0020", "syn_shoigu_2024"), ("syn_lavrov2018", "syn_lavrov2023"), ("syn_lavrov2018", "syn_lavrov2025"),
    ("syn_lavrov2023", "syn_lavrov2025"), ("syn_lavrov2023b", "syn_lavrov2025"), ("syn_lavrov2018", "syn_lavrov2023b"),
    ("seed003", "syn_lavrov2018"), ("seed000", "syn_lavrov2018"), ("seed001", "syn_lavrov2018"),
    ("seed000", "syn_ri_baku"), ("seed001", "syn_ri_baku"), ("seed003", "syn_ri_baku"),
    ("seed000", "syn_lavrov_syria"), ("seed001", "syn_lavrov_syria"), ("seed003", "syn_lavrov_syria"),
    ("r0072", "syn_putin_hanoi"), ("r0077", "syn_putin_hanoi"), ("r0078", "syn_putin_hanoi"),
    ("r0146", "syn_ri_baku"), ("r0147", "syn_ri_baku"), ("seed002", "r0014"), ("seed004", "r0047"),
    ("r0010", "r0093"),
]
AMBIGUOUS = {
    frozenset(p) for p in [
        ("r0095", "r0093"), ("r0095", "r0079"), ("r0095", "r0084"), ("r0095", "r0085"),  # preview vs summit
        ("r0462", "r0084"), ("r0462", "r0085"), ("r0465", "r0084"), ("r0465", "r0085"),  # same trip, other event
        ("r0462", "r0079"), ("r0465", "r0079"), ("r0462", "r0093"), ("r0465", "r0093"),
        ("r0406", "r0403"),                                                              # destroyer test vs Seoul's analysis
        ("r0432", "r0437"), ("r0435", "r0437"),                                          # same detention, later commentary
        ("r0141", "r0144"), ("r0141", "r0145"),                                          # Seoul's sanctions, successive steps
    ]
}

def load_dev():
    rows = [json.loads(l) for l in open(os.path.join(SHARED, "relevance/dev.jsonl"))]
    out = {}
    for r in rows:
        out[r["id"]] = {"id": r["id"], "lang": r["lang"], "title": r["title"], "text": r["text"],
                        "published": (r["date"] + "T12:00:00Z") if r["date"] else None}
    return out

def load_seeds():
    out = {}
    for name in sorted(os.listdir(os.path.join(SHARED, "seeds"))):
        key = name[:3]
        text = open(os.path.join(SHARED, "seeds", name), encoding="utf-8").read()
        title, date = SEEDS[key]
        out["seed" + key] = {"id": "seed" + key, "lang": "en", "title": title, "text": text, "published": date}
    return out

def load_synthetic():
    out = {}
    for l in open(os.path.join(HERE, "synthetic.jsonl"), encoding="utf-8"):
        if l.strip():
            r = json.loads(l)
            out[r["id"]] = r
    return out

SENT_SPLIT = re.compile(r"(?<=[.!?。])\s+|\n+")

def sentences(text):
    return [s.strip() for s in SENT_SPLIT.split(text) if s.strip()]

def shift(date, hours):
    if date is None:
        return None
    import datetime
    d = datetime.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=hours)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")

DATELINES = {"en": ["MOSCOW (Wire) - ", "SEOUL, (AP) — ", "By Staff Reporter\n\n", "PYONGYANG/MOSCOW - "],
             "ru": ["МОСКВА, (Агентство) — ", "Корреспондент сообщает. "],
             "ko": ["[서울=뉴스통신] ", "(서울=연합뉴스) 기자 = "]}
BYLINES = {"en": [" (Reporting by Staff; Editing by Desk)", "\n\nCopyright 2024 The Wire. All rights reserved.",
                  "\n\nRead more: world news"],
           "ru": [" Подписывайтесь на наш канал.", " © Агентство"],
           "ko": [" 무단전재 및 재배포 금지.", " <저작권자 뉴스통신>"]}
SUBST = [(" said ", " stated "), (" says ", " states "), ("North Korea", "the DPRK"), (" talks", " discussions"),
         (" percent", "%"), (" told ", " informed "), ("defence", "defense"), (" about ", " around "),
         ("Russia's", "the Russian"), (" on ", " on "), (" visit", " trip")]

def wire_variants(a, rng):
    lang = a["lang"] if a["lang"] in DATELINES else "en"
    sents = sentences(a["text"])
    out = []
    # 1. dateline + byline + agency title prefix
    out.append(("byline", a["title"] if lang != "en" else "UPDATE 1-" + a["title"],
                rng.choice(DATELINES[lang]) + a["text"] + rng.choice(BYLINES[lang]), 5))
    # 2. sentences after the lead reordered
    if len(sents) >= 3:
        rest = sents[1:]
        rng.shuffle(rest)
        out.append(("reorder", a["title"] + " - Daily Outlet", " ".join([sents[0]] + rest), 20))
    # 3. last sentence trimmed
    if len(sents) >= 3:
        out.append(("trim", a["title"].rstrip(".!?"), " ".join(sents[:-1]), 2))
    # 4. small word substitutions (English only)
    if lang == "en":
        t = a["text"]
        for x, y in SUBST:
            t = t.replace(x, y)
        if t != a["text"]:
            out.append(("edit", a["title"].replace("North Korea", "DPRK"), t, 26))
    return out

def main():
    rng = random.Random(20180410)
    arts = {}
    arts.update(load_seeds())
    arts.update(load_dev())
    arts.update(load_synthetic())
    pairs = []
    seen = set()

    def add(a, b, same, kind):
        k = frozenset((a, b))
        if a == b or k in seen:
            return
        seen.add(k)
        pairs.append({"a": a, "b": b, "same": same, "kind": kind})

    # Seeds.
    for x, y in itertools.combinations(["seed000", "seed001", "seed003"], 2):
        add(x, y, True, "seed")
    for x in ["seed000", "seed001", "seed003"]:
        for y in ["seed002", "seed004"]:
            add(x, y, False, "seed")
    add("seed002", "seed004", False, "seed")

    # Same-event groups.
    group_of = {}
    for gi, g in enumerate(SAME_EVENT):
        for x in g:
            group_of[x] = gi
        for x, y in itertools.combinations(g, 2):
            if frozenset((x, y)) in AMBIGUOUS:
                continue
            kind = "event" if arts[x]["lang"] == arts[y]["lang"] else "crosslang"
            add(x, y, True, kind)

    for x, y in HARD_NEGATIVES:
        add(x, y, False, "hard" if arts[x]["lang"] == arts[y]["lang"] else "crosslang")

    # Mechanical negatives among dev + synthetic + seeds.
    import datetime
    def dt(a):
        return datetime.datetime.strptime(a["published"], "%Y-%m-%dT%H:%M:%SZ") if a["published"] else None
    def names(a):
        text = a["title"] + ". " + a["text"]
        toks = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}|[А-Я][а-я]{2,})", text)
        return set(toks)
    ids = sorted(arts)
    for x, y in itertools.combinations(ids, 2):
        ax, ay = arts[x], arts[y]
        if ax["lang"] != ay["lang"]:
            continue
        if x in group_of and group_of.get(x) == group_of.get(y):
            continue
        if x.startswith("seed") and y.startswith("seed"):
            continue
        if frozenset((x, y)) in AMBIGUOUS:
            continue
        dx, dy = dt(ax), dt(ay)
        close = dx is not None and dy is not None and abs((dx - dy).total_seconds()) <= 7 * 86400
        shared = len(names(ax) & names(ay) - COMMON_NAMES)
        if close:
            add(x, y, False, "window")
        elif shared >= 2:
            add(x, y, False, "cast")

    # Wire copies of every seed, dev item in en/ru/ko and synthetic item.
    for x in ids:
        a = arts[x]
        if a["lang"] not in ("en", "ru", "ko"):
            continue
        variants = wire_variants(a, rng)
        rng.shuffle(variants)
        for kind, title, text, hours in variants[:2]:
            vid = f"{x}~{kind}"
            arts[vid] = {"id": vid, "lang": a["lang"], "title": title, "text": text,
                         "published": shift(a["published"], hours)}
            add(x, vid, True, "wire")
    # A wire copy against the other outlets of its event, and against the
    # hard negatives of its original.
    base_pairs = list(pairs)
    for p in base_pairs:
        for v in [k for k in arts if k.startswith(p["a"] + "~")][:1]:
            if p["kind"] in ("event", "seed", "cast", "window") and arts[v]["lang"] == arts[p["b"]]["lang"]:
                add(v, p["b"], p["same"], p["kind"] + "+wire")

    with open(os.path.join(HERE, "articles.jsonl"), "w", encoding="utf-8") as f:
        for k in sorted(arts):
            a = arts[k]
            f.write(json.dumps({"id": k, "lang": a["lang"], "title": a["title"], "text": a["text"],
                                "published": a["published"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p) + "\n")
    from collections import Counter
    c = Counter((p["kind"], p["same"]) for p in pairs)
    for k in sorted(c):
        print(k, c[k], file=sys.stderr)
    print("pairs", len(pairs), "articles", len(arts), file=sys.stderr)

# Capitalized words too common in this collection's topic to mean "same people".
COMMON_NAMES = {"North", "South", "Korea", "Korean", "Russia", "Russian", "The", "Moscow", "Pyongyang",
                "Seoul", "China", "Chinese", "United", "States", "Kim", "Jong", "Россия", "России", "Северной",
                "Кореи", "КНДР", "Ukraine", "Japan", "Japanese", "Foreign", "Minister", "President", "Ministry",
                "Korea's", "Russia's", "Washington", "Beijing", "Putin", "Vladimir", "Trump", "Donald", "State",
                "Security", "Council", "Union", "European", "Defence", "Defense", "Sergei", "Sergey", "But",
                "This", "That", "In", "It", "He", "She", "They", "After", "On", "At", "For", "With", "And"}

if __name__ == "__main__":
    main()
