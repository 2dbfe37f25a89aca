#!/usr/bin/env bash
# Benchmarks/idle/run.sh [MINUTES] — idle cost of the daemon (issue 6 target).
#
#   Benchmarks/idle/run.sh 30            (default 30 minutes; FEEDS=10000 HOSTS=100)
#
# 10,000 generated feeds (~60 KB, mixed RSS/Atom/RDF) served by a private
# nginx with ETags; every feed on a 15-minute interval, so after the first
# (cold) pass every poll is a conditional GET answered 304. The feeds are
# spread over HOSTS loopback addresses (127.0.1.1, 127.0.1.2, …; all
# loopback) so the daemon's per-host politeness stays at its defaults
# (max_per_host = 2, per_host_delay = "1s") — a cold pass of 100 feeds per
# host then takes ~100 s. The cold pass is done first by `feedwatch run --once
# --all` on the same state (PREWARM=0 leaves it to the daemon — at 10,000 feeds
# that took ~55 ms of CPU per feed in the daemon, ~40 min on this shared
# machine, see REPORT.md). Then `feedwatch run` (the daemon) runs for MINUTES; its
# CPU (utime+stime from /proc/PID/stat) and RSS (VmRSS) are sampled every
# 10 s. Reported after the cold pass: average CPU % of one core, RSS at
# warm-up (cold pass done) vs at the end, growth %.
# Targets: avg CPU < 5 %, RSS < 150 MB, growth < 5 %.
# Results: Benchmarks/idle/last.txt (key=value) and last.csv (samples).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../e2e/common.sh"
source "$HERE/../e2e/sampler.sh"
MIN=${1:-30}
FEEDS=${FEEDS:-10000}
HOSTS=${HOSTS:-100}
need_bin
CODE_AT_START=$(bin_commit)   # now: the checkout may move during the run

WORK=$(mktemp -d /tmp/feedwatch-idle.XXXXXX)
CORPUS=${CORPUS_CACHE:-/tmp/feedwatch-bench-corpus-v2}/$FEEDS
DPID=""
cleanup() {
    [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
    nginx_stop "$WORK"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
corpus "$CORPUS" "$FEEDS"
ADDRS=()
for ((h = 1; h <= HOSTS; h++)); do ADDRS+=("127.0.1.$h"); done
nginx_start "$WORK" "$CORPUS" "${ADDRS[@]}"

CFG=$WORK/feedwatch.toml
{
    cat <<TOML
[daemon]
state_dir = "$WORK/state"
spool_dir = "$WORK/state/spool"
alert_log = "$WORK/state/alerts.log"
keywords = "$ROOT/Config/keywords.toml"
default_interval = "15m"
TOML
    for ((i = 0; i < FEEDS; i++)); do
        printf '[[feed]]\nurl = "http://127.0.1.%d:%d/feed-%d.%s"\n' $(( i % HOSTS + 1 )) "$PORT" "$i" "$(feed_ext $i)"
    done
} > "$CFG"
"$BIN" check --config "$CFG" >/dev/null

echo "idle: $FEEDS feeds on $HOSTS loopback hosts, 15m interval, $MIN min; work dir $WORK" >&2
PREWARM=${PREWARM:-1}
if [ "$PREWARM" = 1 ]; then
    echo "idle: cold pass with run --once --all ..." >&2
    prewarm "$CFG" "$WORK/state/feedwatch.sqlite"
fi
daemon_start "$CFG" "$HERE/last.csv" "$WORK/state/feedwatch.sqlite"
daemon_wait "$MIN"
daemon_stop
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "code=$CODE_AT_START"
    echo "feeds=$FEEDS"
    echo "hosts=$HOSTS"
    echo "minutes=$MIN"
    echo "prewarm=$PREWARM ${PREWARM_LINE:-}"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    summarize "$HERE/last.csv" "$FEEDS" 60
    phases "$HERE/last.csv"
    echo "daemon_log_lines=$(wc -l < "$WORK/daemon.log")"
} | tee "$HERE/last.txt"
