#!/usr/bin/env bash
# Builds and runs one libFuzzer + AddressSanitizer target (issue 7).
#   scripts/fuzz.sh parse    [SECONDS] [extra libFuzzer flags...]   # feed parser
#   scripts/fuzz.sh keywords [SECONDS] [extra libFuzzer flags...]   # TOML / keyword rules / daemon config
#   scripts/fuzz.sh build    parse|keywords                         # build only
# SECONDS defaults to 60. Runs under `nice -n 19` (the machine is shared with
# benchmark runs). Output lives in .build/fuzz-<target>/: the binary, corpus/
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
OUT=.build/fuzz-$TARGET
mkdir -p "$OUT/corpus" "$OUT/artifacts"
SWIFTC=(nice -n 19 swiftc -O -sanitize=fuzzer,address -parse-as-library)
# gold warns once per ASan helper symbol ("Cannot export local symbol"); harmless, hidden.
swiftc_quiet() { "${SWIFTC[@]}" "$@" 2> >(grep -v 'ld.gold: warning: Cannot export local symbol' >&2); }

case "$TARGET" in
parse)
    # Parser sources + harness in one module so the harness reaches internal types.
    swiftc_quiet -module-name FeedwatchParse \
        -I Sources/CFeedwatchXML2 $(pkg-config --cflags-only-I libxml-2.0 | sed 's/-I/-Xcc -I/g') \
        $(find Sources/FeedwatchParse -name '*.swift' | sort) Fuzz/Parse/main.swift \
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
    # Core (TOML reader) + Classify + the one daemon-config file + harness as one
    # module; `import FeedwatchCore` inside it is then ignored with a warning.
    swiftc_quiet -module-name FeedwatchCore -suppress-warnings \
        $(find Sources/FeedwatchCore Sources/FeedwatchClassify -name '*.swift' | sort) \
        Sources/FeedwatchDaemon/Config/DaemonConfig.swift Fuzz/Keywords/main.swift \
        -o "$OUT/fuzz-keywords"
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
