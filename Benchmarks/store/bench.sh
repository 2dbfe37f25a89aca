#!/usr/bin/env bash
# FeedwatchStore benchmark (issue 5 targets): with 1,000,000 stored articles,
# dedup check + insert throughput, the cost of an unchanged feed at 10k vs 1M
# articles, and bytes per stored article (and per tombstone after pruning).
#
# It is a Swift Testing test that is skipped unless FEEDWATCH_BENCH=1, so it
# never runs in the normal suite. Release build; -enable-testing because the
# test bundle also holds other modules' @testable tests.
#
#   Benchmarks/store/bench.sh                               # 1M articles, ~a few minutes
#   FEEDWATCH_BENCH_ARTICLES=100000 Benchmarks/store/bench.sh
#   FEEDWATCH_BENCH_DIR=/var/tmp Benchmarks/store/bench.sh  # database on another disk
#
# Figures are printed as lines starting with "BENCH".
set -euo pipefail
cd "$(dirname "$0")/../.."
export FEEDWATCH_BENCH=1
swift build -c release -Xswiftc -enable-testing --build-tests
swift test -c release -Xswiftc -enable-testing --skip-build --filter StoreBenchmark 2>&1 \
    | grep -E '^BENCH|passed|failed|error' || true
