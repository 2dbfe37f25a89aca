#!/usr/bin/env bash
# make demo: see feedwatch work without internet. Serves three "outlets" built
# from seeds/ and a few ordinary items on 127.0.0.1, runs one pass of the
# pipeline with the shipped keywords, and shows the alerts and feed status.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FEEDWATCH_BIN:-.build/release/feedwatch}
work=$(mktemp -d /tmp/feedwatch-demo.XXXXXX)
python3 scripts/demo_feeds.py "$work/www"
python3 Tests/Support/feedserver.py --port 0 --routes "$work/www/routes.json" --log "$work/requests.jsonl" > "$work/port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")
cat > "$work/feedwatch.toml" <<TOML
[daemon]
state_dir = "state"
spool_dir = "state/spool"
alert_log = "state/alerts.log"
keywords = "$PWD/Config/keywords.toml"
per_host_delay = "0s"
max_per_host = 4
[[feed]]
name = "Bangkok Daily (demo)"
url = "http://127.0.0.1:$port/bangkok.xml"
[[feed]]
name = "Seoul Herald (demo)"
url = "http://127.0.0.1:$port/seoul.atom"
[[feed]]
name = "World Wire (demo)"
url = "http://127.0.0.1:$port/wire.xml"
TOML
echo "== feedwatch run --once --all   (3 demo outlets on 127.0.0.1:$port, state in $work)"
"$BIN" run --once --all --config "$work/feedwatch.toml" --log-level warning
echo
echo "== feedwatch tail -n 20   (one alert per story; the same event from three outlets is one alert)"
"$BIN" tail -n 20 --config "$work/feedwatch.toml"
echo
echo "== feedwatch status"
"$BIN" status --config "$work/feedwatch.toml"
echo
echo "== second pass: every feed answers 304 Not Modified, nothing new"
"$BIN" run --once --all --config "$work/feedwatch.toml" --log-level warning
echo
echo "Spool: $work/state/spool/new   Alert log: $work/state/alerts.log"
