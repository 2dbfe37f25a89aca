#!/usr/bin/env bash
# Benchmarks/e2e/ratio.sh [PAIRS] [N] — how reliably feedwatch's cold pass is
# ≥ 10× the feedparser loop (issue 7), measured as PAIRS back-to-back pairs.
#
#   Benchmarks/e2e/ratio.sh 8 1000     (defaults: 8 pairs at 1,000 feeds)
#
# This machine's speed drifts by 10–20 % from one minute to the next (other
# tenants on its two cores), and a median of three runs per tool, minutes
# apart (e2e/run.sh), can compare a slow minute of one tool with a fast
# minute of the other. Here each pair is one feedwatch cold pass and one
# feedparser cold pass straight after each other, on the same corpus, nginx
# and config as e2e/run.sh, so both see the same phase of the machine; the
# ratio is taken per pair. A pair counts only when both tools got all N
# feeds with a 200 (a pass that failed fast would show as a huge ratio).
# Prints every pair, then the minimum, median and maximum ratio of the
# pairs that count, and appends them with the binary's commit to
# Benchmarks/e2e/ratio.tsv. Writes nothing else (results.tsv is e2e/run.sh's).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/common.sh"
source "$HERE/sampler.sh"
PAIRS=${1:-8}
N=${2:-1000}
need_bin
WORK=$(mktemp -d /tmp/feedwatch-ratio.XXXXXX)
CORPUS=${CORPUS_CACHE:-/tmp/feedwatch-bench-corpus-v2}/10000
cleanup() { nginx_stop "$WORK"; rm -rf "$WORK"; }
trap cleanup EXIT
corpus "$CORPUS" 10000
nginx_start "$WORK" "$CORPUS" 127.0.0.1
feed_urls "$N" > "$WORK/urls"
e2e_config "$WORK/fw" "$WORK/urls" > "$WORK/fw.toml"
COMMIT=$(bin_commit)

ratios=()
for ((p = 1; p <= PAIRS; p++)); do
    rm -rf "$WORK/fw"
    timed "$WORK/t" "$BIN" run --once --all --config "$WORK/fw.toml" --log-level warning > /dev/null 2>&1 || true
    fw=$WALL
    IFS=, read -r _ fw200 _ <<< "$(db_counts "$WORK/fw/feedwatch.sqlite")"
    alerts=$(grep -c . "$WORK/fw/alerts.log" 2>/dev/null || echo 0)
    timed "$WORK/t" "$PY" "$HERE/fpl.py" "$WORK/urls" "$WORK/fpl-state.json" cold 8 > "$WORK/fpl.out" || true
    fp=$WALL
    fp200=$(tail -n 1 "$WORK/fpl.out" | sed -n 's/.*s200=\([0-9]*\).*/\1/p')
    r=$(awk -v a="$fp" -v b="$fw" 'BEGIN { printf "%.2f", a / b }')
    verdict="${r}×"
    if [ "$fw200" = "$N" ] && [ "${fp200:-0}" = "$N" ]; then
        ratios+=("$r")
    else
        verdict="not counted (a tool did not get all $N feeds)"
    fi
    printf 'pair %d: feedwatch %.3f s (200s %s, alerts %s), feedparser %.3f s (200s %s) → %s\n' \
        "$p" "$fw" "$fw200" "$alerts" "$fp" "${fp200:-?}" "$verdict"
done
[ ${#ratios[@]} -gt 0 ] || { echo "no pair counted" >&2; exit 1; }
read -r MIN MED MAX <<< "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%s %.2f %s", a[1], m, a[NR] }')"
echo "cold feedparser/feedwatch at $N feeds over ${#ratios[@]} of $PAIRS pairs: min ${MIN}×, median ${MED}×, max ${MAX}× (built from $COMMIT)"
RT=$HERE/ratio.tsv
[ -f "$RT" ] || printf 'date\tcommit\tn\tpairs\tmin\tmedian\tmax\tratios\tloadavg\n' > "$RT"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$COMMIT" "$N" "$PAIRS" \
    "$MIN" "$MED" "$MAX" "$(printf '%s ' "${ratios[@]}" | sed 's/ $//')" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RT"
