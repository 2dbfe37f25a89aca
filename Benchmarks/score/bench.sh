#!/bin/sh
# Scoring throughput of `feedwatch score` (shipped Config/keywords.toml) against
# `grep -o -F -i -f terms.txt` with a 300-term list taken from the same file, on the same
# ~50 MB of article text (dev-set items and seed articles, shuffled and concatenated).
#
# Usage: Benchmarks/score/bench.sh [MB] [FILE_BYTES]
#   MB          corpus size (default 50)
#   FILE_BYTES  size of each input file (default 50000: a batch of articles per file;
#               5000 measures one article per file, where per-file costs — process start,
#               argument parsing, JSON output — weigh in)
#
# Both tools read the same files and report every occurrence; each runs 3 times and the
# best run counts. The machine is shared, so throughput is given per CPU second
# (user + sys, what the work costs) and per wall-clock second (what it took).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${FEEDWATCH_SHARED:-$repo/../shared}
mb=${1:-50}
fb=${2:-50000}
work=${TMPDIR:-/tmp}/feedwatch-bench-score
export LC_ALL=C.UTF-8

cd "$repo"
scripts/build-release.sh --product feedwatch >/dev/null
bin="$repo/.build/release/feedwatch"

rm -rf "$work"; mkdir -p "$work"
python3 "$here/make_corpus.py" "$repo" "$shared" "$work" "$mb" "$fb"
bytes=$(cat "$work"/corpus/*.txt | wc -c)
ls "$work"/corpus/*.txt > "$work/files"

# best (lowest CPU) of 3 runs: prints "wall cpu"
best() {
    b=""
    for i in 1 2 3; do
        # Output goes through a pipe: GNU grep stops at the first match when stdout is /dev/null.
        /usr/bin/time -f "%e %U %S" -o "$work/time" sh -c "$1 | cat" >/dev/null
        r=$(tail -n 1 "$work/time" | awk '{ printf "%.3f %.3f", $1, $2 + $3 }')
        if [ -z "$b" ] || [ "$(echo "$r $b" | awk '{ print ($2 < $4) }')" = 1 ]; then b=$r; fi
    done
    echo "$b"
}

fw=$(best "xargs -n 1000 '$bin' score --keywords '$repo/Config/keywords.toml' --json < '$work/files'")
gr=$(best "xargs -n 1000 grep -o -F -i -f '$work/terms.txt' < '$work/files'")
alerts=$(xargs -n 1000 "$bin" score --keywords "$repo/Config/keywords.toml" --json < "$work/files" | grep -c '"alert": true' || true)
matches=$(xargs -n 1000 grep -o -F -i -f "$work/terms.txt" < "$work/files" | wc -l)
files=$(wc -l < "$work/files")

echo "$fw $gr" | awk -v b="$bytes" -v a="$alerts" -v m="$matches" -v n="$files" '{
    printf "corpus: %.1f MB in %d files\n", b / 1e6, n
    printf "feedwatch score:           wall %6.2f s %7.1f MB/s   cpu %6.2f s %7.1f MB/s   (%d files alert)\n", $1, b / 1e6 / $1, $2, b / 1e6 / $2, a
    printf "grep -o -F -i (300 terms): wall %6.2f s %7.1f MB/s   cpu %6.2f s %7.1f MB/s   (%d matches)\n", $3, b / 1e6 / $3, $4, b / 1e6 / $4, m
    printf "speedup (cpu): %.1fx   (wall): %.1fx\n", $4 / $2, $3 / $1
}'
