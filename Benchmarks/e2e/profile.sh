#!/usr/bin/env bash
# Benchmarks/e2e/profile.sh [N] — where feedwatch's end-to-end time goes.
#
# Same corpus, nginx and config as e2e/run.sh (default N = 1000), feedwatch only:
#   1. cold + warm with the state on the disk (as e2e/run.sh)       → wall / CPU
#   2. cold + warm with the state on tmpfs (/dev/shm: fsync is free) → the fsync share
#   3. cold + warm under `perf record -g` (state on disk)           → top symbols
#   4. strace -f -c of a warm run                                   → syscalls (fsync count)
# Output: Benchmarks/e2e/profile-N.txt
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/common.sh"
N=${1:-1000}
need_bin
WORK=$(mktemp -d /tmp/feedwatch-prof.XXXXXX)
SHM=$(mktemp -d /dev/shm/feedwatch-prof.XXXXXX)
cleanup() { nginx_stop "$WORK"; rm -rf "$WORK" "$SHM"; }
trap cleanup EXIT
CORPUS=${CORPUS_CACHE:-/tmp/feedwatch-bench-corpus-v2}/10000
corpus "$CORPUS" 10000
nginx_start "$WORK" "$CORPUS" 127.0.0.1
feed_urls "$N" > "$WORK/urls"
cfg() { e2e_config "$1" "$WORK/urls"; }
OUT=$HERE/profile-$N.txt
{
    echo "# profile.sh $N — $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    for where in disk tmpfs; do
        d=$WORK/state-$where; [ $where = tmpfs ] && d=$SHM/state
        cfg "$d" > "$WORK/$where.toml"
        for mode in cold warm; do
            timed "$WORK/t" "$BIN" run --once --all --config "$WORK/$where.toml" --log-level warning > /dev/null 2>&1 || true
            echo "state on $where, $mode: wall $WALL s, cpu $CPU s, peak rss $RSS MB"
        done
        # Fixed cost: the same state, `run --once` without --all — nothing is due, so this is
        # start-up (config + keyword compile + store open) and the due-feed scan.
        timed "$WORK/t" "$BIN" run --once --config "$WORK/$where.toml" --log-level warning > /dev/null 2>&1 || true
        echo "state on $where, run --once with nothing due (fixed cost): wall $WALL s, cpu $CPU s, peak rss $RSS MB"
    done
    if command -v perf >/dev/null; then
        cfg "$WORK/state-perf" > "$WORK/perf.toml"
        for mode in cold warm; do
            perf record -q -F 999 -g -o "$WORK/perf-$mode.data" -- "$BIN" run --once --all --config "$WORK/perf.toml" --log-level warning > /dev/null 2>&1 || true
            echo
            echo "## perf, $mode: top symbols by inclusive time (children), feedwatch frames"
            perf report -i "$WORK/perf-$mode.data" --children --sort symbol --stdio -g none 2>/dev/null \
                | grep '%' | grep -E 'Feedwatch|GRDB|sqlite3|xml|curl|Classify|Fetch|swift_' | head -45 | cut -c1-170 || true
        done
    fi
    if command -v strace >/dev/null; then
        echo
        echo "## strace -f -c, warm run (state on disk)"
        strace -f -c -o "$WORK/strace.txt" "$BIN" run --once --all --config "$WORK/perf.toml" --log-level warning > /dev/null 2>&1 || true
        head -25 "$WORK/strace.txt" || true
    fi
} | tee "$OUT"
