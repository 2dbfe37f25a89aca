#!/usr/bin/env bash
# Kept for the parser author's workflow; the real script is scripts/fuzz.sh
# (see Fuzz/README.md). Usage (repo root): Fuzz/Parse/run.sh [SECONDS]   # default 60
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/fuzz.sh parse "${1:-60}"
