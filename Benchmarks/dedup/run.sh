#!/bin/sh
# Measures FeedwatchDedup's per-article costs on the story pair-set articles
# (Tests/FeedwatchDedupTests/Fixtures/articles.jsonl). Usage, from the
# repository root:  sh Benchmarks/dedup/run.sh
# Compiles the module's sources with this driver straight through swiftc -O
# (the module is pure Swift without dependencies), so no package product or
# test target is involved.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/feedwatch-dedup-bench.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
swiftc -O -parse-as-library -module-name DedupBench \
    "$root"/Sources/FeedwatchDedup/*.swift "$root/Benchmarks/dedup/bench.swift" -o "$out/bench"
"$out/bench" "$root/Tests/FeedwatchDedupTests/Fixtures"
