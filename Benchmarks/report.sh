#!/usr/bin/env bash
# Benchmarks/report.sh — regenerates Benchmarks/REPORT.md in one command.
#
#   Benchmarks/report.sh              e2e at 1,000 and 10,000 + parse + score, plots, REPORT.md
#   Benchmarks/report.sh --reuse      no benchmark runs: REPORT.md and plots from the last results
#   Benchmarks/report.sh --soak       also the long runs: idle (30 min) and soak (60 min) + leak check
#   SIZES="1000 10000"                e2e sizes (newsboat only up to NEWSBOAT_MAX, default 1000)
#
# The long runs (idle, soak) are not part of the default: REPORT.md quotes
# their last results (Benchmarks/idle/last.txt, Benchmarks/soak/last.txt,
# Benchmarks/soak/leak.txt). Needs gnuplot (apt-get install gnuplot-nox) for
# the plots; without it the tables are still written.
set -euo pipefail
B=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$B/.." && pwd)
REUSE=0; SOAK=0
for a in "$@"; do
    case $a in
        --reuse) REUSE=1 ;;
        --soak) SOAK=1 ;;
        *) echo "usage: $0 [--reuse] [--soak]" >&2; exit 2 ;;
    esac
done
SIZES=${SIZES:-1000 10000}
OUT=$B/REPORT.md
RAW=$B/plots/raw
mkdir -p "$RAW"

if [ $REUSE = 0 ]; then
    # The benchmark tools (only what is missing is installed; needs root or sudo).
    "$ROOT/scripts/install-deps.sh" nginx-light newsboat python3-feedparser libxml2-utils curl time sqlite3 \
        valgrind gnuplot-nox hyperfine >&2
    (cd "$ROOT" && "$ROOT/scripts/build-release.sh" --product feedwatch >&2)
    # shellcheck disable=SC2086
    "$B/e2e/run.sh" $SIZES
    if [ -x "$B/parse/bench.sh" ] && [ -d "$ROOT/../shared/feeds/realworld" ]; then
        "$B/parse/bench.sh" > "$RAW/parse.txt" 2>&1 || echo "(parse bench failed)" >> "$RAW/parse.txt"
    fi
    if [ -x "$B/score/bench.sh" ]; then
        "$B/score/bench.sh" > "$RAW/score.txt" 2>&1 || echo "(score bench failed)" >> "$RAW/score.txt"
    fi
fi
if [ $SOAK = 1 ]; then
    "$B/idle/run.sh" 30
    "$B/soak/run.sh" 60
fi

# ---- plots (gnuplot): feeds/s and peak memory against N, per tool, cold and warm
RES=$B/e2e/results.tsv
if command -v gnuplot >/dev/null && [ -f "$RES" ]; then
    for tool in feedwatch newsboat feedparser floor; do
        for mode in cold warm; do
            awk -F'\t' -v t=$tool -v m=$mode 'NR > 1 && $2 == t && $3 == m {print $1, $7, $6, ($5 > 0 ? $1 / $5 : 0)}' "$RES" | sort -n > "$RAW/$tool-$mode.dat"
        done
    done
    plot_cmd() {  # plot_cmd COLUMN
        local sep="" s=""
        for tool in feedwatch newsboat feedparser floor; do
            for mode in cold warm; do
                [ -s "$RAW/$tool-$mode.dat" ] || continue
                s+="$sep'$RAW/$tool-$mode.dat' using 1:$1 with linespoints title '$tool $mode'"
                sep=", "
            done
        done
        echo "$s"
    }
    gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced
set logscale xy
set grid
set key outside right
set xlabel "feeds (N)"
set output "$B/plots/feeds_per_s.png"
set title "End to end throughput (feeds/s, higher is better) — local nginx, ~60 KB feeds"
set ylabel "feeds/s"
plot $(plot_cmd 2)
set output "$B/plots/feeds_per_cpu_s.png"
set title "End to end, feeds per CPU second (user+sys; steadier than wall on a shared machine)"
set ylabel "feeds / CPU s"
plot $(plot_cmd 4)
set output "$B/plots/peak_rss.png"
set title "Peak resident memory (MB, lower is better)"
set ylabel "peak RSS (MB)"
plot $(plot_cmd 3)
GP
fi

