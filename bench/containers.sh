#!/usr/bin/env bash
# BrkCoin's Compose deployment on the real engine, today's images against an earlier commit's
# (see bench/containers.py). Uses eng/engine.sh's engine; needs root, as that does.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/containers.py "$@"
