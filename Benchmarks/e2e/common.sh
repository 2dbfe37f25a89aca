# Benchmarks/e2e/common.sh — sourced by e2e/, idle/ and soak/ run.sh.
# A private nginx (nginx-light) on loopback addresses only, the generated
# corpus, the release binary, and a timing helper.

BENCH_E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_E2E/../.." && pwd)
BIN=${FEEDWATCH_BIN:-$ROOT/.build/release/feedwatch}
PY=/usr/bin/python3   # Debian's python3: has python3-feedparser (a pyenv python3 may shadow it on PATH)

need_bin() {
    if [ ! -x "$BIN" ] || [ "${REBUILD:-0}" = 1 ]; then
        (cd "$ROOT" && "$ROOT/scripts/build-release.sh" --product feedwatch >&2)
    fi
    command -v nginx >/dev/null || { echo "nginx not installed (apt-get install nginx-light)" >&2; exit 1; }
    [ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 1; }
}

# corpus DIR N: generates N feeds (+ .gz for gzip_static) into DIR unless a
# complete corpus of that size is already there (generation takes ~1 min per
# 10,000 feeds; CORPUS_CACHE keeps it between runs).
corpus() {
    local dir=$1 n=$2
    if [ -f "$dir/.complete-$n" ]; then return; fi
    echo "generating $n feeds in $dir ..." >&2
    rm -rf "$dir"; mkdir -p "$dir"
    "$PY" "$BENCH_E2E/gencorpus.py" "$dir" "$n" --gz
    touch "$dir/.complete-$n"
    chmod -R a+rX "$dir"
}

# nginx_start WORK ROOTDIR ADDR... : serves ROOTDIR on every ADDR (all
# 127.x.y.z — loopback, never anything else) on one free port; sets PORT.
# gzip on (and gzip_static, so the pre-compressed files are sent without
# spending CPU the clients are measured on), etag on, access_log off.
nginx_start() {
    local work=$1 root=$2; shift 2
    local a listens=""
    for a in "$@"; do
        case $a in 127.*) ;; *) echo "refusing non-loopback address $a" >&2; exit 1 ;; esac
    done
    PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    for a in "$@"; do listens+="        listen $a:$PORT;"$'\n'; done
    mkdir -p "$work/nginx/tmp"
    cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    types { application/rss+xml rss; application/atom+xml atom; application/rdf+xml rdf; }
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    etag on;
    gzip on;
    gzip_static on;
    gzip_types application/rss+xml application/atom+xml application/rdf+xml;
    gzip_vary on;
    open_file_cache max=20000 inactive=60s;
    open_file_cache_valid 5s;
    server {
$listens        root $root;
    }
}
CONF
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
    local k
    for k in $(seq 50); do
        curl -sf -o /dev/null "http://$1:$PORT/feed-0.rss" && return 0
        sleep 0.1
    done
    echo "nginx did not come up" >&2; cat "$work/nginx/error.log" >&2; exit 1
}
nginx_stop() {
    local work=$1
    [ -f "$work/nginx/nginx.pid" ] && nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -s stop 2>/dev/null || true
}

# feed_name I: the corpus file of feed I (gencorpus.py's naming).
feed_ext() { case $(( $1 % 3 )) in 0) echo rss ;; 1) echo atom ;; 2) echo rdf ;; esac; }

# feed_urls N: the URLs of the first N corpus feeds on 127.0.0.1:$PORT, one a line.
feed_urls() {
    local i
    for ((i = 0; i < $1; i++)); do echo "http://127.0.0.1:$PORT/feed-$i.$(feed_ext "$i")"; done
}

# e2e_config STATE_DIR URLS_FILE: the feedwatch config of the end-to-end runs
# (e2e/run.sh, profile.sh, ratio.sh). All feeds are on one host, so the polite
# defaults (2 in flight per host, 1 s apart) are lifted to curl --parallel-max's 16
# (see Benchmarks/README.md, "Settings that differ").
e2e_config() {
    printf '[daemon]\nstate_dir = "%s"\nspool_dir = "%s/spool"\nalert_log = "%s/alerts.log"\nkeywords = "%s"\n' \
        "$1" "$1" "$1" "$ROOT/Config/keywords.toml"
    printf 'max_concurrent = 16\nmax_per_host = 16\nper_host_delay = "0s"\n'
    awk '{print "[[feed]]\nurl = \"" $0 "\""}' "$2"
}

# bin_commit: the commit the measured binary was built from, for result files.
# CODE when given; else the checkout's HEAD — call it when a run starts (need_bin
# builds from that HEAD; the checkout may move during an hour-long run), and
# marked as unknown when FEEDWATCH_BIN names a binary built elsewhere.
bin_commit() {
    if [ -n "${CODE:-}" ]; then echo "$CODE"; return; fi
    local head
    head=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
    if [ -n "${FEEDWATCH_BIN:-}" ]; then
        echo "unknown: FEEDWATCH_BIN=$FEEDWATCH_BIN (the checkout was at $head; set CODE=...)"
    else
        echo "$head"
    fi
}

# timed OUTFILE CMD... : runs CMD under /usr/bin/time -v (its stdout kept);
# sets WALL (s, nanosecond clock), CPU (user+sys s) and RSS (peak, MB).
timed() {
    local tf=$1; shift
    local t0 t1 rc=0
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$tf" "$@" || rc=$?
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    CPU=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u + s}' "$tf")
    RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$tf")
    return $rc
}
