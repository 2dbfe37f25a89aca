#!/usr/bin/env bash
# Benchmarks/soak/run.sh [MINUTES] — memory soak of the daemon (issue 7 target),
# then a short leak check under valgrind.
#
#   Benchmarks/soak/run.sh 60       (default 60 minutes; FEEDS=5000 HOSTS=50 INTERVAL=5m)
#   LEAK_ONLY=1 Benchmarks/soak/run.sh   only the valgrind run
#   NO_LEAK=1   Benchmarks/soak/run.sh   skip it
#
# Soak: FEEDS generated feeds (a private copy of the corpus, spread over HOSTS
# loopback addresses so per-host politeness stays at its defaults: 2 in
# flight, 1 s between starts), polled every INTERVAL by `feedwatch run`.
# Benchmarks/soak/mutate.py publishes on them while it runs: every 60 s, 20 %
# of the feeds get three new items (about one item in 97 on topic), so each
# feed changes every ~5 minutes and the whole pipeline — parse, score, dedup,
# store, alert — keeps working. VmRSS and CPU are sampled every 10 s.
# Warm-up = the cold pass is done + WARMUP_S (default 300 s); growth = RSS at
# the end vs at warm-up. Target: growth < 5 %.
#
# Leak check: `valgrind --leak-check=full feedwatch run --once --all` over 20
# of the feeds (fresh state); "definitely lost" is the figure (the Swift
# runtime's and Foundation's one-time allocations show as "still reachable"
# or "possibly lost").
# Results: Benchmarks/soak/last.txt, last.csv, leak.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../e2e/common.sh"
source "$HERE/../e2e/sampler.sh"
MIN=${1:-60}
FEEDS=${FEEDS:-5000}
HOSTS=${HOSTS:-50}
INTERVAL=${INTERVAL:-5m}
WARMUP_S=${WARMUP_S:-300}
need_bin
CODE_AT_START=$(bin_commit)   # now: the checkout may move during the run

