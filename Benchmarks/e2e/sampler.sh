# Benchmarks/e2e/sampler.sh — sourced by idle/ and soak/: resource sampling of
# one process and a read-only look at the feedwatch database.

# sample_loop PID CSV INTERVAL DB : every INTERVAL s appends
#   unix_time,utime+stime (clock ticks, /proc/PID/stat fields 14+15),VmRSS kB,fetched,200s,304s,
#   and VmRSS split (proc(5)): RssAnon (heap, stacks), RssFile (mapped binaries
#   and libraries, first touch of a code path), RssShmem (SQLite's WAL index) in kB
# until PID exits. Fields 14/15 are counted after the ")" of the comm field
# (proc(5)), so a comm with spaces cannot shift them.
sample_loop() {
    local pid=$1 csv=$2 iv=$3 db=$4
    echo "t,ticks,rss_kb,fetched,s200,s304,anon_kb,file_kb,shmem_kb" > "$csv"
    while kill -0 "$pid" 2>/dev/null; do
        local st ticks rss counts
        st=$(cat "/proc/$pid/stat" 2>/dev/null) || break
        ticks=$(echo "${st##*) }" | awk '{print $12 + $13}')
        rss=$(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} /^RssShmem:/ {s=$2}
                   END {print r "," a "," f "," s}' "/proc/$pid/status" 2>/dev/null) || break
        counts=$(db_counts "$db")
        echo "$(date +%s),$ticks,${rss%%,*},$counts,${rss#*,}" >> "$csv"
        sleep "$iv"
    done
}

# db_counts DB: "fetched,200s,304s" over all feeds (read-only, never blocks the daemon's writer: WAL).
db_counts() {
    /usr/bin/python3 - "$1" <<'PY' 2>/dev/null || echo "0,0,0"
import sqlite3, sys
try:
    c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=2)
    r = c.execute("SELECT count(last_fetch), coalesce(sum(last_status=200),0), coalesce(sum(last_status=304),0) FROM feed").fetchone()
    print("%d,%d,%d" % r)
except Exception:
    print("0,0,0")
PY
}

# summarize CSV FEEDS [EXTRA_S]: warm-up = first sample where every feed has
# been fetched once (the cold pass is done), plus EXTRA_S seconds (default 0). Prints average CPU % of one core from
# there to the end, RSS at warm-up, at the end, the max after warm-up and the
# growth, as "key=value" lines.
summarize() {
    /usr/bin/python3 - "$1" "$2" "$(getconf CLK_TCK)" "${3:-0}" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
n, hz = int(sys.argv[2]), float(sys.argv[3])
rows = [{k: float(v) for k, v in r.items()} for r in rows]
if not rows:
    print("samples=0"); sys.exit()
w = next((k for k, r in enumerate(rows) if r["fetched"] >= n), None)
if w is not None and float(sys.argv[4]) > 0:
    t = rows[w]["t"] + float(sys.argv[4])
    w = next((k for k, r in enumerate(rows) if r["t"] >= t), None)
print("samples=%d" % len(rows))
print("duration_s=%.0f" % (rows[-1]["t"] - rows[0]["t"]))
if w is None:
    print("warm=never (cold pass not finished: %d/%d feeds fetched)" % (rows[-1]["fetched"], n)); sys.exit()
a, b = rows[w], rows[-1]
print("cold_pass_s=%.0f" % (a["t"] - rows[0]["t"]))
print("cold_cpu_s=%.1f" % (a["ticks"] / hz))
span = b["t"] - a["t"]
print("after_warm_s=%.0f" % span)
print("avg_cpu_pct=%.2f" % (100 * (b["ticks"] - a["ticks"]) / hz / span if span > 0 else 0))
print("rss_warm_mb=%.1f" % (a["rss_kb"] / 1024))
print("rss_end_mb=%.1f" % (b["rss_kb"] / 1024))
print("rss_max_mb=%.1f" % (max(r["rss_kb"] for r in rows[w:]) / 1024))
print("rss_max_all_mb=%.1f" % (max(r["rss_kb"] for r in rows) / 1024))
print("growth_pct=%.2f" % (100 * (b["rss_kb"] - a["rss_kb"]) / a["rss_kb"]))
if "anon_kb" in a:  # where the growth is (older CSVs lack the split)
    for k in ("anon", "file", "shmem"):
        print("%s_warm_mb=%.1f %s_end_mb=%.1f" % (k, a[k + "_kb"] / 1024, k, b[k + "_kb"] / 1024))
print("s304_end=%d" % b["s304"])
PY
}

