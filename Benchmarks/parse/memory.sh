#!/usr/bin/env bash
# Peak memory (max RSS, /usr/bin/time -v) of `feedwatch parse --json`:
#   1. a generated ~50 MB RSS feed          (target: < 1 GB)
#   2. a generated ~2 MB RSS feed           (target: < 64 MB)
#   3. every real-world feed of <= 2 MB     (target: each < 64 MB)
# Run from the repository root: Benchmarks/parse/memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/feeds/realworld}
BIN=${BIN:-.build/release/feedwatch}
[ -x "$BIN" ] || scripts/build-release.sh --product feedwatch >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

gen() {  # gen FILE MEGABYTES
    python3 - "$1" "$2" <<'PY'
import sys
path, mb = sys.argv[1], float(sys.argv[2])
target = int(mb * 1e6)
with open(path, "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>generated</title><link>http://example.org/</link>\n')
    n, size = 0, 0
    body = "Pyongyang and Moscow signed an agreement &amp; more text. " * 12
    while size < target:
        item = (f'<item><title>Item {n} &#8212; Korea–Russia</title><link>http://example.org/{n}</link>'
                f'<guid isPermaLink="false">id-{n}</guid><pubDate>Mon, 06 Jan 2025 10:{n % 60:02d}:00 +0900</pubDate>'
                f'<dc:creator>Reporter {n % 17}</dc:creator><category>world</category>'
                f'<description><![CDATA[<p>{body}</p>]]></description></item>\n')
        f.write(item)
        size += len(item.encode())
        n += 1
    f.write('</channel></rss>\n')
PY
}

peak() {  # peak FILE -> "KB"
    { /usr/bin/time -v "$BIN" parse --json "$1" 2>&1 >/dev/null || true; } | awk -F': ' '/Maximum resident set size/ {print $2}'
}

gen "$TMP/big.xml" 50
gen "$TMP/two.xml" 2
printf '%-44s %10s %10s\n' file bytes maxRSS_MB
for f in "$TMP/big.xml" "$TMP/two.xml"; do
    printf '%-44s %10d %10.1f\n' "generated-$(basename "$f")" "$(stat -c %s "$f")" "$(echo "$(peak "$f") / 1024" | bc -l)"
done
worst=0; worst_file=
for f in "$CORPUS"/*; do
    case "$f" in *.md|*.jsonl) continue ;; esac
    [ "$(stat -c %s "$f")" -le 2097152 ] || continue
    kb=$(peak "$f")
    if [ "$kb" -gt "$worst" ]; then worst=$kb; worst_file=$f; fi
done
printf '%-44s %10d %10.1f   (largest peak over all corpus files <= 2 MB)\n' "$(basename "$worst_file")" "$(stat -c %s "$worst_file")" "$(echo "$worst / 1024" | bc -l)"