WORK=$(mktemp -d /tmp/feedwatch-soak.XXXXXX)
chmod 755 "$WORK"   # nginx's workers (another user) read www/ below it
DPID=""; MPID=""
cleanup() {
    [ -n "$MPID" ] && kill "$MPID" 2>/dev/null || true
    [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
    nginx_stop "$WORK"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
echo "soak: generating $FEEDS feeds in $WORK/www ..." >&2
"$PY" "$BENCH_E2E/gencorpus.py" "$WORK/www" "$FEEDS" --gz
chmod -R a+rX "$WORK/www"
ADDRS=()
for ((h = 1; h <= HOSTS; h++)); do ADDRS+=("127.0.2.$h"); done
nginx_start "$WORK" "$WORK/www" "${ADDRS[@]}"

config() {  # config STATE_DIR COUNT
    cat <<TOML
[daemon]
state_dir = "$1"
spool_dir = "$1/spool"
alert_log = "$1/alerts.log"
keywords = "$ROOT/Config/keywords.toml"
default_interval = "$INTERVAL"
TOML
    for ((i = 0; i < $2; i++)); do
        printf '[[feed]]\nurl = "http://127.0.2.%d:%d/feed-%d.%s"\n' $(( i % HOSTS + 1 )) "$PORT" "$i" "$(feed_ext $i)"
    done
}

if [ "${LEAK_ONLY:-0}" != 1 ]; then
    config "$WORK/state" "$FEEDS" > "$WORK/feedwatch.toml"
    "$BIN" check --config "$WORK/feedwatch.toml" >/dev/null
    echo "soak: $FEEDS feeds on $HOSTS hosts, interval $INTERVAL, $MIN min" >&2
    # The cold pass by `run --once --all` first (PREWARM=0: the daemon does it; at 5,000
    # feeds that costs the daemon ~30 ms of CPU per feed, see REPORT.md).
    PREWARM=${PREWARM:-1}
    if [ "$PREWARM" = 1 ]; then
        prewarm "$WORK/feedwatch.toml" "$WORK/state/feedwatch.sqlite"
    fi
    daemon_start "$WORK/feedwatch.toml" "$HERE/last.csv" "$WORK/state/feedwatch.sqlite"
    "$PY" "$HERE/mutate.py" "$WORK/www" "$FEEDS" 60 0.2 > "$WORK/mutate.log" 2>&1 &
    MPID=$!
    daemon_wait "$MIN"
    kill "$MPID" 2>/dev/null || true; MPID=""
    daemon_stop
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "code=$CODE_AT_START"
        echo "feeds=$FEEDS"
        echo "hosts=$HOSTS"
        echo "interval=$INTERVAL"
        echo "minutes=$MIN"
        echo "prewarm=$PREWARM ${PREWARM_LINE:-}"
        echo "warmup_after_cold_s=$WARMUP_S"
        echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "publisher_ticks=$(grep -c tick "$WORK/mutate.log" || true)"
        echo "alerts=$(wc -l < "$WORK/state/alerts.log" 2>/dev/null || echo 0)"
        echo "articles=$(sqlite3 "file:$WORK/state/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM article' 2>/dev/null || echo '?')"
        summarize "$HERE/last.csv" "$FEEDS" "$WARMUP_S"
        echo "daemon_log_lines=$(wc -l < "$WORK/daemon.log")"
    } | tee "$HERE/last.txt"
fi

if [ "${NO_LEAK:-0}" != 1 ]; then
    LEAK_FEEDS=${LEAK_FEEDS:-20}   # (at most FEEDS)
    config "$WORK/leak" "$LEAK_FEEDS" > "$WORK/leak.toml"
    # LEAK_TOOL=valgrind (default) or asan: LeakSanitizer through a build with
    # -sanitize=address (ASAN_BIN, else built here from the checkout:
    #   swift build -c release -Xswiftc -sanitize=address --scratch-path /tmp/fw-asan-build --product feedwatch).
    # valgrind 3.19 (Debian 12) crashes inside itself ("Valgrind received a signal 11")
    # when feedwatch starts its threads on this kernel; the script says so and
    # falls back to LeakSanitizer.
    LEAK_TOOL=${LEAK_TOOL:-valgrind}
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "code=$CODE_AT_START (valgrind: the release binary; asan: see asan_code below)"
        if [ "$LEAK_TOOL" = valgrind ] && command -v valgrind >/dev/null; then
            echo "command=valgrind --leak-check=full feedwatch run --once --all ($LEAK_FEEDS feeds, fresh state)"
            echo "valgrind=$(valgrind --version)"
            valgrind --leak-check=full --show-leak-kinds=definite --num-callers=30 --log-file="$WORK/valgrind.log" \
                "$BIN" run --once --all --config "$WORK/leak.toml" --log-level warning > /dev/null 2> "$WORK/leak-run.log" || true
            if grep -q 'VALGRIND INTERNAL ERROR' "$WORK/valgrind.log"; then
                echo "valgrind crashed inside itself:"
                grep -A1 'VALGRIND INTERNAL ERROR' "$WORK/valgrind.log" | sed 's/^--[0-9]*-- *//'
                echo "falling back to LeakSanitizer"
                LEAK_TOOL=asan
                rm -rf "$WORK/leak"
            else
                echo "fetched=$(db_counts "$WORK/leak/feedwatch.sqlite")"
                grep -E 'definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY' "$WORK/valgrind.log" | sed 's/^==[0-9]*== *//'
                echo "--- definitely lost records (first 80 lines):"
                awk '/definitely lost in loss record/ {p = 1} p && /^==[0-9]+== $/ {p = 0} p' "$WORK/valgrind.log" | sed 's/^==[0-9]*== *//' | head -80
            fi
        fi
        if [ "$LEAK_TOOL" = asan ]; then
            # Built (incrementally) every time unless ASAN_BIN is given: a build
            # left over from older code would check the wrong code for leaks.
            if [ -n "${ASAN_BIN:-}" ]; then
                echo "asan_code=unknown: ASAN_BIN=$ASAN_BIN"
            else
                ASAN_BIN=/tmp/fw-asan-build/release/feedwatch
                (cd "$ROOT" && swift build -c release -Xswiftc -sanitize=address --scratch-path /tmp/fw-asan-build --product feedwatch >&2)
                echo "asan_code=$(git -C "$ROOT" rev-parse --short HEAD)"
            fi
            echo "command=ASAN_OPTIONS=detect_leaks=1 feedwatch(-sanitize=address) run --once --all ($LEAK_FEEDS feeds, fresh state)"
            ASAN_OPTIONS=detect_leaks=1:log_path=$WORK/lsan "$ASAN_BIN" run --once --all --config "$WORK/leak.toml" \
                --log-level warning > /dev/null 2> "$WORK/leak-run.log" && echo "exit=0" || echo "exit=$?"
            echo "fetched=$(db_counts "$WORK/leak/feedwatch.sqlite")"
            # The paths covered: articles stored, stories created (the fingerprint blob), alerts written.
            echo "articles=$(sqlite3 "file:$WORK/leak/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM article' 2>/dev/null || echo '?')" \
                 "stories=$(sqlite3 "file:$WORK/leak/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM story' 2>/dev/null || echo '?')" \
                 "alerts=$(wc -l < "$WORK/leak/alerts.log" 2>/dev/null || echo 0)"
            if ls "$WORK"/lsan.* >/dev/null 2>&1; then
                grep -h -E 'SUMMARY|ERROR: LeakSanitizer' "$WORK"/lsan.*
                echo "direct_leak_records=$(cat "$WORK"/lsan.* | grep -c 'Direct leak' || true)"
                echo "indirect_leak_records=$(cat "$WORK"/lsan.* | grep -c 'Indirect leak' || true)"
                echo "(only indirect leaks = memory reachable only from a cycle of leaked objects, e.g. a Swift reference cycle)"
                echo "--- the largest leak records with their stacks (first 120 lines):"
                awk '/(Direct|Indirect) leak of/ {p = 1} p && /^$/ {p = 0; print "" } p' "$WORK"/lsan.* \
                    | sed -E 's/ \(\/[^)]*\)$//; s/^ +#/  #/' | head -120
                cat "$WORK"/lsan.* > "$HERE/lsan-report.txt" && echo "(full report: Benchmarks/soak/lsan-report.txt)"
            else
                echo "LeakSanitizer: no leaks reported (no report written)"
            fi
            # The daemon too: `feedwatch run` for LEAK_DAEMON_S seconds (default 150) on
            # the same feeds with a 1-minute interval while the publisher changes half
            # of them every 20 s (new articles, stories, alerts, reload-free), then
            # SIGTERM: the graceful shutdown path, and LeakSanitizer at exit.
            LEAK_DAEMON_S=${LEAK_DAEMON_S:-150}
            if [ "$LEAK_DAEMON_S" -gt 0 ]; then
                sed 's/^default_interval = .*/default_interval = "1m"/' "$WORK/leak.toml" | sed "s|$WORK/leak|$WORK/leakd|g" > "$WORK/leakd.toml"
                "$PY" "$HERE/mutate.py" "$WORK/www" "$LEAK_FEEDS" 20 0.5 > "$WORK/leak-mutate.log" 2>&1 &
                local_mpid=$!
                echo "command=ASAN_OPTIONS=detect_leaks=1 feedwatch(-sanitize=address) run ($LEAK_FEEDS feeds, interval 1m, publisher every 20 s) for ${LEAK_DAEMON_S} s, then SIGTERM"
                ASAN_OPTIONS=detect_leaks=1:log_path=$WORK/lsand "$ASAN_BIN" run --config "$WORK/leakd.toml" --log-level warning \
                    > /dev/null 2> "$WORK/leakd-run.log" &
                local_dpid=$!
                sleep "$LEAK_DAEMON_S"
                kill -TERM "$local_dpid"; wait "$local_dpid" && echo "exit=0" || echo "exit=$?"
                kill "$local_mpid" 2>/dev/null || true
                echo "polls=$(sqlite3 "file:$WORK/leakd/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM feed WHERE last_fetch IS NOT NULL' 2>/dev/null || echo '?') feeds fetched," \
                     "articles=$(sqlite3 "file:$WORK/leakd/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM article' 2>/dev/null || echo '?')" \
                     "stories=$(sqlite3 "file:$WORK/leakd/feedwatch.sqlite?mode=ro" 'SELECT count(*) FROM story' 2>/dev/null || echo '?')" \
                     "publisher_ticks=$(grep -c tick "$WORK/leak-mutate.log" || true)"
                if ls "$WORK"/lsand.* >/dev/null 2>&1; then
                    grep -h -E 'SUMMARY|ERROR: LeakSanitizer' "$WORK"/lsand.*
                    cat "$WORK"/lsand.* > "$HERE/lsan-daemon-report.txt" && echo "(full report: Benchmarks/soak/lsan-daemon-report.txt)"
                else
                    echo "LeakSanitizer (daemon): no leaks reported (no report written)"
                fi
            fi
        fi
    } | tee "$HERE/leak.txt"
fi
