#!/usr/bin/env bash
# Benchmarks/e2e/run.sh [N ...] — end to end, feedwatch beside its peers (issue 7).
#
#   Benchmarks/e2e/run.sh 1000 10000       (default: 1000)
#   NEWSBOAT_MAX=1000  newsboat runs only at N <= this (default 1000: at 10,000 it takes minutes per run)
#   NEWSBOAT_THREADS=8 newsboat's reload-threads
#   TOOLS="feedwatch"  run only these tools (default: feedwatch newsboat feedparser floor);
#                      rows of the other tools in results.tsv are kept
#   REPS=3             runs per measurement at N <= REPS_MAX (default 1000; 1 above),
#                      the run with the median wall time is reported (its CPU and RSS
#                      with it). Each cold run starts from empty state. newsboat
#                      runs NEWSBOAT_REPS times (default 1: at 15-45x the others'
#                      time, noise cannot change its comparison).
#
# One private nginx on 127.0.0.1 (gzip + gzip_static, ETag, access_log off,
# 2 workers) serves the generated corpus (Benchmarks/e2e/gencorpus.py: ~60 KB
# feeds, RSS 2.0 / Atom 1.0 / RDF in turn, news filler with some on-topic
# items). For each N, cold (empty state: every response a 200) then warm (the
# same state again: every response a 304):
#   feedwatch   run --once --all  (fetch → parse → score → dedup → store → alert;
#               per_host_delay "0s", max_per_host 16, max_concurrent 16: all feeds
#               are on one host, the defaults of 2 / 1 s would measure the politeness delay)
#   newsboat    -u urls -c cache.db -C config -x reload
#   feedparser  Benchmarks/e2e/fpl.py: urllib + feedparser.parse(bytes), 8 threads,
#               warm with the stored ETags
#   floor       curl --parallel --parallel-max 16 --compressed to files, then
#               xmllint --stream --noout over them (warm: curl with If-None-Match only)
# Wall time (ns clock), CPU (user+sys incl. children) and peak RSS from
# /usr/bin/time -v, feeds/s = N / wall. Each run's outcomes are counted; a
# run that did not get N 200s (cold) / N 304s (warm) is flagged.
# Results: Benchmarks/e2e/results.tsv (appended per N, replacing older rows of that N).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/common.sh"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000)
NEWSBOAT_MAX=${NEWSBOAT_MAX:-1000}
NEWSBOAT_THREADS=${NEWSBOAT_THREADS:-8}
TOOLS=" ${TOOLS:-feedwatch newsboat feedparser floor} "
want() { [[ "$TOOLS" == *" $1 "* ]]; }
MAXN=0
for n in "${SIZES[@]}"; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done
CN=$(( MAXN > 10000 ? MAXN : 10000 ))
need_bin
command -v newsboat >/dev/null || echo "newsboat not installed: skipped" >&2

WORK=$(mktemp -d /tmp/feedwatch-e2e.XXXXXX)
CORPUS=${CORPUS_CACHE:-/tmp/feedwatch-bench-corpus-v2}/$CN
cleanup() { nginx_stop "$WORK"; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
corpus "$CORPUS" "$CN"
nginx_start "$WORK" "$CORPUS" 127.0.0.1
RES=$HERE/results.tsv
# The commit the binary was built from (as far as the worktree says), for REPORT.md.
bin_commit > "$HERE/results.commit"
[ -f "$RES" ] || printf 'n\ttool\tmode\twall_s\tcpu_s\trss_mb\tfeeds_per_s\tok\tnote\tdate\tloadavg\n' > "$RES"

# measure REPS PREP CMD...: runs the shell snippet PREP (e.g. emptying the
# state before a cold run) and then CMD, REPS times; sets WALL/CPU/RSS to the
# run with the median wall time. CMD's stdout/stderr go where measure's go.
measure() {
    local reps=$1 prep=$2; shift 2
    local runs=() r
    for ((r = 0; r < reps; r++)); do
        eval "$prep"
        timed "$D/time.txt" "$@" || true
        runs+=("$WALL $CPU $RSS")
    done
    read -r WALL CPU RSS <<< "$(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p")"
    RUNS_NOTE=""
    [ "$reps" -gt 1 ] && RUNS_NOTE=" (median of $reps: $(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | paste -sd' ') s)"
    return 0
}

