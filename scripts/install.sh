#!/usr/bin/env bash
# make install: puts feedwatch in place as a systemd service.
#   /usr/local/bin/feedwatch, /etc/systemd/system/feedwatch.service,
#   /etc/feedwatch/{feedwatch,keywords}.toml (never overwriting an operator's
#   edited file: the new default goes beside it as *.dist), /etc/logrotate.d/feedwatch,
#   and the system user `feedwatch`.
# PREFIX/DESTDIR-style overrides: BINDIR, ETCDIR, UNITDIR, LOGROTATEDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
BINDIR=${BINDIR:-/usr/local/bin}
ETCDIR=${ETCDIR:-/etc/feedwatch}
UNITDIR=${UNITDIR:-/etc/systemd/system}
LOGROTATEDIR=${LOGROTATEDIR:-/etc/logrotate.d}
BIN=.build/release/feedwatch
[ -x "$BIN" ] || { echo "install: $BIN missing; run scripts/build-release.sh (make install does)" >&2; exit 1; }

install -d -m 0755 "$BINDIR" "$UNITDIR" "$LOGROTATEDIR"
install -m 0755 "$BIN" "$BINDIR/feedwatch"
install -m 0644 systemd/feedwatch.service "$UNITDIR/feedwatch.service"
install -m 0644 systemd/feedwatch.logrotate "$LOGROTATEDIR/feedwatch"

# The system copy of the config uses the service's directories (the repo copy
# keeps state beside the checkout for `make run`).
install -d -m 0755 "$ETCDIR"
tmp=$(mktemp)
sed -e 's|^state_dir = .*|state_dir = "/var/lib/feedwatch"|' \
    -e 's|^spool_dir = .*|spool_dir = "/var/lib/feedwatch/spool"|' \
    -e 's|^alert_log = .*|alert_log = "/var/log/feedwatch/alerts.log"|' \
    Config/feedwatch.toml > "$tmp"
place() { # src dest
    if [ -e "$2" ] && ! cmp -s "$1" "$2"; then
        install -m 0644 "$1" "$2.dist"
        echo "install: kept your $2; the new default is $2.dist"
    else
        install -m 0644 "$1" "$2"
    fi
}
place "$tmp" "$ETCDIR/feedwatch.toml"
place Config/keywords.toml "$ETCDIR/keywords.toml"
rm -f "$tmp"

if ! getent passwd feedwatch >/dev/null; then
    useradd --system --home-dir /var/lib/feedwatch --no-create-home --shell /usr/sbin/nologin \
            --comment "feedwatch news-feed watcher" feedwatch
    echo "install: created system user feedwatch"
fi

"$BINDIR/feedwatch" check --config "$ETCDIR/feedwatch.toml"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi
cat <<MSG

feedwatch is installed. Next:
  systemctl enable --now feedwatch     # start now and at boot
  feedwatch status                     # per-feed health
  feedwatch tail -f                    # alerts as they come
  journalctl -u feedwatch -f           # the daemon's log
Edit $ETCDIR/feedwatch.toml or $ETCDIR/keywords.toml, then: feedwatch check && systemctl reload feedwatch
MSG
