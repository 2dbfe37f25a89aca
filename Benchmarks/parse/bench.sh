#!/usr/bin/env bash
# Throughput of `feedwatch parse --json` on the real-world feed corpus, side by
# side with libxml2's own floor (`xmllint --stream --noout`) and Python
# feedparser, in MB/s of input. Run from the repository root:
#
#     Benchmarks/parse/bench.sh            # REPEAT=10 RUNS=5 by default
#
# Each tool gets the whole corpus REPEAT times in ONE invocation (so process
# start-up, ~10-20 ms for a Swift binary, is amortized the same way for both
# native tools); hyperfine runs that RUNS times. feedparser gets the corpus once
# per run (it is ~100x slower). Figures: wall-clock MB/s and CPU (user+sys)
# MB/s. The machine may be shared: CPU MB/s is the steadier figure; compare
# ratios, not absolutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/feeds/realworld}
REPEAT=${REPEAT:-10}
RUNS=${RUNS:-5}
BIN=${BIN:-.build/release/feedwatch}
# Debian's python3-feedparser lives in the system interpreter (not a pyenv shim).
PYTHON=${PYTHON:-/usr/bin/python3}
"$PYTHON" -c "import feedparser" || { echo "feedparser missing for $PYTHON (apt-get install python3-feedparser)"; exit 2; }
[ -x "$BIN" ] || scripts/build-release.sh --product feedwatch >/dev/null
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 2; }

mapfile -t FILES < <(ls -d "$CORPUS"/* | grep -v -E '/README\.md$|\.jsonl$')
BYTES=$(cat "${FILES[@]}" | wc -c)
ARGS=()
for _ in $(seq "$REPEAT"); do ARGS+=("${FILES[@]}"); done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%s\n' "${FILES[@]}" > "$TMP/files.txt"
cat > "$TMP/fp.py" <<'PY'
import sys, feedparser
for path in open(sys.argv[1]).read().split("\n"):
    if path:
        with open(path, "rb") as f:
            feedparser.parse(f.read())
PY

echo "corpus: ${#FILES[@]} files, $BYTES bytes; native tools read it $REPEAT times per run, $RUNS runs"
hyperfine -N -i --style none -w 1 -r "$RUNS" --export-json "$TMP/native.json" \
    -n feedwatch "$BIN parse --json ${ARGS[*]}" \
    -n xmllint "xmllint --stream --noout ${ARGS[*]}" >/dev/null
hyperfine -N --style none -r "$(( RUNS < 3 ? RUNS : 3 ))" --export-json "$TMP/fp.json" \
    -n feedparser "$PYTHON $TMP/fp.py $TMP/files.txt" >/dev/null

python3 - "$TMP/native.json" "$TMP/fp.json" "$BYTES" "$REPEAT" <<'PY'
import json, sys
native, fp, size, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = []
for path, rep in ((native, repeat), (fp, 1)):
    for r in json.load(open(path))["results"]:
        mb = size * rep / 1e6
        rows.append((r["command"], mb / r["mean"], mb / (r["user"] + r["system"]), r["mean"]))
print(f"{'tool':<12}{'wall MB/s':>12}{'CPU MB/s':>12}{'mean s':>10}")
for name, wall, cpu, mean in rows:
    print(f"{name:<12}{wall:>12.1f}{cpu:>12.1f}{mean:>10.3f}")
d = {r[0]: r for r in rows}
fw, xl, fp = d["feedwatch"], d["xmllint"], d["feedparser"]
print(f"feedwatch / xmllint:    wall {fw[1]/xl[1]:.2f}x   CPU {fw[2]/xl[2]:.2f}x   (target >= 0.50x)")
print(f"feedwatch / feedparser: wall {fw[1]/fp[1]:.1f}x   CPU {fw[2]/fp[2]:.1f}x   (target >= 20x)")
PY
