#!/usr/bin/env bash
# systemd-integration.sh — feedwatch under a real systemd, without touching this machine.
#
#   scripts/systemd-integration.sh [BINARY]      default BINARY: .build/release/feedwatch
#   scripts/systemd-integration.sh --selftest    same checks, with a small Python stand-in
#                                                 daemon instead of feedwatch (tests the
#                                                 sandbox and the unit file on their own)
#
# Boots systemd as PID 1 of private pid/mount/uts/net namespaces whose /etc, /var,
# /usr, /opt, /srv, /home, /root, /tmp and /media are overlays on a tmpfs (see the
# sandbox section below: it follows ../shared/tools/systemd-sandbox.sh), installs
# the unit (systemd/feedwatch.service), the binary (through scripts/install.sh when it
# is the repository's own .build/release/feedwatch), a test config and keyword file,
# serves a feed built from seeds/ on 127.0.0.1 inside the namespace, and checks:
# systemd-analyze verify; start reaches active through READY=1; an alert reaches
# the log and the spool; watchdog pings arrive; reload keeps the same MainPID; a
# broken keyword file is refused on reload with FILE:LINE while the daemon runs on;
# journald got the <N> priorities; a SIGKILL is restarted (Restart=on-failure)
# with no alert repeated; stop is clean (exit 0, not failed); the host's files are
# unchanged. One PASS/FAIL line per check; about 20 s.
#
# Exit status: 0 all passed, 1 a check failed, 77 systemd cannot boot here (not
# root, no systemd, no namespaces), 2 usage error.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELFTEST=0
BIN=
case "${1:-}" in
    --selftest) SELFTEST=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    "") BIN=$ROOT/.build/release/feedwatch ;;
    *) BIN=$1 ;;
esac
FEED_PORT=18080
WATCHDOG_TEST_SEC=4   # a drop-in shortens WatchdogSec so pings can be seen within seconds

