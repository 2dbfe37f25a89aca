#!/usr/bin/env bash
# kill -9 `feedwatch run --once --all` at random moments, ROUNDS rounds (default
# 50; 1–3 kills per round), rerun to completion each time and compare with an
# uninterrupted reference run: no lost or duplicated alert in spool or log,
# and `PRAGMA integrity_check` = ok after every kill and every completed round.
# It is FaultProcessTests.killNine with FEEDWATCH_FAULT_KILL9_ROUNDS=ROUNDS.
#
#   scripts/faults/kill9.sh [ROUNDS]        # from the repository root
#
# Prints the test's FAULT-SUMMARY line (injected kills, alerts verified) and
# exits non-zero if any round failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-50}"
swift build --product feedwatch >/dev/null
swift build --build-tests >/dev/null
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
set +e
FEEDWATCH_FAULT_KILL9_ROUNDS="$rounds" swift test --skip-build --filter 'FaultProcessTests/killNine' 2>&1 | tee "$out" \
    | grep -E 'FAULT-SUMMARY|passed|failed|error' 
status=${PIPESTATUS[0]}
set -e
grep -q 'FAULT-SUMMARY case=kill-9' "$out" || { echo "kill9.sh: no summary line (did the test run?)" >&2; exit 1; }
exit "$status"
