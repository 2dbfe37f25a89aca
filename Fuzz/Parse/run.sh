#!/usr/bin/env bash
# Builds and runs a libFuzzer + AddressSanitizer binary over the feed parser,
# seeded with the parser test fixtures. Usage (repo root):
#     Fuzz/Parse/run.sh [SECONDS]        # default 60
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.build/fuzz-parse
mkdir -p "$OUT/corpus"
cp Tests/FeedwatchParseTests/Fixtures/*.xml Tests/FeedwatchParseTests/Fixtures/*.json Tests/FeedwatchParseTests/Fixtures/*.atom \
   Tests/FeedwatchParseTests/Fixtures/*.rss "$OUT/corpus/" 2>/dev/null || true
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FeedwatchParse \
    -I Sources/CFeedwatchXML2 $(pkg-config --cflags-only-I libxml-2.0 | sed 's/-I/-Xcc -I/g') \
    $(find Sources/FeedwatchParse -name '*.swift') Fuzz/Parse/main.swift \
    -lxml2 -lz -o "$OUT/fuzz-parse"
"$OUT/fuzz-parse" -max_total_time="${1:-60}" -max_len=65536 -timeout=10 "$OUT/corpus"