skip() { echo "SKIP systemd cannot boot here: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (namespaces, mounts)"
[ -x /lib/systemd/systemd ] || skip "no /lib/systemd/systemd"
for t in unshare nsenter systemctl python3; do
    command -v "$t" >/dev/null || skip "no $t"
done
if [ "$SELFTEST" = 0 ]; then
    [ -x "$BIN" ] || { echo "usage: $0 [BINARY]: $BIN is not an executable (build with: scripts/build-release.sh)" >&2; exit 2; }
    [ -f "$ROOT/Config/keywords.toml" ] || { echo "$ROOT/Config/keywords.toml missing" >&2; exit 2; }
fi

# ---------------------------------------------------------------------------
# Sandbox (after ../shared/tools/systemd-sandbox.sh; kept in this file so the
# script runs from a checkout alone). Why it cannot touch the host although the
# mount namespace starts as a copy of it:
#  * before systemd starts, /run is a fresh tmpfs and /etc /var /usr /opt /srv
#    /home /root /tmp /media are overlays whose upper layers live in that tmpfs:
#    whatever is installed or written inside vanishes with the namespace;
#  * `container=feedwatch-test` makes systemd behave as in a container: its
#    shutdown never unmounts, remounts read-only, swaps off or detaches loops;
#    reboot(2) from a child pid namespace only ends that namespace;
#  * units that write shared kernel state or grab the console are masked and
#    the boot goal is basic.target; tmpfiles never cleans /tmp (bare `unshare`
#    boots of systemd empty the host's /tmp: never do that);
#  * the network namespace has only lo: nothing inside reaches any network;
#  * systemd gets its own cgroup subtree (fwtest-*), removed after it ends.
# ---------------------------------------------------------------------------
SD_MASK="systemd-sysctl.service systemd-modules-load.service kmod-static-nodes.service
systemd-tmpfiles-setup-dev.service systemd-tmpfiles-setup-dev-early.service
systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
systemd-udev-trigger.service systemd-udev-settle.service systemd-binfmt.service
proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-remount-fs.service
systemd-fsck-root.service systemd-timesyncd.service systemd-pstore.service
systemd-random-seed.service systemd-firstboot.service systemd-hwdb-update.service
hwclock.service getty.target getty@tty1.service console-getty.service
serial-getty@ttyS0.service emergency.service emergency.target rescue.service rescue.target
debug-shell.service timers.target nginx.service postgresql.service e2scrub_reap.service
remote-fs.target systemd-networkd.service systemd-resolved.service cron.service
ssh.service apt-daily.service apt-daily-upgrade.service fstrim.service e2scrub_all.service
logrotate.service logrotate.timer"

SDPID=
SD_UNSHARE_PID=
SD_CG=
PASS=0
TOTAL=0

step() { # step STATUS(0 = ok) NAME [DETAIL]
    TOTAL=$((TOTAL + 1))
    if [ "$1" = 0 ]; then
        PASS=$((PASS + 1))
        echo "PASS $2${3:+ ($3)}"
    else
        echo "FAIL $2${3:+ ($3)}"
    fi
}

sd_is_ours() { # SDPID is a live systemd in a pid and mount namespace other than ours
    [ -n "$SDPID" ] && [ -d "/proc/$SDPID" ] || return 1
    [ "$(cat "/proc/$SDPID/comm" 2>/dev/null)" = systemd ] || return 1
    [ "$(readlink "/proc/$SDPID/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || return 1
    [ "$(readlink "/proc/$SDPID/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
}

sd_exec() { # run a command inside (pid + mount namespaces of our systemd)
    sd_is_ours || { echo "sd_exec: no namespaced systemd" >&2; return 125; }
    nsenter -t "$SDPID" -p -m -- "$@"
}

sd_boot() {
    local scratch=$1 i
    SD_CG=fwtest-$$-$RANDOM
    cat > "$scratch/boot.sh" <<'EOF'
#!/bin/sh
# PID 1 of fresh pid/mount/uts/net namespaces; becomes systemd at the end.
set -eu
CG=$1
MASK=$2
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p "/sys/fs/cgroup/$CG" && echo 0 > "/sys/fs/cgroup/$CG/cgroup.procs"
else
    for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
        [ -d "$h" ] || continue
        mkdir -p "$h/$CG" && echo 0 > "$h/$CG/cgroup.procs"
    done
fi
mount -n -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/.fwtest-ov
for d in etc var usr opt srv home root tmp media; do
    [ -d "/$d" ] && [ ! -L "/$d" ] || continue
    mkdir -p "/run/.fwtest-ov/$d/up" "/run/.fwtest-ov/$d/work"
    mount -n -t overlay overlay \
        -o "lowerdir=/$d,upperdir=/run/.fwtest-ov/$d/up,workdir=/run/.fwtest-ov/$d/work" "/$d"
done
if [ -e /dev/console ]; then mount -n --bind /dev/null /dev/console; fi
mkdir -p /etc/systemd/system /etc/tmpfiles.d
for u in $MASK; do ln -sf /dev/null "/etc/systemd/system/$u"; done
: > /etc/tmpfiles.d/tmp.conf
: > /etc/tmpfiles.d/x11.conf
echo feedwatch-test > /etc/hostname
exec /lib/systemd/systemd --system --unit=basic.target --show-status=0
EOF
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin container=feedwatch-test \
        unshare --pid --fork --mount-proc --mount --uts --net --propagation private \
        /bin/sh "$scratch/boot.sh" "$SD_CG" "$(echo $SD_MASK)" \
        >"$scratch/boot.log" 2>&1 </dev/null &
    SD_UNSHARE_PID=$!
    for i in $(seq 1 100); do
        SDPID=$(pgrep -P "$SD_UNSHARE_PID" 2>/dev/null | head -n 1)
        [ -n "$SDPID" ] && [ "$(cat "/proc/$SDPID/comm" 2>/dev/null)" = systemd ] && break
        kill -0 "$SD_UNSHARE_PID" 2>/dev/null || break
        sleep 0.1
    done
    sd_is_ours || { tail -n 15 "$scratch/boot.log" | sed 's/^/     boot: /' >&2; return 1; }
}

sd_wait_running() { # SECONDS
    local i state=
    for i in $(seq 1 $(($1 * 2))); do
        state=$(sd_exec timeout 5 systemctl is-system-running 2>/dev/null)
        case "$state" in running|degraded) return 0 ;; esac
        sd_is_ours || break
        sleep 0.5
    done
    echo "system state: ${state:-unknown}" >&2
    return 1
}

sd_poweroff() { # [fast]: we are being stopped: SIGKILL after 2 s instead of 30 s
    local i tenths=300 ask=20 h
    if [ "${1:-}" = fast ]; then tenths=20; ask=2; fi
    if [ -n "$SDPID" ] && kill -0 "$SDPID" 2>/dev/null; then
        if sd_is_ours; then
            timeout "$ask" nsenter -t "$SDPID" -p -m -- systemctl poweroff --no-block >/dev/null 2>&1
        fi
        for i in $(seq 1 "$tenths"); do
            kill -0 "$SDPID" 2>/dev/null || break
            sleep 0.1
        done
        # Only this one pid, and only if it is still our namespaced systemd.
        if kill -0 "$SDPID" 2>/dev/null && sd_is_ours; then kill -9 "$SDPID" 2>/dev/null; fi
    fi
    if [ -n "$SD_UNSHARE_PID" ]; then
        for i in $(seq 1 50); do
            kill -0 "$SD_UNSHARE_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$SD_UNSHARE_PID" 2>/dev/null
        wait "$SD_UNSHARE_PID" 2>/dev/null
    fi
    if [ -n "$SD_CG" ]; then
        for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
            [ -d "$h/$SD_CG" ] || continue
            for i in 1 2 3 4 5; do
                find "$h/$SD_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
                [ -d "$h/$SD_CG" ] || break
                sleep 0.5
            done
        done
    fi
    SDPID=
    SD_UNSHARE_PID=
    SD_CG=
}

sd_prop() { sd_exec systemctl show -p "$2" --value "$1" 2>/dev/null; }

sd_wait_state() { # UNIT SECS STATE...
    local u=$1 secs=$2 i s want
    shift 2
    for i in $(seq 1 $((secs * 4))); do
        s=$(sd_prop "$u" ActiveState)
        for want in "$@"; do [ "$s" = "$want" ] && return 0; done
        sleep 0.25
    done
    return 1
}

fingerprint() { # one hash of names, sizes, modes and mtimes under the paths (host side)
    local p
    for p in "$@"; do
        if [ -e "$p" ] || [ -L "$p" ]; then
            find "$p" -maxdepth 4 -printf '%p %s %m %T@ %l\n' 2>/dev/null
        else
            echo "absent $p"
        fi
    done | sort | md5sum | cut -c1-32
}

# ---------------------------------------------------------------------------
# Test material, all prepared on the host side in a scratch dir before boot
# (the overlays show it inside; nothing is written to the host outside it).
# ---------------------------------------------------------------------------
SCRATCH=$(mktemp -d /tmp/fw-sdtest.XXXXXX)
HOST_PATHS="/etc/systemd/system /etc/feedwatch /usr/local/bin /var/lib/feedwatch /var/lib/private /var/log/feedwatch /etc/logrotate.d /etc/passwd /etc/group /srv"
HOST_BEFORE=$(fingerprint $HOST_PATHS)

cleanup() {
    local fast=${1:-}
    sd_poweroff $fast
    rm -rf "$SCRATCH"
}
trap 'cleanup fast; exit 130' INT TERM
trap 'cleanup' EXIT

mkdir -p "$SCRATCH/feeds" "$SCRATCH/etc"
python3 - "$ROOT/seeds" "$SCRATCH/feeds/seeds.xml" <<'EOF'
# An RSS 2.0 feed of the seed articles (and two irrelevant items), dated now so
# the first fetch is inside alert_backlog.
import email.utils, html, os, sys, time
seeds, out = sys.argv[1], sys.argv[2]
items = []
for i, name in enumerate(sorted(os.listdir(seeds))):
    text = open(os.path.join(seeds, name), encoding="utf-8").read()
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    title = max(lines[:12], key=len) if lines else name
    items.append((name, title, text))
items.append(("weather", "Sunny weekend expected across the region", "Forecasters expect sunshine and light winds."))
items.append(("markets", "Stocks close slightly higher", "Markets ended the day up 0.2 percent."))
now = time.time()
parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
         '<title>feedwatch systemd test</title><link>http://127.0.0.1/</link><description>seeds</description>']
for n, (guid, title, body) in enumerate(items):
    parts.append("<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>http://127.0.0.1/%s</link>"
                 "<pubDate>%s</pubDate><description>%s</description></item>"
                 % (html.escape(guid), html.escape(title), html.escape(guid),
                    email.utils.formatdate(now - 60 * n, usegmt=True), html.escape(body)))
parts.append("</channel></rss>\n")
open(out, "w", encoding="utf-8").write("\n".join(parts))
EOF

cat > "$SCRATCH/etc/feedwatch.toml" <<EOF
# Test config for scripts/systemd-integration.sh (inside the sandbox only).
[daemon]
state_dir = "/var/lib/feedwatch"
spool_dir = "/var/lib/feedwatch/spool"
alert_log = "/var/log/feedwatch/alerts.log"
keywords = "keywords.toml"
default_interval = "5s"
min_interval = "1s"
alert_backlog = "0"

[[feed]]
url = "http://127.0.0.1:$FEED_PORT/seeds.xml"
name = "Seeds"
EOF

if [ "$SELFTEST" = 1 ]; then
    # A stand-in for `feedwatch run`, speaking the same protocol: READY=1 after
    # "opening the store", WATCHDOG=1 at half of WATCHDOG_USEC, RELOADING=1/READY=1
    # on SIGHUP, STOPPING=1 and exit 0 on SIGTERM; it writes one alert to the log
    # and the spool so the same checks apply. It is the main process (python3 via
    # the shebang), so NotifyAccess=main accepts it.
    cat > "$SCRATCH/feedwatch" <<'EOF'
#!/usr/bin/python3
import json, os, signal, socket, sys, time
def notify(msg):
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr: return
    if addr.startswith("@"): addr = "\0" + addr[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(msg.encode(), addr); s.close()
def log(prio, msg): print("<%d>%s" % (prio, msg), file=sys.stderr, flush=True)
state = {"reload": False, "stop": False}
signal.signal(signal.SIGHUP, lambda *a: state.__setitem__("reload", True))
signal.signal(signal.SIGTERM, lambda *a: state.__setitem__("stop", True))
os.makedirs("/var/lib/feedwatch/spool/tmp", 0o700, exist_ok=True)
os.makedirs("/var/lib/feedwatch/spool/new", 0o700, exist_ok=True)
alert = json.dumps({"id": "selftest-1", "story_id": "s", "feed": "Seeds", "url": "http://127.0.0.1/x",
                    "title": "stand-in alert", "published": None, "fetched": "2026-01-01T00:00:00Z",
                    "score": 9, "threshold": 6, "matches": [], "summary": None, "sources": []}, sort_keys=True)
if not os.path.exists("/var/lib/feedwatch/spool/new/selftest-1.json"):
    with open("/var/lib/feedwatch/spool/tmp/selftest-1.json", "w") as f: f.write(alert + "\n")
    os.rename("/var/lib/feedwatch/spool/tmp/selftest-1.json", "/var/lib/feedwatch/spool/new/selftest-1.json")
logged = os.path.exists("/var/log/feedwatch/alerts.log") and "selftest-1" in open("/var/log/feedwatch/alerts.log").read()
if not logged:
    with open("/var/log/feedwatch/alerts.log", "a") as f: f.write(alert + "\n")
notify("READY=1\nSTATUS=stand-in running")
log(6, "started")
usec = int(os.environ.get("WATCHDOG_USEC", "0"))
interval = usec / 2e6 if usec else 1.0
while not state["stop"]:
    if usec: notify("WATCHDOG=1")
    if state["reload"]:
        state["reload"] = False
        notify("RELOADING=1\nMONOTONIC_USEC=%d" % (time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6))
        log(6, "reloaded"); notify("READY=1")
    time.sleep(min(interval, 0.5))
notify("STOPPING=1"); log(6, "stopped")
sys.exit(0)
EOF
    chmod 755 "$SCRATCH/feedwatch"
    : > "$SCRATCH/etc/keywords.toml"
else
    install -m 755 "$BIN" "$SCRATCH/feedwatch"
    cp "$ROOT/Config/keywords.toml" "$SCRATCH/etc/keywords.toml"
fi
cp "$ROOT/systemd/feedwatch.service" "$SCRATCH/feedwatch.service"
cat > "$SCRATCH/watchdog.conf" <<EOF
# Test drop-in: a short watchdog, so pings are seen within seconds.
[Service]
WatchdogSec=${WATCHDOG_TEST_SEC}s
EOF

# ---------------------------------------------------------------------------
echo "== booting systemd in private namespaces ($([ "$SELFTEST" = 1 ] && echo selftest stand-in || echo "$BIN"))"
sd_boot "$SCRATCH" || skip "systemd did not start in private namespaces"
sd_wait_running 60 || skip "systemd did not reach running/degraded within 60 s"
echo "     systemd $SDPID is running in its own namespaces"

U=feedwatch.service
# Install. With the repository's own binary, through scripts/install.sh (what
# `make install` runs) on this clean system, then the test config over the
# installed one; otherwise (another binary, --selftest) by hand, the same way.
USE_INSTALL_SH=0
if [ "$SELFTEST" = 0 ] && [ -x "$ROOT/scripts/install.sh" ] \
    && [ "$(readlink -f "$BIN")" = "$(readlink -f "$ROOT/.build/release/feedwatch")" ]; then
    USE_INSTALL_SH=1
    OUT=$(sd_exec sh -c "cd '$ROOT' && scripts/install.sh" 2>&1)
    RC=$?
    INSTALLED=$(sd_exec sh -c 'ls /usr/local/bin/feedwatch /etc/systemd/system/feedwatch.service /etc/logrotate.d/feedwatch /etc/feedwatch/feedwatch.toml /etc/feedwatch/keywords.toml && getent passwd feedwatch' 2>&1 | grep -c .)
    [ "$RC" = 0 ] && [ "$INSTALLED" = 6 ]
    step $? "scripts/install.sh (make install) on a clean system: binary, unit, logrotate, config, user" \
        "rc=$RC, $INSTALLED of 6 in place"
    [ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 8 | sed 's/^/     install.sh: /'
    sd_exec sh -c 'getent passwd feedwatch >/dev/null' || USE_INSTALL_SH=0
fi
sd_exec sh -ec "
    if [ $USE_INSTALL_SH = 0 ]; then
        getent passwd feedwatch >/dev/null ||
            useradd --system --no-create-home --home-dir /var/lib/feedwatch --shell /usr/sbin/nologin feedwatch
        install -m 755 '$SCRATCH/feedwatch' /usr/local/bin/feedwatch
        install -m 644 '$SCRATCH/feedwatch.service' /etc/systemd/system/$U
        install -d -m 755 /etc/feedwatch
        install -m 644 '$SCRATCH/etc/keywords.toml' /etc/feedwatch/keywords.toml
    fi
    install -d -m 755 /etc/feedwatch /srv/fwtest
    install -m 644 '$SCRATCH/etc/feedwatch.toml' /etc/feedwatch/feedwatch.toml
    install -m 644 '$SCRATCH/feeds/seeds.xml' /srv/fwtest/seeds.xml
    install -d /etc/systemd/system/$U.d
    install -m 644 '$SCRATCH/watchdog.conf' /etc/systemd/system/$U.d/watchdog.conf
" 2>&1 | sed 's/^/     install: /'
step "${PIPESTATUS[0]}" "install the test config, feed and watchdog drop-in inside the sandbox"

# The feed server, on loopback inside the namespace.
sd_exec systemd-run --quiet --unit=fwtest-feeds --property=Type=exec \
    python3 -m http.server "$FEED_PORT" --bind 127.0.0.1 --directory /srv/fwtest >/dev/null 2>&1
sd_wait_state fwtest-feeds.service 10 active
step $? "loopback feed server (fwtest-feeds.service) is up"

sd_exec systemctl daemon-reload
OUT=$(sd_exec timeout 60 systemd-analyze verify /etc/systemd/system/$U 2>&1)
RC=$?
step "$RC" "systemd-analyze verify $U" "rc=$RC, $(printf '%s' "$OUT" | grep -c .) lines of output"
[ -n "$OUT" ] && printf '%s\n' "$OUT" | head -n 10 | sed 's/^/     verify: /'

# For information: systemd's own exposure score of the unit's sandboxing.
EXPOSURE=$(sd_exec timeout 60 systemd-analyze security --no-pager $U 2>/dev/null | tail -n 1)
echo "     security: ${EXPOSURE:-systemd-analyze security gave no summary}"

T0=$SECONDS
OUT=$(sd_exec timeout 40 systemctl start $U 2>&1)
RC=$?
STATE=$(sd_prop $U ActiveState)
TYPE=$(sd_prop $U Type)
[ "$RC" = 0 ] && [ "$STATE" = active ] && [ "$TYPE" = notify ]
step $? "start: systemctl start returns once READY=1 arrives, unit active" \
    "rc=$RC, state $STATE, Type=$TYPE, $((SECONDS - T0)) s${OUT:+; $(echo "$OUT" | head -c 300)}"
PID1=$(sd_prop $U MainPID)
STATUS=$(sd_prop $U StatusText)
[ -n "$STATUS" ]
step $? "STATUS= text is shown by systemctl" "StatusText: ${STATUS:-none}"

# An alert reaches both sinks (the feed carries the seed articles).
for i in $(seq 1 60); do
    LOGLINES=$(sd_exec sh -c 'wc -l < /var/log/feedwatch/alerts.log' 2>/dev/null || echo 0)
    [ "${LOGLINES:-0}" -gt 0 ] && break
    sleep 0.5
done
[ "${LOGLINES:-0}" -gt 0 ]
step $? "an alert is appended to /var/log/feedwatch/alerts.log" "${LOGLINES:-0} lines"
SPOOLED=$(sd_exec sh -c 'ls /var/lib/feedwatch/spool/new | wc -l' 2>/dev/null)
[ "${SPOOLED:-0}" -gt 0 ]
step $? "the spool holds the alert in new/" "${SPOOLED:-0} files"
OWNER=$(sd_exec stat -c '%U:%a' /var/lib/feedwatch /var/log/feedwatch 2>/dev/null | tr '\n' ' ')
[ "$OWNER" = "feedwatch:750 feedwatch:750 " ]
step $? "state and log directories belong to feedwatch, mode 0750" "$OWNER"
if [ "$SELFTEST" = 0 ]; then
    OUT=$(sd_exec /usr/local/bin/feedwatch tail --config /etc/feedwatch/feedwatch.toml -n 3 2>&1)
    printf '%s\n' "$OUT" | grep -q .
    step $? "feedwatch tail shows the alerts" "$(printf '%s\n' "$OUT" | head -n 1 | cut -c1-120)"
fi

# Watchdog: pings must keep coming (the drop-in sets WatchdogSec=${WATCHDOG_TEST_SEC}s).
W1=$(sd_prop $U WatchdogTimestampMonotonic)
sleep $((WATCHDOG_TEST_SEC + 2))
W2=$(sd_prop $U WatchdogTimestampMonotonic)
[ "${W2:-0}" -gt "${W1:-0}" ] && [ "$(sd_prop $U ActiveState)" = active ] && [ "$(sd_prop $U NRestarts)" = 0 ]
step $? "watchdog: WATCHDOG=1 pings arrive, no timeout, no restart" \
    "WatchdogUSec=$(sd_prop $U WatchdogUSec), last ping ${W1:-?} -> ${W2:-?} µs, NRestarts=$(sd_prop $U NRestarts)"

OUT=$(sd_exec timeout 30 systemctl reload $U 2>&1)
RC=$?
sleep 2
STATE=$(sd_prop $U ActiveState)
PID2=$(sd_prop $U MainPID)
[ "$RC" = 0 ] && [ "$STATE" = active ] && [ "$PID1" = "$PID2" ]
step $? "reload: ExecReload (SIGHUP) keeps the service active with the same MainPID" \
    "rc=$RC, state $STATE, MainPID $PID1 -> $PID2${OUT:+; $(echo "$OUT" | head -c 200)}"

# A broken keyword file: the reload is refused with FILE:LINE, the daemon keeps
# running on the old rules; the fixed file is then taken. (The stand-in has no
# keyword file to check.)
if [ "$SELFTEST" = 0 ]; then
    BADLINE=$(( $(sd_exec sh -c 'wc -l < /etc/feedwatch/keywords.toml') + 1 ))
    sd_exec sh -c 'cp /etc/feedwatch/keywords.toml /run/keywords.good && echo "this line is not TOML" >> /etc/feedwatch/keywords.toml'
    OUT=$(sd_exec timeout 30 systemctl reload $U 2>&1)
    RC=$?
    sleep 2
    BADLOG=$(sd_exec journalctl -u $U --no-pager -o cat 2>/dev/null | grep -c "keywords.toml:$BADLINE")
    [ "$RC" = 0 ] && [ "$(sd_prop $U ActiveState)" = active ] && [ "$(sd_prop $U MainPID)" = "$PID1" ] && [ "$BADLOG" -gt 0 ]
    step $? "reload with a broken keyword file: refused with keywords.toml:$BADLINE in the journal, still running" \
        "rc=$RC, state $(sd_prop $U ActiveState), MainPID $(sd_prop $U MainPID), $BADLOG journal lines name the line"
    sd_exec cp /run/keywords.good /etc/feedwatch/keywords.toml
    OUT=$(sd_exec timeout 30 systemctl reload $U 2>&1)
    RC=$?
    [ "$RC" = 0 ] && [ "$(sd_prop $U ActiveState)" = active ]
    step $? "reload with the fixed keyword file" "rc=$RC, state $(sd_prop $U ActiveState)"
fi

JOURNAL=$(sd_exec journalctl -u $U --no-pager -o cat 2>/dev/null | grep -v -- '^-- ')
NLINES=$(printf '%s\n' "$JOURNAL" | grep -c .)
NRAW=$(printf '%s\n' "$JOURNAL" | grep -c '^<[0-7]>')
[ "$NLINES" -gt 0 ] && [ "$NRAW" = 0 ]
step $? "journal has the unit's lines, <N> prefixes consumed as priorities" "$NLINES lines, $NRAW with a raw prefix"
printf '%s\n' "$JOURNAL" | tail -n 8 | sed 's/^/     journal: /'

# A crash (SIGKILL) is a failure: Restart=on-failure brings it back through READY=1.
sd_exec kill -9 "$PID1"
sd_wait_state $U 5 activating failed inactive >/dev/null
for i in $(seq 1 60); do
    [ "$(sd_prop $U ActiveState)" = active ] && [ "$(sd_prop $U MainPID)" != "$PID1" ] && [ "$(sd_prop $U MainPID)" != 0 ] && break
    sleep 0.5
done
NRES=$(sd_prop $U NRestarts)
PID3=$(sd_prop $U MainPID)
[ "$(sd_prop $U ActiveState)" = active ] && [ "$NRES" = 1 ] && [ "$PID3" != "$PID1" ]
step $? "crash (SIGKILL): restarted by Restart=on-failure, active again" \
    "NRestarts=$NRES, MainPID $PID1 -> $PID3, state $(sd_prop $U ActiveState)"
sleep 3
IDS=$(sd_exec python3 -c '
import json
ids = []
for line in open("/var/log/feedwatch/alerts.log"):
    try: ids.append(json.loads(line)["id"])
    except Exception: pass
print(len(ids), len(set(ids)))' 2>&1)
SPOOLED2=$(sd_exec sh -c 'ls /var/lib/feedwatch/spool/new | wc -l' 2>/dev/null)
set -- $IDS
[ "${1:-x}" = "${2:-y}" ] && [ "${1:-0}" = "${LOGLINES:-}" ] && [ "${SPOOLED2:-}" = "${SPOOLED:-}" ]
step $? "after the restart: no alert repeated in the log or the spool" \
    "log: ${1:-?} alerts, ${2:-?} distinct (before: ${LOGLINES:-?}); spool: ${SPOOLED2:-?} (before: ${SPOOLED:-?})"

T0=$SECONDS
OUT=$(sd_exec timeout 40 systemctl stop $U 2>&1)
sd_wait_state $U 35 inactive failed
STATE=$(sd_prop $U ActiveState)
RES=$(sd_prop $U Result)
CODE=$(sd_prop $U ExecMainStatus)
[ "$STATE" = inactive ] && [ "$RES" = success ] && [ "$CODE" = 0 ]
step $? "stop: SIGTERM ends it cleanly (inactive, Result=success, exit 0)" \
    "state $STATE, Result=$RES, exit $CODE, $((SECONDS - T0)) s"

sd_poweroff
HOST_AFTER=$(fingerprint $HOST_PATHS)
[ "$HOST_BEFORE" = "$HOST_AFTER" ]
step $? "host untouched (unit, binary, config, state, log paths, passwd)" "$HOST_BEFORE"

echo "== $PASS of $TOTAL checks passed"
[ "$PASS" = "$TOTAL" ] && exit 0
exit 1
