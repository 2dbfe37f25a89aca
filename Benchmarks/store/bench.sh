#!/usr/bin/env bash
# FeedwatchStore benchmark (issue 5 targets): with 1,000,000 stored articles,
# dedup check + insert throughput, the cost of an unchanged feed at 10k vs 1M
# articles, and bytes per stored article (and per tombstone after pruning).
#
# It is a Swift Testing test that is skipped unless FEEDWATCH_BENCH=1, so it
# never runs in the normal suite. Release build; -enable-testing because the
# test bundle also holds other modules' @testable tests.
#
#   Benchmarks/store/bench.sh                               # 1M articles, FULL then NORMAL, ~5 min
#   FEEDWATCH_BENCH_ARTICLES=100000 Benchmarks/store/bench.sh
#   FEEDWATCH_BENCH_SYNCS=full Benchmarks/store/bench.sh    # only the production setting
#   FEEDWATCH_BENCH_DIR=/var/tmp Benchmarks/store/bench.sh  # database on another disk
#
# The store runs with synchronous=FULL (one WAL fsync per commit), so small
# commits are bound by the disk's fsync latency, measured first. The NORMAL
# run (no fsync per commit; not a production setting) shows the CPU cost.
# Figures are printed as lines starting with "BENCH".
set -euo pipefail
cd "$(dirname "$0")/../.."
export FEEDWATCH_BENCH=1
dir="${FEEDWATCH_BENCH_DIR:-${TMPDIR:-/tmp}}"

python3 - "$dir" <<'PY'
# The floor for any synchronous=FULL commit on this disk: a one-row WAL
# transaction (SQLite issues one fdatasync of the WAL per commit).
import os, sqlite3, sys, time
p = os.path.join(sys.argv[1], "feedwatch-fsync-probe.sqlite")
for s in ("", "-wal", "-shm"):
    if os.path.exists(p + s): os.unlink(p + s)
c = sqlite3.connect(p, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
ts = []
for _ in range(300):
    t = time.perf_counter()
    c.execute("BEGIN IMMEDIATE"); c.execute("INSERT INTO t(v) VALUES ('x')"); c.execute("COMMIT")
    ts.append((time.perf_counter() - t) * 1e6)
c.close()
for s in ("", "-wal", "-shm"):
    if os.path.exists(p + s): os.unlink(p + s)
ts.sort()
print("BENCH disk (%s): one-row WAL commit with synchronous=FULL: median %.0f µs, p90 %.0f µs" % (sys.argv[1], ts[len(ts)//2], ts[len(ts)*9//10]))
PY

# Its own build directory: -enable-testing in .build/release would make the
# next scripts/build-release.sh (different flags) rebuild everything.
SCRATCH=.build/store-bench
swift build -c release -Xswiftc -enable-testing --build-tests --scratch-path "$SCRATCH"
for sync in ${FEEDWATCH_BENCH_SYNCS:-full normal}; do
    FEEDWATCH_BENCH_SYNC=$sync swift test -c release -Xswiftc -enable-testing --skip-build --scratch-path "$SCRATCH" \
        --filter StoreBenchmark 2>&1 | grep -E '^BENCH|passed|failed|error' || true
done
