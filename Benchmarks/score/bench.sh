#!/bin/sh
# Scoring throughput of `feedwatch score` (shipped Config/keywords.toml) against
# `grep -o -F -i -f terms.txt` with a 300-term list, on the same ~50 MB of article text.
# Usage: Benchmarks/score/bench.sh [MB]   (from anywhere; builds the release binary)
# Both tools read the same files and report every occurrence; each is run 3 times and the
# best wall-clock time counts. Throughput = corpus bytes / seconds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${FEEDWATCH_SHARED:-$repo/../shared}
mb=${1:-50}
work=${TMPDIR:-/tmp}/feedwatch-bench-score
export LC_ALL=C.UTF-8

cd "$repo"
swift build -c release --product feedwatch >/dev/null
bin="$repo/.build/release/feedwatch"

rm -rf "$work"; mkdir -p "$work"
python3 "$here/make_corpus.py" "$repo" "$shared" "$work" "$mb"
bytes=$(cat "$work"/corpus/*.txt | wc -c)
ls "$work"/corpus/*.txt > "$work/files"

best() {  # best of 3 wall-clock seconds for the command in $1
    b=""
    for i in 1 2 3; do
        s=$(date +%s.%N)
        sh -c "$1" >/dev/null
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}

fw=$(best "xargs -n 2000 '$bin' score --keywords '$repo/Config/keywords.toml' --json < '$work/files'")
gr=$(best "xargs -n 2000 grep -o -F -i -f '$work/terms.txt' < '$work/files'")
alerts=$(xargs -n 2000 "$bin" score --keywords "$repo/Config/keywords.toml" --json < "$work/files" | grep -c '"alert": true' || true)
matches=$(xargs -n 2000 grep -o -F -i -f "$work/terms.txt" < "$work/files" | wc -l)

awk -v b="$bytes" -v f="$fw" -v g="$gr" -v a="$alerts" -v m="$matches" 'BEGIN {
    printf "corpus: %.1f MB\n", b / 1e6
    printf "feedwatch score: %.2f s  %.1f MB/s  (%d files alert)\n", f, b / 1e6 / f, a
    printf "grep -o -F -i (300 terms): %.2f s  %.1f MB/s  (%d matches)\n", g, b / 1e6 / g, m
    printf "speedup: %.1fx\n", g / f
}'