# phases CSV: the idle run split at the first 304 (from the first minute on):
# between rounds (nothing due) vs the 304 round — CPU, RSS, polls/s per phase.
phases() {
    /usr/bin/python3 - "$1" "$(getconf CLK_TCK)" <<'PY'
import csv, sys
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
hz = float(sys.argv[2])
if len(rows) < 8:
    sys.exit()
t0 = rows[0]["t"]
def seg(a, b, label):
    A, B = rows[a], rows[b]
    span = B["t"] - A["t"]
    if span <= 0:
        return
    rss = [r["rss_kb"] / 1024 for r in rows[a:b + 1]]
    polls = B["s304"] - A["s304"]
    print("phase %s: t=%.0f..%.0f s, avg CPU %.1f %% of a core, RSS min/median/max %.1f/%.1f/%.1f MB, start %.1f, end %.1f, 304 polls %d (%.1f/s)"
          % (label, A["t"] - t0, B["t"] - t0, 100 * (B["ticks"] - A["ticks"]) / hz / span,
             min(rss), sorted(rss)[len(rss) // 2], max(rss), rss[0], rss[-1], polls, polls / span))
w = next((k for k, r in enumerate(rows) if r["t"] - t0 >= 60), 0)
f = next((k for k, r in enumerate(rows) if r["s304"] > 0), None)
if f is not None and f - 1 > w:
    seg(w, f - 1, "between-rounds")
    seg(f - 1, len(rows) - 1, "304-round")
seg(w, len(rows) - 1, "after-first-minute")
PY
}

# The daemon runs of idle/ and soak/ (they need WORK and BIN, and common.sh's timed).
# prewarm CFG DB: the cold pass by `run --once --all` first; sets PREWARM_LINE.
prewarm() {
    timed "$WORK/time.txt" "$BIN" run --once --all --config "$1" --log-level warning > /dev/null 2> "$WORK/prewarm.log" || true
    PREWARM_LINE="prewarm_wall_s=$WALL prewarm_cpu_s=$CPU prewarm_rss_mb=$RSS prewarm_fetched=$(db_counts "$2")"
    echo "$PREWARM_LINE" >&2
}

# daemon_start CFG CSV DB: `feedwatch run` in the background, sampled into CSV
# every 10 s; sets DPID and SPID.
daemon_start() {
    "$BIN" run --config "$1" --log-level warning 2> "$WORK/daemon.log" &
    DPID=$!
    sample_loop "$DPID" "$2" 10 "$3" &
    SPID=$!
}

# daemon_wait MINUTES: until then, or until the daemon exits (said on stderr).
daemon_wait() {
    local end=$(( $(date +%s) + $1 * 60 ))
    while [ "$(date +%s)" -lt "$end" ] && kill -0 "$DPID" 2>/dev/null; do sleep 5; done
    kill -0 "$DPID" 2>/dev/null || { echo "daemon exited early:" >&2; tail -20 "$WORK/daemon.log" >&2; }
}

# daemon_stop: SIGTERM to the daemon, then wait for it and its sampler.
daemon_stop() {
    sleep 1
    kill -TERM "$DPID" 2>/dev/null || true
    wait "$DPID" 2>/dev/null || true
    DPID=""
    wait "$SPID" 2>/dev/null || true
}
