#!/usr/bin/env bash
# BrkCoin's benchmark: every shape of the miner in turn, one table (see bench/run.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
