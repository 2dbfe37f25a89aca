#!/usr/bin/env bash
# Benchmarks/fetch/bench.sh — feedwatch's fetcher beside `curl --parallel`.
#
#   Benchmarks/fetch/bench.sh [N ...]        (default: 1000 10000)
#   RUNS=3 Benchmarks/fetch/bench.sh 1000    (repetitions per cell; median wall time is reported)
#
# Serves N generated ~60 KB RSS feeds from a private nginx on 127.0.0.1
# (nginx-light, own config and prefix in a temp dir; gzip on, ETag on) and
# fetches every feed
#   * cold: no validators, every response a 200 with a gzip body;
#   * warm: each URL with the ETag the cold run returned, every response 304;
# with `feedwatch fetch --urls FILE --max-concurrent 16 --max-per-host 16`
# (the daemon's Fetcher: same limits, headers, redirect policy; bodies
# decoded, SHA-256 hashed, then dropped) and with
# `curl --parallel --parallel-max 16 --compressed` over the same URL list
# (the same libcurl driven by its own tool). Wall time and peak RSS come from
# /usr/bin/time -v. Every run's outcomes are counted, so a run that got
# errors instead of 200/304 is flagged rather than reported as fast.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)
RUNS=${RUNS:-3}
PAR=16
MAXN=0
for n in "${SIZES[@]}"; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done

BIN="$ROOT/.build/release/feedwatch"
if [ ! -x "$BIN" ] || [ "${REBUILD:-0}" = 1 ]; then
    (cd "$ROOT" && "$ROOT/scripts/build-release.sh" --product feedwatch >&2)