# ---- REPORT.md
targets() {  # targets RESULTS.tsv: the issue 7 targets as a table
    /usr/bin/python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
g = {(r["n"], r["tool"], r["mode"]): r for r in rows}
def w(n, t, m):
    r = g.get((n, t, m)); return float(r["wall_s"]) if r else None
def c(n, t, m):
    r = g.get((n, t, m)); return float(r["cpu_s"]) if r else None
print("| N | check | measured | target | |")
print("|---:|---|---:|---:|---|")
for n in sorted({r["n"] for r in rows}, key=int):
    def line(label, fw, peer, target, higher=True):
        if fw is None or peer is None:
            return
        x = peer / fw if higher else fw / peer
        ok = x >= target
        print("| %s | %s | %.1f× | ≥ %g× | %s |" % (n, label, x, target, "met" if ok else "**missed**"))
    line("cold speed vs newsboat (wall)", w(n, "feedwatch", "cold"), w(n, "newsboat", "cold"), 10)
    line("cold speed vs feedparser (wall)", w(n, "feedwatch", "cold"), w(n, "feedparser", "cold"), 10)
    line("warm speed vs feedparser (wall)", w(n, "feedwatch", "warm"), w(n, "feedparser", "warm"), 2)
    line("cold CPU vs newsboat", c(n, "feedwatch", "cold"), c(n, "newsboat", "cold"), 10)
    line("cold CPU vs feedparser", c(n, "feedwatch", "cold"), c(n, "feedparser", "cold"), 10)
    line("warm CPU vs feedparser", c(n, "feedwatch", "warm"), c(n, "feedparser", "warm"), 2)
    fw = g.get((n, "feedwatch", "cold")); nb = g.get((n, "newsboat", "cold"))
    pk = lambda t: max((float(g[(n, t, m)]["rss_mb"]) for m in ("cold", "warm") if (n, t, m) in g), default=None)
    a, b = pk("feedwatch"), pk("newsboat")
    if a and b:
        print("| %s | peak memory (max of cold, warm): feedwatch %.0f MB vs newsboat %.0f MB | %.2f× | < 1× | %s |"
              % (n, a, b, a / b, "met" if a < b else "**missed**"))
    fl = g.get((n, "floor", "cold"))
    if fw and fl:
        print("| %s | cold wall vs the floor (curl + xmllint) | %.1f× slower | (reference) | |" % (n, float(fw["wall_s"]) / float(fl["wall_s"])))
PY
}
ver() { "$@" 2>&1 | head -1 || echo "not installed"; }
{
    echo "# feedwatch benchmark report"
    echo
    echo "Regenerated by \`Benchmarks/report.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ) (commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources || echo ', with uncommitted changes in Sources/'))."
    echo "Scripts and methods: [Benchmarks/README.md](README.md)."
    echo
    echo "## Machine"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| CPU | $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online |"
    echo "| RAM | $(free -m | awk '/^Mem:/ {printf "%.1f GiB", $2 / 1024}') |"
    echo "| kernel | $(uname -sr) |"
    echo "| OS | $(. /etc/os-release; echo "$PRETTY_NAME") |"
    echo "| load average when written | $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other build/test jobs: wall times are noisy, CPU times steadier) |"
    echo "| swift | $(ver swift --version | sed 's/^.*Swift version/Swift version/') |"
    echo "| libcurl | $(pkg-config --modversion libcurl 2>/dev/null || echo '?') |"
    echo "| libxml2 | $(pkg-config --modversion libxml-2.0 2>/dev/null || echo '?') |"
    echo "| sqlite | $(pkg-config --modversion sqlite3 2>/dev/null || echo '?') (system library; GRDB 7.10.0) |"
    echo "| nginx | $(nginx -v 2>&1 | sed 's/.*version: //') |"
    echo "| newsboat | $(ver newsboat -v | sed 's/ - .*//') |"
    echo "| python feedparser | $(/usr/bin/python3 -c 'import feedparser, sys; print(feedparser.__version__, "on Python", sys.version.split()[0])' 2>/dev/null || echo 'not installed') |"
    echo "| curl | $(ver curl --version | cut -d' ' -f1-2) |"
    echo "| xmllint | $(xmllint --version 2>&1 | head -1 | sed 's/.*using libxml version //') |"
    echo "| grep | $(ver grep --version) |"
    echo
    echo "## End to end (issue 7)"
    echo
    echo "\`Benchmarks/e2e/run.sh $SIZES\`: one local nginx (127.0.0.1, gzip, ETag) serving generated ~60 KB feeds"
    echo "(RSS 2.0 / Atom 1.0 / RDF in turn; news filler with about one on-topic item in 97). Cold = empty"
    echo "state, every response a 200; warm = the same state again, every response a 304. feedwatch runs"
    echo "\`run --once --all\` (fetch → parse → score → dedup → store → alert, SQLite synchronous=FULL) with"
    echo "\`max_concurrent = 16, max_per_host = 16, per_host_delay = \"0s\"\` (all feeds are on one host: the"
    echo "polite defaults would measure the 1 s per-host delay). newsboat: \`-x reload\`, reload-threads 8."
    echo "feedparser: 8 threads, urllib + \`feedparser.parse(bytes)\`, warm with stored ETags."
    echo "Floor: \`curl --parallel --parallel-max 16 --compressed\` to files + \`xmllint --stream --noout\` over them (warm: curl conditional GETs)."
    echo "CPU = user + sys including children; peak RSS from \`/usr/bin/time -v\`; feeds/s = N / wall."
    echo
    if [ -f "$RES" ]; then
        [ -f "$B/e2e/results.commit" ] && echo "feedwatch built from commit $(cat "$B/e2e/results.commit")." && echo
        echo "| N | tool | mode | wall s | CPU s | peak RSS MB | feeds/s | ok | note | load avg |"
        echo "|---:|---|---|---:|---:|---:|---:|---|---|---|"
        awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %.2f | %.2f | %.1f | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $11}' "$RES"
        echo
        echo "### Against the targets"
        echo
        targets "$RES"
        echo
        [ -f "$B/plots/feeds_per_s.png" ] && echo "![feeds/s against N](plots/feeds_per_s.png)" && echo
        [ -f "$B/plots/feeds_per_cpu_s.png" ] && echo "![feeds per CPU second against N](plots/feeds_per_cpu_s.png)" && echo
        [ -f "$B/plots/peak_rss.png" ] && echo "![peak RSS against N](plots/peak_rss.png)" && echo
        for old in "$B"/e2e/results-*.tsv; do
            [ -f "$old" ] || continue
            c=${old##*/results-}; c=${c%.tsv}
            echo "### Earlier run, feedwatch built from commit $c (same corpus and method)"
            echo
            echo "| N | tool | mode | wall s | CPU s | peak RSS MB | feeds/s | ok | load avg |"
            echo "|---:|---|---|---:|---:|---:|---:|---|---|"
            awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %.2f | %.2f | %.1f | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $11}' "$old"
            echo
            targets "$old"
            echo
        done
        for prof in "$B"/e2e/profile-*.txt; do
            [ -f "$prof" ] || continue
            echo "### \`${prof#$B/}\` (fixed cost, fsync share)"
            echo
            echo '```'
            sed -n '1,/^## perf/p' "$prof" | grep -v '^## perf'
            echo '```'
            echo
        done
    else
        echo "(no results yet: run Benchmarks/e2e/run.sh)"
    fi
    echo "## Parse MB/s vs xmllint --stream (Benchmarks/parse/bench.sh)"
    echo
    if [ -s "$RAW/parse.txt" ]; then echo '```'; cat "$RAW/parse.txt"; echo '```'; else echo "(Benchmarks/parse/bench.sh not present on this branch or not run)"; fi
    echo
    echo "## Scoring MB/s vs grep -o -F -i (Benchmarks/score/bench.sh)"
    echo
    if [ -s "$RAW/score.txt" ]; then echo '```'; cat "$RAW/score.txt"; echo '```'; else echo "(Benchmarks/score/bench.sh not present on this branch or not run)"; fi
    echo
    echo "## Idle and soak against their targets"
    echo
    for pair in "idle/last.txt soak/last.txt" "idle/last-779c133.txt soak/last-779c133.txt"; do
    set -- $pair
    [ -f "$B/$1" ] || [ -f "$B/$2" ] || continue
    echo "From \`$1\` and \`$2\`:"
    echo
    /usr/bin/python3 - "$B/$1" "$B/$2" <<'PY'