row() {  # row N TOOL MODE OK NOTE
    want "$2" || return 0
    local fps
    fps=$(awk -v n="$1" -v w="$WALL" 'BEGIN { printf "%.0f", n / w }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$WALL" "$CPU" "$RSS" "$fps" "$4" "$5${RUNS_NOTE:-}" \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES.new"
    printf '%-6s %-10s %-5s wall %8.2f s  cpu %8.2f s  rss %7.1f MB  %6s feeds/s  ok %s %s\n' \
        "$1" "$2" "$3" "$WALL" "$CPU" "$RSS" "$fps" "$4" "$5${RUNS_NOTE:-}" >&2
}

REPS_MAX=${REPS_MAX:-1000}
for N in "${SIZES[@]}"; do
    : > "$RES.new"
    R=1; [ "$N" -le "$REPS_MAX" ] && R=${REPS:-3}
    NBR=${NEWSBOAT_REPS:-1}
    D=$WORK/n$N; mkdir -p "$D"
    URLS=$D/urls
    feed_urls "$N" > "$URLS"

    # --- feedwatch
    e2e_config "$D/fw" "$URLS" > "$D/fw.toml"
    want feedwatch && for MODE in cold warm; do
        PREP=":"; [ $MODE = cold ] && PREP="rm -rf '$D/fw'"
        measure "$R" "$PREP" "$BIN" run --once --all --config "$D/fw.toml" --log-level warning > "$D/fw-$MODE.out" 2> "$D/fw-$MODE.log"
        IFS=, read -r fetched s200 s304 <<< "$(source "$HERE/sampler.sh"; db_counts "$D/fw/feedwatch.sqlite")"
        want=$([ $MODE = cold ] && echo "$s200" || echo "$s304")
        alerts=$(wc -l < "$D/fw/alerts.log" 2>/dev/null || echo 0)
        row "$N" feedwatch $MODE "$want/$N" "alerts=$alerts, built from $(cat "$HERE/results.commit" 2>/dev/null)"
    done

    # --- newsboat
    if want newsboat && command -v newsboat >/dev/null && [ "$N" -le "$NEWSBOAT_MAX" ]; then
        mkdir -p "$D/nb/home"
        printf 'reload-threads %s\nshow-read-feeds yes\n' "$NEWSBOAT_THREADS" > "$D/nb/config"
        for MODE in cold warm; do
            PREP=":"; [ $MODE = cold ] && PREP="rm -f '$D/nb/cache.db'"
            HOME=$D/nb/home measure "$NBR" "$PREP" newsboat -u "$URLS" -c "$D/nb/cache.db" -C "$D/nb/config" -x reload \
                > "$D/nb-$MODE.out" 2>&1
            items=$(sqlite3 "$D/nb/cache.db" 'SELECT count(*) FROM rss_item' 2>/dev/null || echo "?")
            feeds=$(sqlite3 "$D/nb/cache.db" "SELECT count(*) FROM rss_feed WHERE title != ''" 2>/dev/null || echo "?")
            row "$N" newsboat $MODE "$feeds/$N" "items=$items threads=$NEWSBOAT_THREADS"
        done
    fi

    # --- feedparser loop
    # (the floor's warm pass needs the ETags the feedparser loop saved)
    (want feedparser || want floor) && for MODE in cold warm; do
        measure "$R" ":" "$PY" "$HERE/fpl.py" "$URLS" "$D/fpl-state.json" $MODE 8 > "$D/fpl-$MODE.out"
        out=$(tail -n 1 "$D/fpl-$MODE.out")
        want=$([ $MODE = cold ] && echo "$out" | sed 's/.*s200=\([0-9]*\).*/\1/' || echo "$out" | sed 's/.*s304=\([0-9]*\).*/\1/')
        row "$N" feedparser $MODE "$want/$N" "$(echo "$out" | sed 's/.*entries=/entries=/')"
    done

    # --- floor: curl --parallel + xmllint --stream
    if want floor; then
    mkdir -p "$D/floor"
    awk -v d="$D/floor" '{n = $0; sub(/.*\//, "", n); if (NR > 1) print "next"; print "url = \"" $0 "\"\noutput = \"" d "/" n "\"\ncompressed\nwrite-out = \"%{http_code}\\n\""}' "$URLS" > "$D/curl-cold.cfg"
    cat > "$D/floor.sh" <<SH
curl --parallel --parallel-max 16 -s -K "$D/curl-cold.cfg" > "$D/floor-codes"
cd "$D/floor" && ls | xargs -n 2000 xmllint --stream --noout
SH
    measure "$R" "rm -f '$D'/floor/*" bash "$D/floor.sh" 2> "$D/floor.err"
    row "$N" floor cold "$(grep -c '^200$' "$D/floor-codes" || true)/$N" "curl+xmllint --stream"
    "$PY" - "$D/fpl-state.json" "$D/curl-warm.cfg" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for k, (u, v) in enumerate(st.items()):
        # "next" only between operations: a trailing empty one makes curl 7.88 abort transfers in flight.
        if k:
            f.write("next\n")
        e = (v.get("etag") or "").replace("\\", "\\\\").replace('"', '\\"')
        f.write('url = "%s"\noutput = "/dev/null"\nheader = "If-None-Match: %s"\ncompressed\nwrite-out = "%%{http_code}\\n"\n' % (u, e))
PY
    echo "curl --parallel --parallel-max 16 -s -K '$D/curl-warm.cfg' > '$D/floor-codes' 2>/dev/null" > "$D/floor-warm.sh"
    measure "$R" ":" bash "$D/floor-warm.sh"
    row "$N" floor warm "$(grep -c '^304$' "$D/floor-codes" || true)/$N" "curl conditional GET"
    fi

    # replace older rows of this N (of the tools that ran)
    awk -F'\t' -v n="$N" -v tools="$TOOLS" 'NR == 1 || $1 != n || index(tools, " " $2 " ") == 0' "$RES" > "$RES.tmp"
    cat "$RES.new" >> "$RES.tmp"
    mv "$RES.tmp" "$RES"; rm -f "$RES.new"
done
