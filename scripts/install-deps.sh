#!/usr/bin/env bash
# Installs the Debian packages feedwatch needs to build and test, only when
# missing (so it is quick and offline-safe on a machine that has them).
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail
pkgs=(libcurl4-openssl-dev libssl-dev libxml2-dev libsqlite3-dev zlib1g-dev pkg-config python3 "$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