fi
command -v nginx >/dev/null || { echo "nginx not installed (apt-get install nginx-light)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/feedwatch-fetch-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "generating $MAXN feeds ..." >&2
python3 "$HERE/genfeeds.py" "$WORK/www/feeds" "$MAXN"
chmod -R a+rX "$WORK/www"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/tmp"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    types { application/rss+xml xml; }
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    etag on;
    gzip on;
    gzip_types application/rss+xml;
    gzip_vary on;
    server {
        listen 127.0.0.1:$PORT;
        root $WORK/www;
    }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf"
sleep 0.3
curl -sf -o /dev/null "http://127.0.0.1:$PORT/feeds/feed-0.xml" || { echo "nginx did not come up" >&2; cat "$WORK/error.log" >&2; exit 1; }

# timed CMD... : runs CMD under /usr/bin/time -v; sets WALL (s, from a
# nanosecond clock: time -v's wall clock has 10 ms resolution) and RSS (KB).
timed() {
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$WORK/time.txt" "$@"
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { printf '%s\n' "$@" | sort -g | tail -1; }

ROWS=()
for N in "${SIZES[@]}"; do
    URLS="$WORK/urls-$N.txt"
    for ((i = 0; i < N; i++)); do echo "http://127.0.0.1:$PORT/feeds/feed-$i.xml"; done > "$URLS"
    # curl, cold: one config block per URL (output to /dev/null, status written out).
    awk '{print "url = \"" $0 "\"\noutput = \"/dev/null\""}' "$URLS" > "$WORK/curl-cold-$N.cfg"

    # One cold feedwatch run first, to learn the ETags for the warm runs.
    "$BIN" fetch --urls "$URLS" --max-concurrent $PAR --max-per-host $PAR > "$WORK/fw-cold-$N.jsonl" || true
    python3 - "$WORK/fw-cold-$N.jsonl" "$WORK/warm-$N.txt" "$WORK/curl-warm-$N.cfg" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as fw, open(sys.argv[3], "w") as cc:
    for k, r in enumerate(rows):
        if k:
            cc.write("next\n")
        fw.write("%s\t%s\t%s\n" % (r["url"], r["etag"] or "", r["last_modified"] or ""))
        etag = (r["etag"] or "").replace("\\", "\\\\").replace('"', '\\"')
        cc.write('url = "%s"\noutput = "/dev/null"\nheader = "If-None-Match: %s"\n'
                 'write-out = "%%{http_code}\\n"\ncompressed\n' % (r["url"], etag))
PY
    # curl's config: --compressed/-s/-w apply per operation; repeat them (cold has one operation).
    for MODE in cold warm; do
        declare -a FW_T=() FW_M=() CU_T=() CU_M=()
        FW_BAD=0; CU_BAD=0
        for ((run = 1; run <= RUNS; run++)); do
            if [ $MODE = cold ]; then
                timed "$BIN" fetch --urls "$URLS" --max-concurrent $PAR --max-per-host $PAR > "$WORK/fw.out" || true
                want=fetched; want_code=200
            else
                timed "$BIN" fetch --urls "$WORK/warm-$N.txt" --max-concurrent $PAR --max-per-host $PAR > "$WORK/fw.out" || true
                want=not_modified; want_code=304
            fi
            FW_T+=("$WALL"); FW_M+=("$RSS")
            ok=$(grep -c "\"outcome\": \"$want\"" "$WORK/fw.out" || true)
            [ "$ok" -eq "$N" ] || { FW_BAD=1; echo "feedwatch $MODE N=$N: only $ok/$N $want" >&2; }

            if [ $MODE = cold ]; then
                timed curl --parallel --parallel-max $PAR --compressed -s -w '%{http_code}\n' -K "$WORK/curl-cold-$N.cfg" > "$WORK/cu.out" 2>/dev/null || true
            else
                timed curl --parallel --parallel-max $PAR -s -K "$WORK/curl-warm-$N.cfg" > "$WORK/cu.out" 2>/dev/null || true
            fi
            CU_T+=("$WALL"); CU_M+=("$RSS")
            ok=$(grep -c "^$want_code\$" "$WORK/cu.out" || true)
            [ "$ok" -eq "$N" ] || { CU_BAD=1; echo "curl $MODE N=$N: only $ok/$N $want_code" >&2; }
        done
        fw=$(median "${FW_T[@]}"); cu=$(median "${CU_T[@]}")
        fwm=$(max "${FW_M[@]}"); cum=$(max "${CU_M[@]}")
        ROWS+=("$(awk -v n=$N -v m=$MODE -v fw=$fw -v cu=$cu -v fwm=$fwm -v cum=$cum -v fb=$FW_BAD -v cb=$CU_BAD 'BEGIN {
            fr = n / fw; cr = n / cu;
            printf "%-6s %-5s %10.0f %10.0f %7.2fx %9.1f %9.1f %s", n, m, fr, cr, fr / cr, fwm / 1024, cum / 1024,
                   (fb || cb) ? "  (errors, see above)" : "" }')")
    done
done

# Process start-up alone (empty URL list), to read the N = 1000 rows by:
# there a whole warm run takes tens of milliseconds.
: > "$WORK/empty.txt"
declare -a FW_S=() CU_S=()
for ((run = 1; run <= RUNS; run++)); do
    timed "$BIN" fetch --urls "$WORK/empty.txt" > /dev/null; FW_S+=("$WALL")
    timed curl -s -K "$WORK/empty.txt" > /dev/null 2>&1 || true; CU_S+=("$WALL")
done

echo
echo "fetch benchmark: nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(curl --version | head -1 | cut -d' ' -f1-2), $PAR in flight, median of $RUNS runs, $(nproc) cores"
printf '%-6s %-5s %10s %10s %8s %9s %9s\n' N mode "fw feeds/s" "curl f/s" "fw/curl" "fw MB" "curl MB"
for r in "${ROWS[@]}"; do echo "$r"; done
awk -v f="$(median "${FW_S[@]}")" -v c="$(median "${CU_S[@]}")" \
    'BEGIN { printf "start-up alone (empty URL list): feedwatch %.0f ms, curl %.0f ms\n", f * 1000, c * 1000 }'
