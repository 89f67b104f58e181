#!/usr/bin/env bash
# The embedded wallet over minutes of throughput mining: data folder size and start-up time (see bench/wallet.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/wallet.py "$@"