import os, sys
def kv(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line and not line.startswith(("#", "phase")):
                k, v = line.strip().split("=", 1)
                d[k] = v  # the last occurrence wins (recomputed summaries are appended)
    return d
i, s = kv(sys.argv[1]), kv(sys.argv[2])
print("| run | check | measured | target | |")
print("|---|---|---:|---:|---|")
def row(run, label, v, target, ok):
    print("| %s | %s | %s | %s | %s |" % (run, label, v, target, "met" if ok else "**missed**"))
if "avg_cpu_pct" in i:
    run = "idle, %s feeds, %s min" % (i.get("feeds"), i.get("minutes"))
    row(run, "average CPU after the first minute", "%s %%" % i["avg_cpu_pct"], "< 5 %", float(i["avg_cpu_pct"]) < 5)
    row(run, "peak RSS", "%s MB" % i["rss_max_mb"], "< 150 MB", float(i["rss_max_mb"]) < 150)
    row(run, "RSS growth (first minute → end)", "%s %%" % i["growth_pct"], "< 5 %", float(i["growth_pct"]) < 5)
if "growth_pct" in s:
    run = "soak, %s feeds, %s min" % (s.get("feeds"), s.get("minutes"))
    row(run, "RSS growth after warm-up (%s MB → %s MB)" % (s["rss_warm_mb"], s["rss_end_mb"]), "%s %%" % s["growth_pct"], "< 5 %", float(s["growth_pct"]) < 5)
PY
    echo
    done
    for part in "idle/last.txt:Idle cost (issue 6): Benchmarks/idle/run.sh — targets avg CPU < 5 % of one core, RSS < 150 MB, growth < 5 %" \
                "soak/last.txt:Memory soak (issue 7): Benchmarks/soak/run.sh — target RSS growth after warm-up < 5 %" \
                "idle/last-779c133.txt:Idle cost, earlier run (daemon built from 779c133)" \
                "soak/last-779c133.txt:Memory soak, earlier run (daemon built from 779c133, before the arena cap)" \
                "soak/leak.txt:Leak check: valgrind, or LeakSanitizer where valgrind cannot run (Benchmarks/soak/run.sh)"; do
        f=${part%%:*}; title=${part#*:}
        echo "## $title"
        echo
        if [ -s "$B/$f" ]; then echo '```'; cat "$B/$f"; echo '```'; else echo "(not run yet)"; fi
        echo
    done
    if [ -s "$B/e2e/analysis.md" ]; then cat "$B/e2e/analysis.md"; fi
} > "$OUT"
echo "wrote $OUT" >&2
