#!/usr/bin/env bash
# Builds and runs one libFuzzer + AddressSanitizer target (issue 7).
#   scripts/fuzz.sh parse    [SECONDS] [extra libFuzzer flags...]   # feed parser
#   scripts/fuzz.sh keywords [SECONDS] [extra libFuzzer flags...]   # TOML / keyword rules / daemon config
#   scripts/fuzz.sh build    parse|keywords                         # build only
# SECONDS defaults to 60. Runs under `nice -n 19` (the machine is shared with
# benchmark runs). Output lives in .build/fuzz-<target>/ (or $FUZZ_OUT): the binary, corpus/
# (seeds + what libFuzzer finds), artifacts/ (crash-*, timeout-*, oom-*) and
# fuzz.log. See Fuzz/README.md for reproducing and minimizing a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,9p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
BUILD_ONLY=0
if [ "$1" = build ]; then BUILD_ONLY=1; shift; [ $# -ge 1 ] || usage; fi
TARGET=$1; shift
SECONDS_TO_RUN=${1:-60}; [ $# -ge 1 ] && shift
OUT=${FUZZ_OUT:-.build/fuzz-$TARGET}
mkdir -p "$OUT/corpus" "$OUT/artifacts"
SWIFTC=(nice -n 19 swiftc -O -sanitize=fuzzer,address -parse-as-library)
# gold warns once per ASan helper symbol ("Cannot export local symbol"); harmless, hidden.
swiftc_quiet() { "${SWIFTC[@]}" "$@" 2> >(grep -v 'ld.gold: warning: Cannot export local symbol' >&2); }

# One module per SwiftPM target a harness needs, compiled (instrumented) to an
# object the harness links, so coverage spans all of them.
MODS=$OUT/modules; mkdir -p "$MODS"
module() {  # NAME DIR [extra swiftc flags]
    local name=$1 dir=$2; shift 2
    swiftc_quiet -module-name "$name" -wmo -num-threads 0 -c -I "$MODS" "$@" \
        -emit-module -emit-module-path "$MODS/$name.swiftmodule" \
        $(find "$dir" -name '*.swift' | sort) -o "$MODS/$name.o"
}

case "$TARGET" in
parse)
    # Core (entities, dates) as its own module; parser sources + harness in
    # one module so the harness reaches internal types.
    module FeedwatchCore Sources/FeedwatchCore
    swiftc_quiet -module-name FeedwatchParse -I "$MODS" \
        -I Sources/CFeedwatchXML2 $(pkg-config --cflags-only-I libxml-2.0 | sed 's/-I/-Xcc -I/g') \
        $(find Sources/FeedwatchParse -name '*.swift' | sort) Fuzz/Parse/main.swift "$MODS"/FeedwatchCore.o \
        -lxml2 -lz -o "$OUT/fuzz-parse"
    MAXLEN=65536
    # Seeds: the parser fixtures, earlier regression inputs, and (if present) a
    # few hundred small conformance cases - copied at run time, never committed.
    find Tests/FeedwatchParseTests/Fixtures -type f ! -name README.md -exec cp {} "$OUT/corpus/" \;
    CONF=${FEEDWATCH_CONFORMANCE:-../shared/conformance/cases}
    [ -d "$CONF" ] || CONF=/work/shared/conformance/cases
    if [ -d "$CONF" ]; then
        find "$CONF" -type f \( -name '*.xml' -o -name '*.json' \) -size -8k | sort | awk 'NR % 4 == 0' | head -400 |
            while read -r f; do cp "$f" "$OUT/corpus/conf-$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"; done
    fi
    DICT=Fuzz/Parse/xml.dict
    ;;
keywords)
    # Core, Fetch (DaemonConfig.swift uses its FetchLimits), Classify, then
    # DaemonConfig.swift + harness as the fuzz module.
    module FeedwatchCore Sources/FeedwatchCore
    module FeedwatchFetch Sources/FeedwatchFetch -I Sources/CFeedwatchCurl
    module FeedwatchClassify Sources/FeedwatchClassify
    swiftc_quiet -module-name FuzzKeywords -I "$MODS" -I Sources/CFeedwatchCurl \
        Sources/FeedwatchDaemon/Config/DaemonConfig.swift Fuzz/Keywords/main.swift \
        "$MODS"/FeedwatchCore.o "$MODS"/FeedwatchFetch.o "$MODS"/FeedwatchClassify.o \
        -lcurl -lcrypto -o "$OUT/fuzz-keywords"
    MAXLEN=16384
    cp Config/keywords.toml Config/feedwatch.toml Fuzz/Keywords/seeds/* "$OUT/corpus/"
    find Tests/FeedwatchClassifyTests/Fixtures -type f -name '*.toml' -exec cp {} "$OUT/corpus/" \;
    DICT=Fuzz/Keywords/toml.dict
    ;;
*) usage ;;
esac

[ "$BUILD_ONLY" = 1 ] && { echo "built $OUT/fuzz-$TARGET"; exit 0; }
# -rss_limit_mb/-timeout: an input that needs >2 GB or >10 s is reported as a bug.
nice -n 19 "$OUT/fuzz-$TARGET" -max_total_time="$SECONDS_TO_RUN" -max_len=$MAXLEN \
    -rss_limit_mb=2048 -timeout=10 -dict="$DICT" -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/" "$@" "$OUT/corpus" 2>&1 | tee "$OUT/fuzz.log"
